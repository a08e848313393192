"""Odd requests get a clear 4xx, never a 500, and what a message holds is
judged by what will be shown.

plone.namedfile's ``@@download``, ``@@display-file`` and ``@@images`` views
answer for every content object; pointed at a ticket's list of attachments
(which they cannot serve) they failed with a 500. The listing macros page
was a view on ``*`` that failed when called by itself. A subject with a line
break, a message that the safe-HTML filter empties and a huge message are
refused with a message that says what to do, on the form, in the Python API
and through REST alike.
"""

from collective.tickets import api as tickets
from collective.tickets.core.errors import TicketInputError
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import PDF
from helpers import PNG
from helpers import post_multipart
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import json
import transaction
import unittest


SECRET = "Secret words 6603"
WHO = (None, OTHER_CUSTOMER, CUSTOMER, STAFF)
# Anonymous is sent to log in, the other customer is refused: both see no data.
REFUSED = (302, 401, 403, 404)


def status(browser):
    return int(browser.headers["status"].split()[0])


class RobustnessTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()

    def open_ticket(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(
                "Broken login",
                f"<p>{SECRET}</p>",
                attachments=[
                    ("secret.pdf", PDF, "application/pdf"),
                    ("shot.png", PNG, "image/png"),
                ],
            )
            reply = tickets.reply(
                ticket, "<p>More</p>", [("shot.png", PNG, "image/png")]
            )
        transaction.commit()
        return ticket, reply

    def get(self, userid, url):
        browser = browser_for(self.layer, userid)
        browser.followRedirects = False
        browser.open(url)
        body = browser.contents
        return status(browser), body if isinstance(body, str) else body.decode(
            "latin-1"
        )

    def submit_new_ticket(self, userid=CUSTOMER, **kw):
        browser = browser_for(self.layer, userid)
        browser.open(self.portal_url + "/@@new-ticket")
        post_multipart(
            browser,
            self.portal_url + "/@@new-ticket",
            new_ticket_fields(authenticator(browser), **kw),
        )
        return browser

    def ticket_count(self):
        return len(api.content.find(portal_type="Ticket", unrestricted=True))

    def set_limit(self, kilobytes):
        api.portal.set_registry_record(
            "max_message_size", kilobytes, interface=ITicketSettings
        )
        transaction.commit()

    def rest_post(self, userid, url, body):
        browser = browser_for(self.layer, userid)
        browser.addHeader("Accept", "application/json")
        browser.post(url, json.dumps(body), "application/json")
        return status(browser), json.loads(browser.contents)


class TestFileViewsOnTickets(RobustnessTestCase):
    def test_file_views_answer_404_for_what_is_no_single_file(self):
        ticket, reply = self.open_ticket()
        paths = [
            f"/@@{view}/{field}{tail}"
            for view in ("download", "display-file", "images")
            for field in ("attachments", "cc_recipients", "text", "title")
            for tail in ("", "/secret.pdf")
        ] + [
            "/@@images/attachments/thumb",
            "/@@images/attachments.png",
            "/@@download",
            "/@@display-file",
        ]
        for obj in (ticket, reply):
            for path in paths:
                url = obj.absolute_url() + path
                for who in WHO:
                    code, body = self.get(who, url)
                    if who in (CUSTOMER, STAFF):
                        self.assertEqual(code, 404, (who, url))
                    else:
                        self.assertIn(code, REFUSED, (who, url))
                    self.assertNotIn("%PDF", body, (who, url))
                    self.assertNotIn("PNG", body, (who, url))
                    self.assertNotIn(SECRET, body, (who, url))
        # The attachments are served where the ticket page links them.
        code, body = self.get(
            CUSTOMER, ticket.absolute_url() + "/@@attachment/0/secret.pdf"
        )
        self.assertEqual(code, 200)
        self.assertTrue(body.startswith("%PDF"))
        code, body = self.get(STAFF, reply.absolute_url() + "/@@attachment/thumb/0")
        self.assertEqual(code, 200)


class TestListingMacros(RobustnessTestCase):
    def test_listing_macros_page_called_directly_is_a_404(self):
        ticket, reply = self.open_ticket()
        for base in (self.portal_url, ticket.absolute_url()):
            for who in WHO:
                code, body = self.get(who, base + "/@@ticket-listing-macros")
                self.assertEqual(code, 404, (who, base))
                self.assertNotIn(SECRET, body)
                self.assertNotIn("Broken login", body)
        # The listings still use its macros.
        for who, page in ((CUSTOMER, "/@@my-tickets"), (STAFF, "/@@tickets")):
            code, body = self.get(who, self.portal_url + page)
            self.assertEqual(code, 200, page)
            self.assertIn("Broken login", body, page)


class TestSubjectOnOneLine(RobustnessTestCase):
    def test_form_api_and_rest_say_the_subject_must_be_a_single_line(self):
        for subject in ("Broken\nlogin", "Broken\r\nlogin", "Broken\rlogin"):
            browser = self.submit_new_ticket(subject=subject, text="<p>Help</p>")
            self.assertIn("The subject must be a single line.", browser.contents)
            self.assertNotIn("Constraint not satisfied", browser.contents)
        with (
            as_user(self.portal, CUSTOMER),
            self.assertRaises(TicketInputError) as raised,
        ):
            tickets.create("Broken\nlogin", "<p>Help</p>")
        self.assertEqual(raised.exception.field, "title")
        self.assertEqual(str(raised.exception), "The subject must be a single line.")
        code, data = self.rest_post(
            CUSTOMER,
            self.portal_url + "/@tickets",
            {"title": "Broken\nlogin", "text": "<p>Help</p>"},
        )
        self.assertEqual(code, 400)
        self.assertEqual(
            json.loads(data["message"]),
            [
                {
                    "message": "The subject must be a single line.",
                    "field": "title",
                    "error": "ValidationError",
                }
            ],
        )
        self.assertEqual(self.ticket_count(), 0)


# Each is what the safe-HTML filter leaves nothing visible of.
INVISIBLE = [
    '<iframe src="https://evil.example.org/"></iframe>',
    '<video src="https://example.org/v.mp4"></video>',
    '<object data="https://example.org/x.swf"></object>',
    '<embed src="https://example.org/x.swf">',
    "<script>alert(1)</script>",
    "<p><style>p { color: red }</style></p>",
    '<form action="https://evil.example.org/"><input name="x"></form>',
    '<img src="javascript:alert(1)">',
    "<p>&nbsp;</p><p><br></p>",
]


class TestBlankMessages(RobustnessTestCase):
    def test_blank_is_what_the_filter_leaves_nothing_of(self):
        for html in INVISIBLE:
            self.assertTrue(tickets.is_blank_html(html), html)
        for html in (
            "<p>Hi</p>",
            '<p><img src="https://example.org/a.png" alt=""></p>',
            "<iframe></iframe><p>Text after</p>",
        ):
            self.assertFalse(tickets.is_blank_html(html), html)

    def test_new_ticket_form_refuses_a_message_the_filter_empties(self):
        for html in INVISIBLE:
            browser = self.submit_new_ticket(subject="Blank", text=html)
            self.assertIn("Write a message.", browser.contents, html)
        self.assertEqual(self.ticket_count(), 0)

    def test_reply_form_api_and_rest_refuse_it(self):
        ticket, reply = self.open_ticket()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        browser.getControl(name="reply.widgets.text").value = INVISIBLE[0]
        browser.getControl("Send reply").click()
        self.assertIn("Write a message.", browser.contents)
        with as_user(self.portal, STAFF), self.assertRaises(TicketInputError) as raised:
            tickets.reply(ticket, INVISIBLE[1])
        self.assertEqual(raised.exception.field, "text")
        self.assertEqual(str(raised.exception), "Write a message.")
        code, data = self.rest_post(
            CUSTOMER, ticket.absolute_url() + "/@reply", {"text": INVISIBLE[3]}
        )
        self.assertEqual(code, 400)
        (problem,) = json.loads(data["message"])
        self.assertEqual(problem["field"], "text")
        self.assertEqual(problem["message"], "Write a message.")
        code, data = self.rest_post(
            CUSTOMER,
            self.portal_url + "/@tickets",
            {"title": "Blank", "text": INVISIBLE[4]},
        )
        self.assertEqual(code, 400)
        (problem,) = json.loads(data["message"])
        self.assertEqual(problem["message"], "Write a message.")
        transaction.begin()
        self.assertEqual(len(tickets.conversation(ticket)), 2)


class TestEditForms(RobustnessTestCase):
    def test_editing_a_message_is_checked_as_writing_it(self):
        self.set_limit(5)
        ticket, reply = self.open_ticket()
        browser = browser_for(self.layer, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        for obj in (ticket, reply):
            for html, error in (
                (INVISIBLE[0], "Write a message."),
                (message_of(6), "The message is 6 KB; at most 5 KB are allowed."),
            ):
                browser.open(obj.absolute_url() + "/@@edit")
                browser.getControl(name="form.widgets.text").value = html
                browser.getControl("Save").click()
                self.assertIn(error, browser.contents, obj)
                self.assertNotIn("Constraint not satisfied", browser.contents)
        transaction.begin()
        self.assertIn(SECRET, ticket.text.raw)
        self.assertEqual(reply.text.raw, "<p>More</p>")

    def test_editing_the_subject_says_it_must_be_a_single_line(self):
        ticket, reply = self.open_ticket()
        browser = browser_for(self.layer, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        browser.open(ticket.absolute_url() + "/@@edit")
        browser.getControl(name="form.widgets.title").value = "Two\nlines"
        browser.getControl("Save").click()
        self.assertIn("The subject must be a single line.", browser.contents)
        transaction.begin()
        self.assertEqual(ticket.title, "Broken login")


def message_of(kilobytes):
    """A message of exactly ``kilobytes`` KB of UTF-8 (each "é" is 2 bytes)."""
    return "<p>" + "é" * ((kilobytes * 1024 - 7) // 2) + "x</p>"


class TestMessageSize(RobustnessTestCase):
    def test_api_counts_utf8_bytes_of_the_html_as_sent(self):
        self.set_limit(10)
        self.assertEqual(len(message_of(10).encode()), 10 * 1024)
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Long", message_of(10))
            with self.assertRaises(TicketInputError) as raised:
                tickets.reply(ticket, message_of(10) + "<p>more</p>")
        self.assertEqual(raised.exception.field, "text")
        self.assertEqual(
            str(raised.exception),
            "The message is 11 KB; at most 10 KB are allowed. Attach long texts "
            "as a file.",
        )

    def test_new_ticket_form_refuses_a_message_over_the_default_limit(self):
        browser = self.submit_new_ticket(subject="Long", text=message_of(201))
        self.assertEqual(status(browser), 200)
        self.assertIn(
            "The message is 201 KB; at most 200 KB are allowed.", browser.contents
        )
        self.assertEqual(self.ticket_count(), 0)
        browser = self.submit_new_ticket(subject="Long", text=message_of(200))
        self.assertIn("Your ticket has been opened.", browser.contents)

    def test_a_message_over_zopes_form_limit_gets_the_same_message(self):
        # Zope keeps at most 1 MB of form fields in memory: a limit set above
        # it must still answer with the message's own error.
        self.set_limit(4000)
        browser = self.submit_new_ticket(subject="Huge", text=message_of(4001))
        self.assertEqual(status(browser), 200)
        self.assertIn(
            "The message is 4001 KB; at most 4000 KB are allowed.", browser.contents
        )
        browser = self.submit_new_ticket(subject="Huge", text=message_of(1500))
        self.assertIn("Your ticket has been opened.", browser.contents)

    def test_reply_form_and_rest_refuse_it(self):
        self.set_limit(5)
        ticket, reply = self.open_ticket()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        browser.getControl(name="reply.widgets.text").value = message_of(6)
        browser.getControl("Send reply").click()
        self.assertIn(
            "The message is 6 KB; at most 5 KB are allowed.", browser.contents
        )
        code, data = self.rest_post(
            STAFF, ticket.absolute_url() + "/@reply", {"text": message_of(6)}
        )
        self.assertEqual(code, 400)
        (problem,) = json.loads(data["message"])
        self.assertEqual(problem["field"], "text")
        self.assertIn("at most 5 KB are allowed", problem["message"])
        transaction.begin()
        self.assertEqual(len(tickets.conversation(ticket)), 2)
