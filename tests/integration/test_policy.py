"""The "Tickets settings": attachment policy and who may close tickets."""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core.attachments import clean_filename
from collective.tickets.core.attachments import sniff_content_type
from collective.tickets.core.errors import TicketInputError
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import PDF
from helpers import PNG
from helpers import post_multipart
from plone import api

import transaction
import unittest


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
ZIP = b"PK\x03\x04" + b"\x00" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256))


def set_setting(name, value):
    api.portal.set_registry_record(name, value, interface=ITicketSettings)


class TestSniffing(unittest.TestCase):
    def test_the_content_decides_the_type(self):
        cases = [
            ("report.pdf", PDF, "application/pdf"),
            ("photo.jpg", PNG, "image/png"),
            (
                "letter.docx",
                ZIP,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("sheet.ods", ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
            ("archive.zip", ZIP, "application/zip"),
            ("renamed.pdf", ZIP, "application/zip"),
            ("old.doc", OLE, "application/msword"),
            ("old.xls", OLE, "application/vnd.ms-excel"),
            ("data.csv", b"a;b\n1;2\n", "text/csv"),
            ("notes.txt", "Año nuevo".encode(), "text/plain"),
            ("invoice.pdf", EXE, "application/octet-stream"),
            ("page.txt", b"<!DOCTYPE html><p>x</p>", "text/html"),
            ("pic.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
            ("x.txt", b"hello <script>alert(1)</script>", "text/html"),
            ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
        ]
        for name, data, expected in cases:
            self.assertEqual(sniff_content_type(name, data), expected, name)

    def test_file_names_are_cleaned(self):
        self.assertEqual(clean_filename("C:\\Users\\me\\report.pdf"), "report.pdf")
        self.assertEqual(clean_filename("../../etc/passwd"), "passwd")
        self.assertEqual(clean_filename("bad\x00\r\nname.txt"), "badname.txt")
        long_name = clean_filename("a" * 1000 + ".pdf")
        self.assertEqual(len(long_name), 120)
        self.assertTrue(long_name.endswith(".pdf"))
        self.assertEqual(clean_filename("..."), "attachment")


class TestPolicy(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def create(self, attachments):
        with as_user(self.portal, CUSTOMER):
            return tickets.create("Files", "<p>files</p>", attachments=attachments)

    def test_too_large_names_the_file_and_the_limit(self):
        set_setting("max_file_size", 1)
        big = PDF + b"0" * (1024 * 1024 + 1)
        with self.assertRaisesRegex(
            TicketInputError, r"The file 'big.pdf' is 1.0 MB; at most 1 MB are allowed"
        ):
            self.create([("small.pdf", PDF, None), ("big.pdf", big, None)])
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 0)

    def test_too_many_files(self):
        set_setting("max_files", 2)
        with self.assertRaisesRegex(
            TicketInputError, "You attached 3 files; at most 2"
        ):
            self.create([(f"{n}.pdf", PDF, None) for n in range(3)])

    def test_type_not_allowed_names_the_file_and_the_accepted_types(self):
        with self.assertRaisesRegex(
            TicketInputError,
            r"The file 'invoice.pdf' is of type application/octet-stream, which is "
            r"not accepted here. Accepted types: .*application/pdf",
        ):
            self.create([("invoice.pdf", EXE, "application/pdf")])

    def test_the_same_policy_applies_to_replies(self):
        ticket = self.create([])
        set_setting("max_files", 1)
        with as_user(self.portal, STAFF), self.assertRaises(TicketInputError):
            tickets.reply(ticket, "<p>two files</p>", [("a.pdf", PDF), ("b.pdf", PDF)])
        self.assertEqual(len(tickets.conversation(ticket)), 1)

    def test_customers_may_close_setting(self):
        ticket = self.create([])
        set_setting("customers_may_close", False)
        with as_user(self.portal, CUSTOMER):
            self.assertFalse(tickets.may_close(ticket))
            with self.assertRaises(Unauthorized):
                tickets.close(ticket)
            workflow = api.portal.get_tool("portal_workflow")
            self.assertEqual([t["id"] for t in workflow.getTransitionsFor(ticket)], [])
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
        self.assertEqual(tickets.state(ticket), "completed")


class TestPolicyScreens(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url()

    def test_refused_file_keeps_everything_typed(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.url + "/@@new-ticket")
        post_multipart(
            browser,
            self.url + "/@@new-ticket",
            new_ticket_fields(
                authenticator(browser),
                subject="Keep me",
                text="<p>Keep this text too</p>",
                cc=[("boss@example.org", "Boss")],
                files=[("tool.pdf", EXE, "application/pdf")],
            ),
        )
        self.assertIn(
            "The file 'tool.pdf' is of type application/octet-stream", browser.contents
        )
        self.assertEqual(browser.getControl(name="form.widgets.title").value, "Keep me")
        self.assertIn(
            "Keep this text too", browser.getControl(name="form.widgets.text").value
        )
        self.assertIn('value="boss@example.org"', browser.contents)
        self.assertIn("These files were not attached", browser.contents)
        self.assertEqual(
            len(api.content.find(portal_type="Ticket", unrestricted=True)), 0
        )

    def test_close_button_follows_the_setting(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Close me", "<p>x</p>")
        set_setting("customers_may_close", False)
        transaction.commit()
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(ticket.absolute_url())
        self.assertNotIn("close-ticket", customer.contents)
        customer.post(
            ticket.absolute_url() + "/@@ticket-transition",
            f"transition=complete&_authenticator={authenticator(customer)}",
        )
        self.assertEqual(tickets.state(ticket), "in_progress")
        staff = browser_for(self.layer, STAFF)
        staff.open(ticket.absolute_url())
        self.assertIn("close-ticket", staff.contents)

    def test_control_panel(self):
        admin = browser_for(self.layer, SITE_ADMIN)
        admin.open(self.url + "/@@overview-controlpanel")
        self.assertIn("Tickets settings", admin.contents)
        admin.open(self.url + "/@@tickets-controlpanel")
        admin.getControl(name="form.widgets.max_files").value = "3"
        admin.getControl(name="form.widgets.customers_may_close:list").value = False
        admin.getControl(name="form.buttons.save").click()
        self.assertIn("Changes saved", admin.contents)
        transaction.begin()
        self.assertEqual(
            api.portal.get_registry_record("max_files", interface=ITicketSettings), 3
        )
        self.assertFalse(
            api.portal.get_registry_record(
                "customers_may_close", interface=ITicketSettings
            )
        )
        for who in (CUSTOMER, STAFF):
            browser = browser_for(self.layer, who)
            browser.open(self.url + "/@@tickets-controlpanel")
            self.assertIn("insufficient-privileges", browser.url)
