"""The record of the staff's access to a ticket (issue 18): who opened its
page, its files and its original mails, and when; read by managers only."""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core.privacy import access
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import browser_for
from helpers import fetch
from helpers import PDF
from unittest import mock

import transaction
import unittest


class TestRecordOfAccess(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                "Printer jams",
                "<p>It jams.</p>",
                attachments=[("jam.pdf", PDF, "application/pdf")],
            )
        transaction.commit()
        self.url = self.ticket.absolute_url()

    def record(self):
        transaction.begin()
        with as_user(self.portal, MANAGER):
            return [
                (entry.userid, entry.kind, entry.detail)
                for entry in tickets.access_record(self.ticket)
            ]

    def test_the_staffs_reading_is_recorded_once_per_quarter_hour(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(self.url)
        self.assertIn("It jams.", staff.contents)
        staff.open(self.url)
        self.assertEqual(self.record(), [(STAFF, access.PAGE, "")])

    def test_customers_reading_their_tickets_are_not_recorded(self):
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.url)
        customer.open(self.url + "/@@attachment/0/jam.pdf")
        contents = customer.contents
        self.assertEqual(
            contents.encode() if isinstance(contents, str) else contents, PDF
        )
        status, _body = fetch(self.layer, OTHER_CUSTOMER, self.url)
        self.assertIn(status, (302, 401, 403))
        self.assertEqual(self.record(), [])

    def test_a_file_download_is_recorded_with_its_name_a_thumbnail_is_not(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(self.url + "/@@attachment/0/jam.pdf")
        self.assertEqual(
            self.record(), [(STAFF, access.FILE, f"{self.ticket.getId()}/0/jam.pdf")]
        )

    def test_an_image_shown_in_the_text_is_part_of_the_page(self):
        from helpers import PNG

        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(
                "Screen",
                '<p>See <img src="@@attachment/0/screen.png"></p>',
                attachments=[("screen.png", PNG, "image/png")],
            )
        transaction.commit()
        # The browser loads it as an image (Fetch Metadata): the page is
        # recorded, not each picture in it.
        staff = browser_for(self.layer, STAFF)
        staff.addHeader("Sec-Fetch-Dest", "image")
        staff.open(ticket.absolute_url() + "/@@attachment/0/screen.png")
        transaction.begin()
        with as_user(self.portal, MANAGER):
            self.assertEqual(tickets.access_record(ticket), [])
        staff.open(self.url + "/@@attachment/0/jam.pdf")
        # The browser's word is taken for an image the text shows, for no
        # other file: this PDF is recorded however it is asked for.
        self.assertEqual(len(self.record()), 1)

    def test_reading_a_ticket_through_the_rest_api_is_recorded(self):
        status, body = fetch(self.layer, STAFF, self.url, json=True)
        self.assertEqual(status, 200)
        self.assertIn("It jams.", body)
        status, _body = fetch(self.layer, CUSTOMER, self.url, json=True)
        self.assertEqual(status, 200)
        status, _body = fetch(self.layer, OTHER_CUSTOMER, self.url, json=True)
        self.assertIn(status, (401, 403, 404))
        self.assertEqual(self.record(), [(STAFF, access.API, "")])
        with as_user(self.portal, STAFF):
            reply = tickets.reply(self.ticket, "<p>On it.</p>")
        transaction.commit()
        status, body = fetch(self.layer, STAFF, reply.absolute_url(), json=True)
        self.assertEqual(status, 200)
        self.assertIn((STAFF, access.API, reply.getId()), self.record())

    def test_managers_read_the_record_from_the_ticket(self):
        browser_for(self.layer, STAFF).open(self.url + "/@@attachment/0/jam.pdf")
        browser_for(self.layer, STAFF).open(self.url)
        manager = browser_for(self.layer, MANAGER)
        manager.open(self.url)
        manager.getLink("Who of the staff opened this ticket and its files").click()
        self.assertIn("Record of access", manager.contents)
        self.assertIn("File: jam.pdf", manager.contents)
        self.assertIn("The ticket&#x27;s page", manager.contents.replace("'", "&#x27;"))
        self.assertIn(f"({STAFF})", manager.contents)
        # The manager's own reading is in it too, newest first.
        self.assertEqual(
            [kind for _userid, kind, _detail in self.record()],
            [access.PAGE, access.PAGE, access.FILE],
        )
        admin = browser_for(self.layer, SITE_ADMIN)
        admin.open(self.url + "/@@access-record")
        self.assertIn("File: jam.pdf", admin.contents)

    def test_only_managers_may_read_the_record(self):
        browser_for(self.layer, STAFF).open(self.url)
        staff = browser_for(self.layer, STAFF)
        staff.open(self.url)
        self.assertNotIn("@@access-record", staff.contents)
        for userid in (STAFF, CUSTOMER, OTHER_CUSTOMER, None):
            status, body = fetch(self.layer, userid, self.url + "/@@access-record")
            self.assertIn(status, (302, 401, 403), userid)
            self.assertNotIn(f"({STAFF})", body)
        for userid in (STAFF, CUSTOMER):
            with as_user(self.portal, userid), self.assertRaises(Unauthorized):
                tickets.access_record(self.ticket)

    def test_the_same_access_after_the_window_is_a_new_entry(self):
        start = 1_800_000_000.0
        with (
            as_user(self.portal, STAFF),
            mock.patch.object(access.time, "time") as clock,
        ):
            clock.return_value = start
            self.assertTrue(access.record_access(self.ticket, access.PAGE))
            clock.return_value = start + access.WINDOW - 1
            self.assertFalse(access.record_access(self.ticket, access.PAGE))
            # Another thing opened within the window is recorded.
            self.assertTrue(access.record_access(self.ticket, access.MAIL, "reply-1"))
            clock.return_value = start + access.WINDOW + 1
            self.assertTrue(access.record_access(self.ticket, access.PAGE))
        transaction.commit()
        self.assertEqual(
            self.record(),
            [
                (STAFF, access.PAGE, ""),
                (STAFF, access.MAIL, "reply-1"),
                (STAFF, access.PAGE, ""),
            ],
        )
