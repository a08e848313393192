"""Bulk import (``core/importer.py``): JSON lines and an old support mailbox,
into a real ZODB with commits, as ``tickets-import`` runs it."""

from collective.tickets import api as tickets
from collective.tickets.core import importer
from collective.tickets.core.conversation import author_name
from collective.tickets.core.desk import priority
from collective.tickets.core.sla import closed_at
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from datetime import datetime
from datetime import UTC
from email.message import EmailMessage
from helpers import as_user
from helpers import PDF
from helpers import set_setting
from plone import api
from Products.CMFPlone.CatalogTool import CatalogTool
from unittest import mock

import base64
import json
import mailbox
import tempfile
import unittest


def line(**record):
    return json.dumps(record)


def ticket_record(key="old-1", **extra):
    record = {
        "id": key,
        "customer": "customer1@example.com",
        "subject": "Printer jams",
        "messages": [
            {"date": "2024-03-01T09:15:00+01:00", "html": "<p>It jams on page 2.</p>"}
        ],
    }
    record.update(extra)
    return record


class ImportTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        SENT_MAIL.clear()

    def run_import(self, *records, raw_lines=()):
        lines = [*raw_lines, *(json.dumps(r) for r in records)]
        with api.env.adopt_roles(["Manager"]):
            return importer.import_tickets(lines, base=self.folder.name)

    def tickets(self):
        catalog = api.portal.get_tool("portal_catalog")
        return {
            brain.getObject().ticket_import_key: brain
            for brain in catalog.unrestrictedSearchResults(portal_type="Ticket")
        }


