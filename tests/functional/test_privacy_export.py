"""A customer's copy of their tickets (issue 18): one ZIP from "My tickets"
for themselves and from the "Customer tickets" tab for the staff, with each
conversation readable and as JSON, never an internal note, for nobody else."""

from AccessControl import Unauthorized
from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from AccessControl.SpecialUsers import nobody
from collective.tickets import api as tickets
from collective.tickets.core.privacy import access
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import browser_for
from helpers import fetch
from helpers import PDF
from helpers import PNG
from helpers import set_setting
from html import escape
from plone import api
from urllib.parse import quote

import io
import json
import lxml.html
import os
import tracemalloc
import transaction
import unittest
import zipfile


def open_zip(data):
    return zipfile.ZipFile(io.BytesIO(data))


class ExportTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                "Printer jams",
                "<p>The printer jams on page two.</p>",
                cc=[{"email": "boss@example.com", "name": "The Boss"}],
                attachments=[("jam.pdf", PDF, "application/pdf")],
            )
        with as_user(self.portal, STAFF):
            tickets.reply(
                self.ticket,
                "<p>Please clean the rollers.</p>",
                attachments=[("rollers.pdf", PDF + b"%rollers", "application/pdf")],
            )
            tickets.add_note(self.ticket, "<p>SECRET-NOTE customer is rude</p>")
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.create("Scanner", "<p>OTHER-CUSTOMER-TEXT</p>")
        transaction.commit()

    def download(self, userid, url):
        browser = browser_for(self.layer, userid)
        browser.open(url)
        return browser

    def check_archive(self, data):
        archive = open_zip(data)
        names = archive.namelist()
        folder = next(n for n in names if n.endswith("/conversation.html"))
        folder = folder.rpartition("/")[0]
        page = archive.read(f"{folder}/conversation.html").decode("utf-8")
        self.assertIn("Printer jams", page)
        self.assertIn("The printer jams on page two.", page)
        self.assertIn("Please clean the rollers.", page)
        self.assertIn("boss@example.com", page)
        self.assertIn('href="attachments/0-0-jam.pdf"', page)
        self.assertIn('href="attachments/1-0-rollers.pdf"', page)
        self.assertEqual(archive.read(f"{folder}/attachments/0-0-jam.pdf"), PDF)
        self.assertEqual(
            archive.read(f"{folder}/attachments/1-0-rollers.pdf"), PDF + b"%rollers"
        )
        index = archive.read("index.html").decode("utf-8")
        self.assertIn(f'href="{folder}/conversation.html"', index)
        records = json.loads(archive.read("tickets.json"))
        self.assertEqual(len(records), 1)
        record = records[0]
        self.assertEqual(record["subject"], "Printer jams")
        self.assertEqual(record["customer"], CUSTOMER)
        self.assertEqual(record["state"], "in_progress")
        self.assertEqual(
            record["cc_recipients"], [{"email": "boss@example.com", "name": "The Boss"}]
        )
        self.assertEqual(
            [m["author_is_staff"] for m in record["messages"]], [False, True]
        )
        self.assertEqual(
            [f["path"] for m in record["messages"] for f in m["attachments"]],
            ["attachments/0-0-jam.pdf", "attachments/1-0-rollers.pdf"],
        )
        everything = b"".join(archive.read(name) for name in names)
        self.assertNotIn(b"SECRET-NOTE", everything)
        self.assertNotIn(b"OTHER-CUSTOMER-TEXT", everything)
        self.assertNotIn(b"Scanner", everything)
        return archive


