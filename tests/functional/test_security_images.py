"""Images that cost the server or betray the staff: image bombs, thumbnails
made on demand, and remote images in messages."""

from Acquisition import aq_base
from collective.tickets import api as tickets
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.remote_images import without_remote_images
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import PNG
from helpers import post_multipart
from io import BytesIO
from PIL import Image
from plone import api
from zope.i18n import translate

import base64
import json
import re
import struct
import transaction
import unittest
import zlib


def png_of_size(width, height, broken=False):
    """A PNG that says it is ``width`` x ``height``: its header is all that is
    read before the size is checked, so the pixels need not be there."""

    def chunk(kind, body, crc=None):
        crc = zlib.crc32(kind + body) if crc is None else crc
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header, crc=0 if broken else None)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


BOMB = png_of_size(9400, 9400)
REMOTE = "https://elsewhere.example/track.png"
REMOTE_HTML = (
    "<p>See the screenshot.</p>"
    f'<p><img src="{REMOTE}" srcset="https://elsewhere.example/track2.png 2x"></p>'
)


class ImagesTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()

    def open_ticket(self, text="<p>I cannot log in.</p>", **kw):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Broken login", text, **kw)
        transaction.commit()
        return ticket

    def customers_tickets(self):
        with as_user(self.portal, CUSTOMER):
            return list(tickets.tickets_of(CUSTOMER))


class TestImageBombs(ImagesTestCase):
    def assert_refused(self, data, *expected):
        before = len(self.customers_tickets())
        with (
            as_user(self.portal, CUSTOMER),
            self.assertRaises(TicketInputError) as refused,
        ):
            tickets.create(
                "Huge", "<p>x</p>", attachments=[("huge.png", data, "image/png")]
            )
        message = translate(refused.exception.message)
        for text in expected:
            self.assertIn(text, message)
        self.assertEqual(len(self.customers_tickets()), before)

    def test_api_refuses_an_image_above_the_megapixel_limit(self):
        self.assert_refused(
            BOMB, "'huge.png'", "9400 × 9400 pixels", "88.4 megapixels", "at most 50"
        )

    def test_the_limit_follows_the_setting(self):
        api.portal.set_registry_record(
            "max_image_megapixels", 100, interface=ITicketSettings
        )
        ticket = self.open_ticket(attachments=[("big.png", BOMB, "image/png")])
        self.assertEqual(ticket.attachments[0].filename, "big.png")
        api.portal.set_registry_record(
            "max_image_megapixels", 1, interface=ITicketSettings
        )
        self.assert_refused(png_of_size(1001, 1000), "1001 × 1000", "at most 1 ")

    def test_an_image_pillow_calls_a_bomb_gets_our_message(self):
        # Pillow itself refuses to open anything above twice its own limit.
        api.portal.set_registry_record(
            "max_image_megapixels", 1000, interface=ITicketSettings
        )
        self.assert_refused(
            png_of_size(30000, 30000), "'huge.png'", "30000 × 30000", "at most 89 "
        )

    def test_an_unreadable_image_is_refused_with_a_message(self):
        self.assert_refused(png_of_size(10, 10, broken=True), "'huge.png'", "read")

    def test_the_new_ticket_form_refuses_an_image_bomb(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@new-ticket")
        post_multipart(
            browser,
            self.portal_url + "/@@new-ticket",
            new_ticket_fields(
                authenticator(browser),
                subject="Screenshot",
                text="<p>Look.</p>",
                files=[("bomb.png", BOMB, "image/png")],
            ),
        )
        self.assertEqual(browser.headers["status"].split()[0], "200")
        self.assertIn("'bomb.png'", browser.contents.replace("&#x27;", "'"))
        self.assertIn("9400 × 9400 pixels", browser.contents)
        self.assertIn("at most 50 megapixels", browser.contents)
        self.assertEqual(self.customers_tickets(), [])

    def test_rest_refuses_an_image_bomb_with_a_400(self):
        body = {
            "title": "Screenshot",
            "text": "<p>Look.</p>",
            "attachments": [
                {
                    "filename": "bomb.png",
                    "encoding": "base64",
                    "data": base64.b64encode(BOMB).decode(),
                }
            ],
        }
        browser = browser_for(self.layer, CUSTOMER)
        browser.addHeader("Accept", "application/json")
        browser.post(
            self.portal_url + "/@tickets", json.dumps(body), "application/json"
        )
        self.assertEqual(browser.headers["status"].split()[0], "400")
        (error,) = json.loads(json.loads(browser.contents)["message"])
        self.assertEqual(error["field"], "attachments")
        self.assertIn("'bomb.png' is 9400 × 9400 pixels", error["message"])
        self.assertEqual(self.customers_tickets(), [])


class TestThumbnails(ImagesTestCase):
    def test_thumbnails_are_not_made_at_upload(self):
        ticket = self.open_ticket(attachments=[("shot.png", PNG, "image/png")])
        self.assertEqual(len(ticket.attachment_thumbnails), 0)

    def test_a_small_image_gets_its_thumbnail_on_the_ticket_page(self):
        ticket = self.open_ticket(attachments=[("shot.png", PNG, "image/png")])
        thumb = ticket.absolute_url() + "/@@attachment/thumb/0"
        for who in (CUSTOMER, STAFF):
            browser = browser_for(self.layer, who)
            browser.open(ticket.absolute_url())
            self.assertIn(thumb, browser.contents, who)
            browser.open(thumb)
            self.assertEqual(browser.headers["status"].split()[0], "200", who)
            self.assertTrue(browser.headers["content-type"].startswith("image/"))
            self.assertTrue(browser.contents.startswith(b"\x89PNG"), who)
        transaction.begin()
        stored = aq_base(ticket).attachment_thumbnails
        self.assertEqual(list(stored.keys()), [0])

    def test_the_thumbnail_of_an_animation_is_made_from_its_first_frame_only(self):
        # Each frame of an animation costs as much to scale as a still image
        # of its size: a thousand frames of a few bytes each would cost
        # minutes. The thumbnail is a still of the first frame.
        frames = [Image.new("RGB", (400, 300), color) for color in ("red", "blue")]
        out = BytesIO()
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
        ticket = self.open_ticket(attachments=[("anim.gif", out.getvalue(), "")])
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url() + "/@@attachment/thumb/0")
        self.assertEqual(browser.headers["status"].split()[0], "200")
        with Image.open(BytesIO(browser.contents)) as thumb:
            self.assertFalse(getattr(thumb, "is_animated", False))
            self.assertEqual(thumb.size, (240, 180))
            self.assertEqual(thumb.convert("RGB").getpixel((10, 10)), (255, 0, 0))

    def test_other_customer_and_anonymous_get_no_thumbnail(self):
        ticket = self.open_ticket(attachments=[("shot.png", PNG, "image/png")])
        for who in (OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, who)
            browser.open(ticket.absolute_url() + "/@@attachment/thumb/0")
            self.assertNotIn("PNG", browser.contents, who)
            self.assertTrue(
                "login" in browser.url or "insufficient-privileges" in browser.url
            )
        transaction.begin()
        self.assertEqual(len(ticket.attachment_thumbnails), 0)