class TestJsonLines(ImportTestCase):
    def test_a_ticket_is_imported_with_its_whole_conversation(self):
        set_setting("categories", ["billing | Billing"])
        with open(f"{self.folder.name}/manual.pdf", "wb") as file:
            file.write(PDF)
        record = ticket_record(
            cc=[{"email": "boss@example.org", "name": "The Boss"}],
            category="billing",
            priority="high",
            assignee=STAFF,
            state="completed",
            closed="2024-03-04T10:00:00Z",
            closed_by=STAFF,
            rating={"score": 4, "comment": "Quick"},
            messages=[
                {
                    "date": "2024-03-01T09:15:00+01:00",
                    "html": "<p>It jams on <b>page 2</b>.</p>",
                    "attachments": [
                        {
                            "filename": "scan.pdf",
                            "data": base64.b64encode(PDF).decode(),
                        }
                    ],
                },
                {
                    "date": "2024-03-01T11:00:00Z",
                    "author": STAFF,
                    "text": "Use tray 3.\n\nSee the manual.",
                    "attachments": [{"filename": "manual.pdf", "path": "manual.pdf"}],
                },
                {
                    "date": "2024-03-02T08:00:00Z",
                    "author": "boss@example.org",
                    "name": "The Boss",
                    "text": "Thanks from me too.",
                },
                {
                    "date": "2024-03-03T08:00:00Z",
                    "author": CUSTOMER,
                    "html": "<p>Works now.</p>",
                },
            ],
        )
        report = self.run_import(record)
        self.assertEqual((report.imported, report.skipped, report.failed), (1, 0, []))
        brain = self.tickets()["old-1"]
        ticket = brain.getObject()
        self.assertEqual(ticket.title, "Printer jams")
        self.assertEqual(ticket.aq_parent.getId(), CUSTOMER)
        self.assertEqual(ticket.getOwnerTuple()[1], CUSTOMER)
        self.assertGreater(ticket.ticket_number, 0)
        self.assertEqual(
            ticket.created().asdatetime(), datetime(2024, 3, 1, 8, 15, tzinfo=UTC)
        )
        self.assertEqual(tickets.state(ticket), "completed")
        self.assertEqual(closed_at(ticket), datetime(2024, 3, 4, 10, 0, tzinfo=UTC))
        self.assertEqual(ticket.ticket_rating[0], 4)
        self.assertEqual(brain.ticket_customer, CUSTOMER)
        self.assertEqual(brain.review_state, "completed")
        self.assertEqual(priority(ticket), "high")
        self.assertEqual(brain.ticket_category, "billing")
        self.assertEqual(brain.ticket_reply_count, 3)
        self.assertEqual(brain.ticket_rating, 4)
        with as_user(self.portal, STAFF):
            messages = tickets.conversation(ticket)
            self.assertEqual(
                [author_name(m.obj) for m in messages],
                ["Carla Customer", "Sam Staff", "The Boss", "Carla Customer"],
            )
            self.assertEqual(
                [m.date for m in messages],
                [
                    datetime(2024, 3, 1, 8, 15, tzinfo=UTC),
                    datetime(2024, 3, 1, 11, 0, tzinfo=UTC),
                    datetime(2024, 3, 2, 8, 0, tzinfo=UTC),
                    datetime(2024, 3, 3, 8, 0, tzinfo=UTC),
                ],
            )
            self.assertIn("<b>page 2</b>", messages[0].text)
            self.assertIn("<p>Use tray 3.</p>", messages[1].text)
            self.assertEqual(
                [a.filename for a in messages[0].attachments], ["scan.pdf"]
            )
            self.assertEqual(
                [a.filename for a in messages[1].attachments], ["manual.pdf"]
            )
            self.assertEqual(
                ticket.cc_recipients,
                [{"email": "boss@example.org", "name": "The Boss"}],
            )
            self.assertEqual(tickets.assignee(ticket), STAFF)
        # Found by its words, read by its customer and the staff only.
        catalog = api.portal.get_tool("portal_catalog")
        with as_user(self.portal, CUSTOMER):
            self.assertEqual(
                len(catalog(SearchableText="tray", portal_type="Ticket")), 1
            )
            self.assertTrue(api.user.has_permission("View", obj=ticket))
        with as_user(self.portal, OTHER_CUSTOMER):
            self.assertEqual(len(catalog(portal_type="Ticket")), 0)
            self.assertFalse(api.user.has_permission("View", obj=ticket))
        # The past sends no mail.
        self.assertEqual(SENT_MAIL, [])

    def test_every_ticket_is_indexed_once_with_its_replies(self):
        calls = []
        original = CatalogTool.catalog_object

        def counted(catalog, obj, uid=None, *args, **kw):
            calls.append("/".join(obj.getPhysicalPath()))
            return original(catalog, obj, uid, *args, **kw)

        record = ticket_record(
            messages=[
                {"date": "2024-03-01T09:00:00Z", "text": "One"},
                {"date": "2024-03-01T10:00:00Z", "author": STAFF, "text": "Two"},
                {"date": "2024-03-01T11:00:00Z", "text": "Three"},
            ]
        )
        with mock.patch.object(CatalogTool, "catalog_object", counted):
            self.run_import(record, ticket_record("old-2"))
        # (The customer's member folder, made for the first ticket, too.)
        tickets_indexed = [
            path for path in calls if "/printer-jams" in path and "reply-" not in path
        ]
        self.assertEqual(len(tickets_indexed), 2, calls)
        self.assertEqual(len(set(tickets_indexed)), 2, calls)
        # Replies are not catalogued: their ticket's entry holds their words.
        self.assertEqual([path for path in calls if "reply-" in path], [], calls)

    def test_importing_again_imports_nothing_twice(self):
        records = [ticket_record(f"old-{n}") for n in range(5)]
        first = self.run_import(*records)
        self.assertEqual((first.imported, first.skipped), (5, 0))
        numbers = sorted(b.ticket_number for b in self.tickets().values())
        again = self.run_import(*records, ticket_record("old-new"))
        self.assertEqual((again.imported, again.skipped, again.failed), (1, 5, []))
        self.assertEqual(len(self.tickets()), 6)
        self.assertEqual(
            sorted(b.ticket_number for b in self.tickets().values())[:5], numbers
        )
        self.assertEqual(importer.imported_ticket("old-3").ticket_import_key, "old-3")

    def test_bad_lines_are_reported_by_number_and_leave_nothing(self):
        set_setting("categories", ["billing | Billing"])
        with open(f"{self.folder.name}/../outside.pdf", "wb") as file:
            file.write(PDF)
        bad = [
            ticket_record("b-1", customer="nobody@example.com"),
            ticket_record("b-2", category="printers"),
            ticket_record("b-3", messages=[{"date": "yesterday", "text": "x"}]),
            ticket_record(
                "b-4",
                messages=[
                    {"date": "2024-03-02T00:00:00Z", "text": "late"},
                    {"date": "2024-03-01T00:00:00Z", "text": "early"},
                ],
            ),
            ticket_record(
                "b-5",
                messages=[
                    {
                        "date": "2024-03-01T00:00:00Z",
                        "text": "x",
                        "attachments": [
                            {"filename": "outside.pdf", "path": "../outside.pdf"}
                        ],
                    }
                ],
            ),
            ticket_record(
                "b-6",
                messages=[
                    {"date": "2024-03-01T00:00:00Z", "text": "x"},
                    {
                        "date": "2024-03-02T00:00:00Z",
                        "author": OTHER_CUSTOMER,
                        "text": "I am not part of this",
                    },
                ],
            ),
            ticket_record("b-7", rating={"score": 5}),
            ticket_record("b-8", priority="asap"),
            ticket_record("b-9", messages=[{"date": "2024-03-01", "html": "<p> </p>"}]),
            {"customer": CUSTOMER, "subject": "No key", "messages": []},
        ]
        report = self.run_import(ticket_record("good"), *bad, raw_lines=["{not json"])
        self.assertEqual(report.imported, 1)
        reasons = dict(report.failed)
        self.assertEqual(sorted(reasons), [1, *range(3, 13)])
        self.assertIn("The line is no JSON", reasons[1])
        self.assertIn("'nobody@example.com' is no user of this site", reasons[3])
        self.assertIn("'printers' is not one of the categories: billing", reasons[4])
        self.assertIn("'yesterday' is not a date", reasons[5])
        self.assertIn("message 2 is older than the message before it", reasons[6])
        self.assertIn(
            "the file of 'outside.pdf' is not in the import's folder", reasons[7]
        )
        self.assertIn(
            f"'{OTHER_CUSTOMER}' is neither the customer nor staff", reasons[8]
        )
        self.assertIn("Only a completed ticket has a rating", reasons[9])
        self.assertIn("'asap' is not a priority", reasons[10])
        self.assertIn("Write a message", reasons[11])
        self.assertIn("Each ticket needs an 'id'", reasons[12])
        self.assertEqual(list(self.tickets()), ["good"])

    def test_only_site_managers_may_import(self):
        from AccessControl import Unauthorized

        for userid in (CUSTOMER, STAFF):
            with as_user(self.portal, userid):
                with self.assertRaises(Unauthorized):
                    tickets.import_tickets([json.dumps(ticket_record())])
                with self.assertRaises(Unauthorized):
                    tickets.import_mailbox(self.folder.name)
        self.assertEqual(self.tickets(), {})

    def test_errors_are_in_the_sites_language(self):
        api.portal.set_registry_record("plone.default_language", "es")
        report = self.run_import(ticket_record("x", customer="nadie@example.com"))
        ((_line, reason),) = report.failed
        self.assertIn("nadie@example.com", reason)
        self.assertNotIn("is no user of this site", reason)