class TestExportScreens(ExportTestCase):
    def test_a_customer_downloads_their_tickets_from_my_tickets(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@my-tickets")
        browser.getLink("Download my tickets (ZIP)").click()
        self.assertEqual(browser.headers["Content-Type"], "application/zip")
        self.assertIn("attachment;", browser.headers["Content-Disposition"])
        self.assertIn(f"tickets-{CUSTOMER}-", browser.headers["Content-Disposition"])
        self.assertIn("no-store", browser.headers["Cache-Control"])
        self.check_archive(browser.contents)

    def test_the_staff_download_a_customers_tickets_from_their_tab(self):
        browser = browser_for(self.layer, STAFF)
        browser.open(f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}")
        browser.getLink("Download all their tickets (ZIP)").click()
        self.assertEqual(browser.headers["Content-Type"], "application/zip")
        self.check_archive(browser.contents)

    def test_the_export_speaks_spanish_to_a_spanish_reader(self):
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@tickets-archive")
        archive = open_zip(browser.contents)
        index = archive.read("index.html").decode("utf-8")
        self.assertIn('<html lang="es">', index)
        self.assertIn("Sus tickets de soporte", index)
        self.assertIn("Una copia de los tickets de soporte de", index)
        folder = json.loads(archive.read("tickets.json"))[0]["folder"]
        page = archive.read(f"{folder}/conversation.html").decode("utf-8")
        self.assertIn("En curso", page)
        self.assertIn("Equipo de soporte", page)

    def test_the_other_customer_gets_nothing(self):
        status, body = fetch(
            self.layer,
            OTHER_CUSTOMER,
            f"{self.portal_url}/@@tickets-archive?userid={CUSTOMER}",
        )
        self.assertIn(status, (302, 401, 403))
        self.assertNotIn("Printer jams", body)
        # Their own export holds their ticket alone.
        browser = self.download(OTHER_CUSTOMER, self.portal_url + "/@@tickets-archive")
        archive = open_zip(browser.contents)
        records = json.loads(archive.read("tickets.json"))
        self.assertEqual([r["subject"] for r in records], ["Scanner"])
        self.assertNotIn(
            b"Printer", b"".join(archive.read(n) for n in archive.namelist())
        )

    def test_anonymous_is_sent_to_log_in(self):
        for url in (
            self.portal_url + "/@@tickets-archive",
            f"{self.portal_url}/@@tickets-archive?userid={CUSTOMER}",
        ):
            status, body = fetch(self.layer, None, url)
            self.assertIn(status, (302, 401))
            self.assertNotIn("PK", body[:2])

    def test_the_customer_tab_link_is_for_the_staff_only(self):
        status, body = fetch(
            self.layer,
            CUSTOMER,
            f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}",
        )
        self.assertIn(status, (302, 401, 403))
        self.assertNotIn("Download all their tickets", body)


class TestExportApi(ExportTestCase):
    def test_only_the_customer_and_the_staff_may_export(self):
        with (
            as_user(self.portal, CUSTOMER),
            tickets.export_customer(CUSTOMER) as archive,
        ):
            self.check_archive(archive.read())
        with (
            as_user(self.portal, STAFF),
            tickets.export_customer(CUSTOMER) as archive,
        ):
            self.check_archive(archive.read())
        with as_user(self.portal, OTHER_CUSTOMER), self.assertRaises(Unauthorized):
            tickets.export_customer(CUSTOMER)
        before = getSecurityManager()
        newSecurityManager(None, nobody)
        try:
            with self.assertRaises(Unauthorized):
                tickets.export_customer(CUSTOMER)
            with self.assertRaises(Unauthorized):
                tickets.export_customer(None)
        finally:
            setSecurityManager(before)

    def test_a_customer_without_tickets_gets_an_archive_that_says_so(self):
        with (
            as_user(self.portal, STAFF),
            tickets.export_customer("customer-without-tickets") as archive,
        ):
            data = archive.read()
        archive = open_zip(data)
        self.assertEqual(json.loads(archive.read("tickets.json")), [])
        self.assertIn("There are no tickets.", archive.read("index.html").decode())

    def test_the_archive_is_written_in_chunks_not_held_in_memory(self):
        set_setting("max_tickets_per_hour", 0)
        set_setting("max_tickets_per_day", 0)
        size = 1 << 20
        count = 40
        with as_user(self.portal, CUSTOMER):
            for index in range(count):
                # Random bytes: compression cannot make them small.
                tickets.create(
                    f"Scan {index}",
                    "<p>Scanned.</p>",
                    attachments=[(f"scan{index}.pdf", PDF + os.urandom(size), None)],
                )
        transaction.commit()
        with as_user(self.portal, CUSTOMER):
            tracemalloc.start()
            try:
                archive = tickets.export_customer(CUSTOMER)
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        with archive:
            archive.seek(0, 2)
            written = archive.tell()
        # Over 40 MB written; never more than a few MB held at once.
        self.assertGreater(written, count * size)
        self.assertLess(peak, 8 * (1 << 20))