class TestRemoteImages(ImagesTestCase):
    def test_a_remote_image_becomes_a_link(self):
        ticket = self.open_ticket(text=REMOTE_HTML)
        html = tickets.conversation(ticket)[0].text
        self.assertNotIn("<img", html)
        self.assertNotIn("track2.png", html)
        self.assertIn(
            f'<a href="{REMOTE}" rel="noopener noreferrer nofollow" '
            'target="_blank">Remote image (click to open)</a>',
            html,
        )
        self.assertIn("See the screenshot.", html)

    def test_remote_media_styles_and_posters_load_nothing(self):
        # All of these pass Plone's safe-HTML filter.
        ticket = self.open_ticket(
            text='<p style="background-image:url(http://evil.example/bg.png)">'
            "Hello</p>"
            '<video poster="http://evil.example/poster.png" '
            'src="http://evil.example/v.mp4">v</video>'
            '<audio src="http://evil.example/a.mp3"></audio>'
            '<picture><source srcset="http://evil.example/s.png">'
            '<img src="http://evil.example/i.png"></picture>'
        )
        html = tickets.conversation(ticket)[0].text
        self.assertNotIn("url(", html)
        self.assertNotIn("<video", html)
        self.assertNotIn("<audio", html)
        self.assertNotIn("srcset", html)
        self.assertNotIn("poster", html)
        self.assertNotIn('src="http', html)
        self.assertIn("Hello", html)
        self.assertEqual(html.count("Remote image (click to open)"), 3)

    def test_styles_that_load_without_writing_url_load_nothing(self):
        # CSS reads "u\\rl(" and "\\75 rl(" as url(, and image-set() takes
        # a plain string; all pass Plone's filter.
        ticket = self.open_ticket(
            text='<p style="background:u\\rl(http://evil.example/1.png)">a</p>'
            '<p style="background:\\75 rl(http://evil.example/2.png)">b</p>'
            "<p style=\"background-image:image-set('http://evil.example/3.png' 1x)\">"
            "c</p>"
            '<p style="color: red">d</p>'
        )
        html = tickets.conversation(ticket)[0].text
        self.assertNotIn("evil.example", html)
        self.assertIn('<p style="color: red">d</p>', html)

    def test_plones_default_view_shows_no_remote_image(self):
        ticket = self.open_ticket(text=REMOTE_HTML)
        with as_user(self.portal, STAFF):
            reply = tickets.reply(ticket, f'<p>Here: <img src="{REMOTE}"></p>')
        transaction.commit()
        for who in (CUSTOMER, STAFF):
            for obj in (ticket, reply):
                browser = browser_for(self.layer, who)
                browser.open(obj.absolute_url() + "/@@view")
                self.assertEqual(browser.headers["status"].split()[0], "200")
                self.assertNotIn(f'src="{REMOTE}"', browser.contents, who)
                self.assertIn("Remote image (click to open)", browser.contents, who)

    def test_markup_the_filter_cannot_read_gets_a_message_not_an_error(self):
        bad = '<p>x</p><picture><source srcset="http://evil.example/s.png"></picture>'
        with (
            as_user(self.portal, CUSTOMER),
            self.assertRaises(TicketInputError) as refused,
        ):
            tickets.create("Picture", bad)
        self.assertEqual(refused.exception.field, "text")
        self.assertIn("could not be read as HTML", translate(refused.exception.message))

    def test_images_of_the_site_and_data_images_stay(self):
        portal = self.portal_url
        html = without_remote_images(
            '<p>a<img src="data:image/png;base64,iVBORw0KGgo=">b</p>'
            '<img src="resolveuid/abc/@@images/image/preview">'
            '<img src="/plone/logo.png">'
            f'<img src="{portal}/logo.png" srcset="{portal}/logo2.png 2x">',
            portal,
            "Remote image",
        )
        self.assertEqual(html.count("<img"), 4)
        self.assertIn('src="data:image/png;base64,iVBORw0KGgo="', html)
        self.assertIn('src="resolveuid/abc/@@images/image/preview"', html)
        self.assertIn(f'src="{portal}/logo.png"', html)
        self.assertNotIn("srcset", html)
        self.assertNotIn("Remote image", html)

    def test_addresses_that_only_look_local_are_remote(self):
        portal = self.portal_url
        for src in (
            "//elsewhere.example/x.png",
            "/\\elsewhere.example/x.png",
            f"{portal}.elsewhere.example/x.png",
            "HTTP://elsewhere.example/x.png",
            " https://elsewhere.example/x.png",
        ):
            html = without_remote_images(f'<img src="{src}">', portal, "Remote")
            self.assertNotIn("<img", html, src)
            self.assertIn(">Remote</a>", html, src)

    def test_addresses_of_the_site_that_name_no_file_become_links(self):
        # Fetched with the reader's login: an "image" at /logout would log
        # out every member of the staff who opens the ticket.
        ticket = self.open_ticket(
            text=f'<p>Hi <img src="{self.portal_url}/logout"></p>'
            '<p><img src="/plone/logout?next=x.png"><img src="../../logout"></p>'
            '<p><img src="/plone/@@images/../logout">'
            '<img src="/plone/resolveuid/%2E%2e/logout"></p>'
        )
        browser = browser_for(self.layer, STAFF)
        browser.open(ticket.absolute_url())
        self.assertIsNone(re.search(r"<img[^>]*logout", browser.contents))
        self.assertEqual(browser.contents.count("Remote image (click to open)"), 5)
        self.assertIn('href="/plone/logout?next=x.png"', browser.contents)

    def test_customer_and_staff_see_the_link_on_the_ticket_page(self):
        ticket = self.open_ticket(text=REMOTE_HTML)
        for who in (CUSTOMER, STAFF):
            browser = browser_for(self.layer, who)
            browser.open(ticket.absolute_url())
            self.assertIn("Remote image (click to open)", browser.contents, who)
            self.assertNotIn(f'src="{REMOTE}"', browser.contents, who)

    def test_escaped_markup_before_a_remote_image_stays_text(self):
        # The text before the first element: lxml hands it back unescaped.
        ticket = self.open_ticket(
            text=f'&lt;script&gt;alert(1)&lt;/script&gt;<img src="{REMOTE}">'
        )
        html = tickets.conversation(ticket)[0].text
        self.assertNotIn("<script", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        for who in (CUSTOMER, STAFF):
            browser = browser_for(self.layer, who)
            browser.open(ticket.absolute_url())
            self.assertNotIn("<script>alert(1)", browser.contents, who)

    def test_the_link_is_translated(self):
        ticket = self.open_ticket(text=REMOTE_HTML)
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        transaction.commit()
        browser = browser_for(self.layer, STAFF)
        browser.open(ticket.absolute_url())
        self.assertIn("Imagen externa (pulse para abrirla)", browser.contents)
        api.portal.set_registry_record("plone.default_language", "en")
        transaction.commit()
        browser = browser_for(self.layer, STAFF)
        browser.open(ticket.absolute_url())
        self.assertIn("Remote image (click to open)", browser.contents)

    def test_other_customer_and_anonymous_see_nothing(self):
        ticket = self.open_ticket(text=REMOTE_HTML)
        for who in (OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, who)
            browser.open(ticket.absolute_url())
            self.assertNotIn("See the screenshot.", browser.contents, who)
            self.assertNotIn("elsewhere.example", browser.contents, who)