def mail(
    sender, date, message_id, text, subject="Printer jams", reply_to=None, **headers
):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "soporte@example.com"
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = message_id
    if reply_to:
        message["In-Reply-To"] = reply_to
        message["References"] = reply_to
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


class TestMailbox(ImportTestCase):
    def setUp(self):
        super().setUp()
        set_setting("support_address", "soporte@example.com")
        # Listed out of order: the import goes by date.
        self.mails = [
            mail(
                "Carla <customer1@example.com>",
                "Tue, 02 Jan 2024 09:00:00 +0000",
                "<b@old.example>",
                "Thanks, tray 3 works.\n\nOn Mon, Sam wrote:\n> Use tray 3.",
                reply_to="<s@old.example>",
            ),
            mail(
                "Carla <customer1@example.com>",
                "Mon, 01 Jan 2024 09:00:00 +0000",
                "<a@old.example>",
                "The printer jams on page 2.",
            ),
            mail(
                "Sam <staff1@example.com>",
                "Mon, 01 Jan 2024 15:00:00 +0000",
                "<s@old.example>",
                "Use tray 3.",
                reply_to="<a@old.example>",
            ),
            mail(
                "Carla <customer1@example.com>",
                "Mon, 01 Jan 2024 16:00:00 +0000",
                "<auto@old.example>",
                "I am out of office.",
                reply_to="<s@old.example>",
                Auto_Submitted="auto-replied",
            ),
            mail(
                "Stranger <stranger@example.net>",
                "Mon, 01 Jan 2024 17:00:00 +0000",
                "<x@old.example>",
                "Buy my product.",
            ),
            mail(
                "Sam <staff1@example.com>",
                "Mon, 01 Jan 2024 18:00:00 +0000",
                "<y@old.example>",
                "A note to myself.",
            ),
        ]

    def write_mbox(self):
        path = f"{self.folder.name}/support.mbox"
        box = mailbox.mbox(path)
        for message in self.mails:
            box.add(message)
        box.close()
        return path

    def import_mailbox(self, path):
        with api.env.adopt_roles(["Manager"]):
            return importer.import_mailbox(path)

    def test_an_mbox_becomes_threaded_tickets_dated_as_written(self):
        path = self.write_mbox()
        report = self.import_mailbox(path)
        self.assertEqual((report.created, report.added, report.ignored), (1, 2, 1))
        refused = dict(report.refused)
        self.assertEqual(len(refused), 2)
        self.assertTrue(
            any("stranger@example.net has no account" in r for r in refused.values())
        )
        self.assertTrue(
            any(
                "is staff, and the mail answers no imported mail" in r
                for r in refused.values()
            )
        )
        catalog = api.portal.get_tool("portal_catalog")
        (brain,) = catalog.unrestrictedSearchResults(portal_type="Ticket")
        ticket = brain.getObject()
        with as_user(self.portal, STAFF):
            messages = tickets.conversation(ticket)
        self.assertEqual([m.author_id for m in messages], [CUSTOMER, STAFF, CUSTOMER])
        self.assertEqual(
            [m.date for m in messages],
            [
                datetime(2024, 1, 1, 9, 0, tzinfo=UTC),
                datetime(2024, 1, 1, 15, 0, tzinfo=UTC),
                datetime(2024, 1, 2, 9, 0, tzinfo=UTC),
            ],
        )
        # The quote is stripped as for live mail.
        self.assertIn("tray 3 works", messages[2].text)
        self.assertNotIn("&gt; Use tray 3", messages[2].text)
        self.assertEqual(
            brain.created.asdatetime(), datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
        )
        self.assertEqual(SENT_MAIL, [])
        # Again: every mail was stored before or is refused again.
        again = self.import_mailbox(path)
        self.assertEqual((again.created, again.added, again.ignored), (0, 0, 4))
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(portal_type="Ticket")), 1
        )

    def test_a_maildir_and_a_folder_of_eml_files(self):
        maildir = mailbox.Maildir(f"{self.folder.name}/Maildir", create=True)
        for message in self.mails[1:3]:
            maildir.add(message)
        report = self.import_mailbox(f"{self.folder.name}/Maildir")
        self.assertEqual((report.created, report.added), (1, 1))
        emls = f"{self.folder.name}/emls"
        import os

        os.mkdir(emls)
        for number, message in enumerate([self.mails[0]]):
            with open(f"{emls}/{number}.eml", "wb") as file:
                file.write(bytes(message))
        report = self.import_mailbox(emls)
        self.assertEqual((report.created, report.added), (0, 1))
        catalog = api.portal.get_tool("portal_catalog")
        (brain,) = catalog.unrestrictedSearchResults(portal_type="Ticket")
        self.assertEqual(brain.ticket_reply_count, 2)