class TestExportFileNames(ExportTestCase):
    """A mailed-in file is named by whoever sent it: the name must not break
    out of the page that links to it, nor be refused by the system that
    unpacks the archive."""

    IMAGE = 'a"b onerror=alert(1) <x>.png'
    LOG = "con:1?.txt"
    EVIL = 'evil".pdf'

    def setUp(self):
        super().setUp()
        with as_user(self.portal, CUSTOMER):
            self.odd = tickets.create(
                "Odd names",
                '<p>Look: <img src="@@attachment/0/shot.png" alt="shot"> and '
                '<a href="@@attachment/1/con.txt?download=1">the log</a>.</p>',
                attachments=[(self.IMAGE, PNG, "image/png"), (self.LOG, b"log", None)],
            )
        reply_url = f"{self.odd.absolute_url()}/reply-1"
        with as_user(self.portal, STAFF):
            tickets.reply(
                self.odd,
                f'<p>See <a href="{reply_url}/@@attachment/0/{quote(self.EVIL)}'
                '?download=1">the form</a>.</p>',
                attachments=[(self.EVIL, PDF, "application/pdf")],
            )
        transaction.commit()

    def test_attachment_names_are_safe_in_the_page_and_on_any_disk(self):
        with as_user(self.portal, CUSTOMER), tickets.export_customer(CUSTOMER) as out:
            archive = open_zip(out.read())
        for name in archive.namelist():
            self.assertTrue(name.isascii(), name)
            self.assertFalse(set(name) & set('"<>:?*\\|'), name)
            for part in name.split("/"):
                self.assertFalse(part.endswith((".", " ")), name)
        record = next(
            r
            for r in json.loads(archive.read("tickets.json"))
            if r["subject"] == "Odd names"
        )
        folder = record["folder"]
        files = [m["attachments"] for m in record["messages"]]
        self.assertEqual(
            [[(f["filename"], f["path"]) for f in group] for group in files],
            [
                [
                    (self.IMAGE, "attachments/0-0-ab-onerror-alert-1-x.png"),
                    (self.LOG, "attachments/0-1-con-1.txt"),
                ],
                [(self.EVIL, "attachments/1-0-evil.pdf")],
            ],
        )
        image, log = files[0]
        evil = files[1][0]
        self.assertEqual(archive.read(f"{folder}/{image['path']}"), PNG)
        self.assertEqual(archive.read(f"{folder}/{log['path']}"), b"log")
        self.assertEqual(archive.read(f"{folder}/{evil['path']}"), PDF)

        html = archive.read(f"{folder}/conversation.html").decode("utf-8")
        page = lxml.html.document_fromstring(html)
        self.assertEqual(page.xpath("//*[@onerror]"), [])
        self.assertEqual(page.xpath("//x"), [])
        [img] = page.xpath("//article//img")
        self.assertEqual(img.get("src"), quote(image["path"]))
        links = {a.text_content(): a.get("href") for a in page.xpath("//article//a")}
        self.assertEqual(links["the log"], quote(log["path"]))
        self.assertEqual(links["the form"], quote(evil["path"]))
        # The list under each message: the name as sent, the file in the
        # archive.
        for item in (image, log, evil):
            self.assertEqual(links[item["filename"]], quote(item["path"]))
            self.assertIn(f">{escape(item['filename'])}</a>", html)
        # The JSON has the same local links.
        self.assertIn(f'src="{quote(image["path"])}"', record["messages"][0]["html"])


class TestExportIsRecorded(ExportTestCase):
    def record(self, ticket):
        transaction.begin()
        with api.env.adopt_roles(["Manager"]):
            return [(e.userid, e.kind) for e in access.access_record(ticket)]

    def test_a_staff_export_is_an_access_to_each_ticket(self):
        with as_user(self.portal, CUSTOMER):
            second = tickets.create("Toner", "<p>Toner is low.</p>")
        transaction.commit()
        url = f"{self.portal_url}/@@tickets-archive?userid={CUSTOMER}"
        for _time in range(2):
            browser = self.download(STAFF, url)
            # A download by a link (a GET): no confirmation page of
            # plone.protect in the way.
            self.assertEqual(browser.headers["status"].split()[0], "200")
            self.assertEqual(browser.headers["Content-Type"], "application/zip")
            records = json.loads(open_zip(browser.contents).read("tickets.json"))
            self.assertEqual(
                sorted(r["subject"] for r in records), ["Printer jams", "Toner"]
            )
        for ticket in (self.ticket, second):
            # Once within the quarter hour, however often downloaded.
            self.assertEqual(self.record(ticket), [(STAFF, access.EXPORT)])

    def test_a_customers_own_export_is_not_recorded(self):
        browser = self.download(CUSTOMER, self.portal_url + "/@@tickets-archive")
        self.assertEqual(browser.headers["Content-Type"], "application/zip")
        self.check_archive(browser.contents)
        self.assertEqual(self.record(self.ticket), [])
