"""Journeys in a real Chromium, asserting what a person sees.

Under CI=true a missing browser fails the run; elsewhere these tests are
skipped with the reason, and ``make test`` installs Debian's Chromium first.

The journeys take the documentation's screenshots. They are written into
docs/_static/screenshots/ only under UPDATE_SCREENSHOTS=1 (``make
screenshots``, which also fails without Chromium); otherwise they go to a
temporary folder, so that ``make test`` leaves the working tree as it was.
"""

from collective.tickets import api as tickets
from collective.tickets.core import satisfaction
from collective.tickets.core.mailin.key import mail_in_key
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import PASSWORD
from collective.tickets.testing import SERVER_TESTING
from collective.tickets.testing import STAFF
from DateTime import DateTime
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from helpers import as_user
from helpers import PDF
from helpers import PNG
from pathlib import Path
from plone import api
from unittest import mock

import os
import random
import requests
import shutil
import tempfile
import transaction
import unittest


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "_static" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium is missing at {CHROMIUM}: make test installs it")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        raise RuntimeError(
            f"Chromium is missing at {CHROMIUM}: make screenshots installs it"
        )
    raise unittest.SkipTest("Chromium is not installed: run make test")


_scratch = None


def screenshot_folder():
    """docs/_static/screenshots/ under UPDATE_SCREENSHOTS=1, else a temporary
    folder removed when the run ends: the screenshots are still taken, so
    their code runs, but tracked files are rewritten only on request."""
    global _scratch
    if os.environ.get("UPDATE_SCREENSHOTS"):
        return SCREENSHOTS
    if _scratch is None:
        _scratch = tempfile.TemporaryDirectory(prefix="tickets-screenshots-")
    return Path(_scratch.name)


class BrowserTestCase(unittest.TestCase):
    layer = SERVER_TESTING

    @classmethod
    def setUpClass(cls):
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, args=ARGS
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()

    def setUp(self):
        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url()
        self.pages = []

    def tearDown(self):
        for page in self.pages:
            page.context.close()

    def login(self, userid, width=1280):
        context = self.browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        self.pages.append(page)
        page.goto(self.url + "/login")
        page.fill("#__ac_name", userid)
        page.fill("#__ac_password", PASSWORD)
        page.click("#buttons-login")
        page.wait_for_load_state("networkidle")
        return page

    def shot(self, page, name):
        """Save a full-page screenshot as <name>.png in screenshot_folder()."""
        folder = screenshot_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.assertTrue(path.read_bytes().startswith(PNG_SIGNATURE), path)
        return path

    def open_my_tickets_from_the_menu(self, page, on_ticket=False):
        if on_ticket:
            # A customer has no editing toolbar on their ticket: Plone's
            # member menu in the header instead.
            self.assertEqual(page.locator("#edit-zone").count(), 0)
            page.click("#portal-membertools #user-name")
            page.click("#membertools-personaltools-my_tickets a")
        else:
            page.click("#personaltools-menulink")
            page.click("#personaltools-my_tickets")
        page.wait_for_load_state("networkidle")

    def type_in_editor(self, page, text, bold=None, items=()):
        frame = page.frame_locator("iframe").first
        frame.locator("body").click()
        page.keyboard.type(text)
        if bold:
            page.keyboard.press("Enter")
            page.keyboard.press("Control+b")
            page.keyboard.type(bold)
            page.keyboard.press("Control+b")
        if items:
            page.keyboard.press("Enter")
            page.locator('button[data-mce-name="bullist"]').first.click()
            for index, item in enumerate(items):
                if index:
                    page.keyboard.press("Enter")
                page.keyboard.type(item)

    def create_ticket(self, page, labels):
        """Journey 1: a ticket with bold text, a list, two CC, an image and a PDF."""
        self.open_my_tickets_from_the_menu(page)
        self.assertIn(labels["my_tickets"], page.locator("h1").inner_text())
        page.click("a.new-ticket")
        page.wait_for_load_state("networkidle")
        page.fill("#form-widgets-title", "Printer jams on page 2")
        emails = page.locator("input[name$='.widgets.email']:visible")
        # Leaving the grid's last row, once filled, adds the next one.
        emails.nth(0).press_sequentially("boss@")
        page.keyboard.press("Tab")
        emails.nth(1).press_sequentially("it@example.org")
        page.keyboard.press("Tab")
        self.type_in_editor(
            page, "The printer jams.", bold="Urgent", items=["Tray 1", "Tray 2"]
        )
        page.set_input_files(
            "#form-widgets-attachments",
            files=[
                {"name": "jam.png", "mimeType": "image/png", "buffer": PNG},
                {"name": "manual.pdf", "mimeType": "application/pdf", "buffer": PDF},
            ],
        )
        page.click("#form-buttons-add")
        page.wait_for_load_state("networkidle")
        # The invalid address is named; everything typed is still there.
        self.assertIn(labels["invalid_cc"], page.content())
        self.assertEqual(
            page.input_value("#form-widgets-title"), "Printer jams on page 2"
        )
        emails = page.locator("input[name$='.widgets.email']:visible")
        self.assertEqual(emails.nth(0).input_value(), "boss@")
        self.assertEqual(emails.nth(1).input_value(), "it@example.org")
        editor = page.frame_locator("iframe").first.locator("body")
        self.assertIn("Tray 2", editor.inner_text())
        # The files are held: shown as attached, not chosen again.
        self.assertIn(labels["held_files"], page.content())
        self.assertEqual(
            page.locator(".held-file-name").all_inner_texts(), ["jam.png", "manual.pdf"]
        )
        emails.nth(0).fill("boss@example.org")
        page.click("#form-buttons-add")
        page.wait_for_load_state("networkidle")
        self.assertIn(labels["opened"], page.content())
        first = page.locator(".ticket-message").first
        self.assertEqual(first.locator(".message-text strong").inner_text(), "Urgent")
        self.assertEqual(
            first.locator(".message-text li").all_inner_texts()[:2],
            ["Tray 1", "Tray 2"],
        )
        self.assertEqual(
            page.locator(".attachment-name").all_inner_texts(),
            ["jam.png", "manual.pdf"],
        )
        self.assertEqual(page.locator(".message-attachments img").count(), 1)
        self.assertIn("boss@example.org", page.locator(".ticket-cc").inner_text())
        ticket_url = page.url
        self.open_my_tickets_from_the_menu(page, on_ticket=True)
        row = page.locator("tr", has_text="Printer jams on page 2")
        self.assertIn(labels["in_progress"], row.inner_text())
        return ticket_url


ENGLISH = {
    "my_tickets": "My tickets",
    "invalid_cc": "'boss@' is not a valid e-mail address.",
    "held_files": "These files are already attached",
    "opened": "Your ticket has been opened.",
    "in_progress": "In progress",
}
SPANISH = {
    "my_tickets": "Mis tickets",
    "invalid_cc": "«boss@» no es una dirección de correo electrónico válida.",
    "held_files": "Estos archivos ya están adjuntos",
    "opened": "Se ha abierto su ticket.",
    "in_progress": "En curso",
}


class TestJourneys(BrowserTestCase):
    def test_1_2_3_customer_opens_staff_replies_customer_closes_other_is_refused(self):
        customer = self.login(CUSTOMER)
        ticket_url = self.create_ticket(customer, ENGLISH)
        customer.goto(ticket_url)
        self.shot(customer, "ticket-new")
        customer.goto(self.url + "/@@my-tickets")
        self.shot(customer, "my-tickets")

        # 2. The staff find it on the customer's tickets and in the overview.
        staff = self.login(STAFF)
        staff.goto(self.url + f"/@@customer-tickets?userid={CUSTOMER}")
        self.assertIn("Printer jams on page 2", staff.content())
        self.shot(staff, "customer-tickets")
        staff.goto(self.url + "/@@tickets")
        row = staff.locator("tr", has_text="Printer jams on page 2")
        self.assertIn("Awaiting staff", row.inner_text())
        self.shot(staff, "tickets-overview")
        row.locator("a", has_text="Printer jams on page 2").click()
        staff.wait_for_load_state("networkidle")
        self.type_in_section(staff, "#ticket-reply", "Please use tray 3.")
        staff.set_input_files(
            "#reply-widgets-attachments",
            files=[{"name": "howto.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        staff.click("#reply-buttons-save")
        staff.wait_for_load_state("networkidle")
        self.assertIn("Your reply has been added.", staff.content())

        customer.goto(ticket_url)
        messages = customer.locator(".ticket-message")
        self.assertEqual(messages.count(), 2)
        self.assertIn("Please use tray 3.", messages.nth(1).inner_text())
        self.assertIn("Sam Staff", messages.nth(1).inner_text())
        self.assertIn("howto.pdf", messages.nth(1).inner_text())
        self.type_in_editor(customer, "Thanks, that works.")
        customer.click("#reply-buttons-save")
        customer.wait_for_load_state("networkidle")
        self.assertEqual(customer.locator(".ticket-message").count(), 3)
        self.shot(customer, "ticket-conversation")
        customer.click("button.close-ticket")
        customer.wait_for_load_state("networkidle")
        self.assertIn("The ticket is now completed.", customer.content())
        self.assertEqual(customer.locator("#ticket-reply").count(), 0)
        self.shot(customer, "ticket-completed")
        self.open_my_tickets_from_the_menu(customer, on_ticket=True)
        row = customer.locator("tr", has_text="Printer jams on page 2")
        self.assertIn("Completed", row.inner_text())

        # 3. Another customer pastes the ticket's and an attachment's URL.
        other = self.login(OTHER_CUSTOMER)
        attachment_url = ticket_url + "/@@attachment/1/manual.pdf"
        for url in (ticket_url, attachment_url):
            other.goto(url)
            self.assertIn("insufficient-privileges", other.url)
            self.assertNotIn("Printer jams", other.content())

    def test_4_the_same_journey_in_spanish(self):
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        transaction.commit()
        customer = self.login(CUSTOMER)
        self.create_ticket(customer, SPANISH)
        content = customer.content()
        for text in (
            "Mis tickets",
            "Nuevo ticket",
            "Asunto",
            "Estado",
            "Abierto",
            "En curso",
        ):
            self.assertIn(text, content)
        customer.goto(self.url + "/@@new-ticket")
        content = customer.content()
        for text in (
            "Asunto",
            "Destinatarios (CC)",
            "Mensaje",
            "Adjuntos",
            "Abrir ticket",
            "Cancelar",
        ):
            self.assertIn(text, content)
        self.shot(customer, "nuevo-ticket-es")

    def test_5_display_name_for_tickets(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Named", "<p>Who am I?</p>")
        transaction.commit()
        customer = self.login(CUSTOMER)
        customer.goto(self.url + "/@@personal-information")
        customer.fill("#form-widgets-ticket_display_name", "ACME Ltd.")
        customer.click("#form-buttons-save")
        customer.wait_for_load_state("networkidle")
        customer.goto(ticket.absolute_url())
        self.assertEqual(
            customer.locator(".message-author").first.inner_text(), "ACME Ltd."
        )
        self.shot(customer, "display-name")

    def test_6_staff_find_take_note_reply_and_close(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Printer jams again", "<p>Tray 2 this time.</p>")
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.create("Cannot log in", "<p>Locked out.</p>")
        transaction.commit()
        staff = self.login(STAFF)
        # The personal menu leads to the queue, with what waits for staff.
        staff.click("#personaltools-menulink")
        entry = staff.locator("#personaltools-tickets_overview")
        self.assertIn("Tickets (2)", entry.inner_text())
        entry.click()
        staff.wait_for_load_state("networkidle")
        self.assertTrue(staff.url.endswith("/@@tickets"))
        # The customer is found by name, as typed.
        staff.locator("#tickets-customer").press_sequentially("Carl")
        suggestion = staff.locator(".customer-suggestion").first
        suggestion.wait_for()
        self.assertIn("customer1@example.com", suggestion.inner_text())
        suggestion.click()
        staff.wait_for_load_state("networkidle")
        self.assertIn(f"customer={CUSTOMER}", staff.url)
        rows = staff.locator("table.tickets-queue tbody tr")
        self.assertEqual(rows.count(), 1)
        self.assertIn("Printer jams again", rows.first.inner_text())
        self.assertIn(f"#{ticket.ticket_number}", rows.first.inner_text())
        self.shot(staff, "staff-queue")
        rows.first.locator("a", has_text="Printer jams again").click()
        staff.wait_for_load_state("networkidle")
        staff.click("#desk-buttons-take")
        staff.wait_for_load_state("networkidle")
        self.assertIn("Sam Staff took the ticket", staff.content())
        self.type_in_section(staff, "#ticket-reply", "Known issue with tray 2 rollers.")
        staff.click("#reply-buttons-note")
        staff.wait_for_load_state("networkidle")
        self.assertIn("Your internal note has been added.", staff.content())
        note = staff.locator(".ticket-note")
        self.assertIn("Internal note", note.inner_text())
        self.type_in_section(staff, "#ticket-reply", "A technician comes tomorrow.")
        staff.click("#reply-buttons-save")
        staff.wait_for_load_state("networkidle")
        self.assertIn("Your reply has been added.", staff.content())
        self.shot(staff, "ticket-desk")
        staff.click("button.close-ticket")
        staff.wait_for_load_state("networkidle")
        self.assertIn("The ticket is now completed.", staff.content())

        # The customer reads the reply and the closing, never the note nor
        # who took the ticket.
        customer = self.login(CUSTOMER)
        customer.goto(ticket.absolute_url())
        text = customer.locator("#content").inner_text()
        self.assertIn("A technician comes tomorrow.", text)
        self.assertIn("Sam Staff closed the ticket", text)
        self.assertNotIn("tray 2 rollers", text)
        self.assertNotIn("took the ticket", text)
        self.assertEqual(customer.locator(".ticket-note").count(), 0)

    def test_7_service_levels_canned_reply_cron_and_rating(self):
        """A manager sets business hours and targets and writes a canned
        reply; the periodic job marks an overdue ticket and closes a silent
        one; the staff answer the overdue one with the canned reply; the
        customer rates the closed one; the report shows it all."""
        overdue, silent = self.seed_service_history()
        key = mail_in_key()
        transaction.commit()
        manager = self.login(MANAGER)
        manager.goto(self.url + "/@@tickets-controlpanel")
        manager.click("#fieldsetlegend-service, a:has-text('Service levels')")
        for day in DAYS:
            manager.fill(f"#form-widgets-hours_{day}", "00:00-24:00")
        manager.fill("#form-widgets-first_response_normal", "2")
        manager.fill("#form-widgets-resolution_normal", "40")
        manager.click("#fieldsetlegend-autoclose, a:has-text('Automatic closing')")
        manager.fill("#form-widgets-remind_after_days", "2")
        manager.fill("#form-widgets-close_after_days", "3")
        manager.click("#form-buttons-save")
        manager.wait_for_load_state("networkidle")
        self.assertIn("Changes saved", manager.content())
        # A canned reply, written in the editor.
        manager.goto(self.url + "/@@tickets-canned-replies")
        manager.fill("#canned-widgets-title", "Printer: restart it")
        self.type_in_section(
            manager,
            ".tickets-canned-replies",
            "Hello ${customer_name}, please restart the printer.",
        )
        manager.click("#canned-buttons-save")
        manager.wait_for_load_state("networkidle")
        self.assertIn("The canned reply was saved.", manager.content())

        # The periodic job, as cron runs it.
        answer = requests.post(
            self.url + "/@@tickets-cron", headers={"X-Mail-In-Key": key}, timeout=120
        )
        self.assertEqual(answer.status_code, 200, answer.text)
        self.assertGreaterEqual(answer.json()["counts"]["overdue"], 1)
        self.assertEqual(answer.json()["counts"]["closed"], 1)

        staff = self.login(STAFF)
        staff.goto(self.url + "/@@tickets?due=overdue&sort=due")
        row = staff.locator("table.tickets-queue tbody tr", has_text="Toner empty")
        self.assertIn("Overdue", row.inner_text())
        self.shot(staff, "staff-queue-overdue")
        row.locator("a", has_text="Toner empty").click()
        staff.wait_for_load_state("networkidle")
        self.assertIn("First response overdue since", staff.content())
        staff.fill(".ticket-canned-search", "restart")
        staff.click("form.ticket-canned button")
        editor = staff.frame_locator("#ticket-reply iframe").first.locator("body")
        editor.get_by_text("please restart the printer").wait_for()
        self.assertIn("Hello Carla Customer,", editor.inner_text())
        staff.click("#reply-buttons-save")
        staff.wait_for_load_state("networkidle")
        self.assertIn("Your reply has been added.", staff.content())
        self.assertIn("Service clock paused", staff.content())

        # The silent ticket was completed by the job; its customer rates it.
        customer = self.login(CUSTOMER)
        customer.goto(silent.absolute_url())
        self.assertIn("completed automatically", customer.content())
        customer.click("label[for='rating-score-4']")
        customer.fill("#rating-comment", "Fine, once it was fixed.")
        customer.click("#ticket-rating button[type=submit]")
        customer.wait_for_load_state("networkidle")
        self.assertIn("Thank you for your rating.", customer.content())

        manager.goto(self.url + "/@@tickets-report")
        self.assertEqual(manager.locator("svg.pygal-chart").count(), 5)
        self.assertIn("Average rating", manager.content())
        self.shot(manager, "tickets-report")
        self.assertIsNotNone(overdue)

    def seed_service_history(self):
        """Twelve weeks of tickets for the report, an open one waiting on
        the staff for three hours ("Toner empty"), and one the customer left
        silent after a reminder four days ago ("Paper jam")."""
        rng = random.Random(16)
        now = datetime.now(UTC)
        # The hours and targets the manager is about to set, already in force
        # for the past weeks.
        settings = "collective.tickets.interfaces.ITicketSettings."
        for day in DAYS:
            api.portal.set_registry_record(f"{settings}hours_{day}", "00:00-24:00")
        api.portal.set_registry_record(f"{settings}first_response_normal", 2.0)
        api.portal.set_registry_record(f"{settings}resolution_normal", 40.0)
        for index in range(36):
            opened = now - timedelta(days=rng.uniform(1, 83))
            customer = (CUSTOMER, OTHER_CUSTOMER)[index % 2]
            with as_user(self.portal, customer):
                ticket = tickets.create(f"Question {index + 1}", "<p>Help</p>")
            ticket.creation_date = DateTime(opened)
            answered = opened + timedelta(hours=rng.uniform(0.2, 5))
            with as_user(self.portal, STAFF):
                reply = tickets.reply(ticket, "<p>Answer</p>")
            reply.creation_date = DateTime(answered)
            if rng.random() < 0.5:
                # A question back, answered a few hours later.
                with as_user(self.portal, customer):
                    back = tickets.reply(ticket, "<p>And then?</p>")
                back.creation_date = DateTime(answered + timedelta(hours=2))
                with as_user(self.portal, STAFF):
                    again = tickets.reply(ticket, "<p>Then this.</p>")
                again.creation_date = DateTime(
                    answered + timedelta(hours=2 + rng.uniform(1, 30))
                )
            with as_user(self.portal, STAFF):
                if rng.random() < 0.8:
                    tickets.close(ticket)
                    history = ticket.workflow_history["ticket_workflow"]
                    closed = opened + timedelta(hours=rng.uniform(40, 90))
                    entry = dict(history[-1], time=DateTime(min(closed, now)))
                    ticket.workflow_history["ticket_workflow"] = (
                        *history[:-1],
                        entry,
                    )
            ticket.reindexObject()
            if api.content.get_state(obj=ticket) == "completed" and rng.random() < 0.7:
                with as_user(self.portal, customer):
                    closed_at = satisfaction.closed_at(ticket)
                    satisfaction.rate(
                        ticket,
                        rng.choice((3, 4, 4, 5, 5, 5, 2)),
                        now=closed_at + timedelta(hours=1),
                    )
        with as_user(self.portal, CUSTOMER):
            overdue = tickets.create("Toner empty", "<p>No toner left.</p>")
            silent = tickets.create("Paper jam", "<p>Jammed.</p>")
        overdue.creation_date = DateTime(now - timedelta(hours=3))
        overdue.reindexObject()
        silent.creation_date = DateTime(now - timedelta(days=10))
        with as_user(self.portal, STAFF):
            asked = tickets.reply(silent, "<p>Which tray?</p>")
        asked.creation_date = DateTime(now - timedelta(days=9))
        silent.ticket_reminded = (
            asked.created().timeTime(),
            (now - timedelta(days=4)).timestamp(),
        )
        silent.reindexObject()
        transaction.commit()
        return overdue, silent

    def type_in_section(self, page, section, text):
        """Type into the editor of one form of the page (reply or note)."""
        frame = page.frame_locator(f"{section} iframe").first
        frame.locator("body").click()
        page.keyboard.type(text)

    def test_8_a_copy_an_erasure_and_the_record_of_who_read(self):
        import io
        import zipfile

        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(
                "Invoice for Carla Customer",
                '<p>Carla Customer here.</p><p><img src="@@attachment/0/jam.png" '
                'alt="Carla Customer"></p>',
                attachments=[("jam.png", PNG, "image/png")],
            )
        transaction.commit()
        # The customer downloads their copy from My tickets.
        customer = self.login(CUSTOMER)
        self.open_my_tickets_from_the_menu(customer)
        with customer.expect_download() as download:
            customer.click("a.tickets-archive")
        archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
        names = archive.namelist()
        self.assertIn("index.html", names)
        self.assertIn("tickets.json", names)
        self.assertTrue(any(name.endswith("jam.png") for name in names), names)
        # The staff read the ticket (its image is part of the page) and
        # anonymise it after confirming.
        staff = self.login(STAFF)
        staff.goto(ticket.absolute_url())
        staff.wait_for_load_state("networkidle")
        self.assertEqual(
            staff.locator(".ticket-message img").first.evaluate("i => i.naturalWidth")
            > 0,
            True,
        )
        staff.click("a.ticket-anonymise")
        staff.wait_for_load_state("networkidle")
        staff.click("#form-buttons-save")
        staff.wait_for_load_state("networkidle")
        self.assertIn("The ticket was anonymised.", staff.content())
        text = staff.locator("#content").inner_text()
        self.assertIn("Anonymised customer", text)
        self.assertIn("anonymised the ticket", text)
        self.assertNotIn("Carla", text)
        # Nor in the image's description.
        alt = staff.locator(".ticket-message .message-text img").first
        self.assertNotIn("Carla", alt.get_attribute("alt"))
        anonymised_url = staff.url
        # The customer no longer finds it; the old address leads nowhere.
        self.open_my_tickets_from_the_menu(customer)
        self.assertNotIn("Invoice for", customer.content())
        response = customer.goto(ticket.absolute_url())
        self.assertEqual(response.status, 404)
        # A manager reads who opened it: the staff's page once (the image
        # in it is no file opened), and their own opening of it now.
        manager = self.login(MANAGER)
        manager.goto(anonymised_url)
        manager.click("a.ticket-access-record")
        manager.wait_for_load_state("networkidle")
        rows = manager.locator("table.access-record-table tbody tr")
        texts = rows.all_inner_texts()
        self.assertEqual(len(texts), 2, texts)
        self.assertIn("Max Manager", texts[0])
        self.assertIn("Sam Staff", texts[1])
        for text in texts:
            self.assertIn("The ticket's page", text)

    def test_nothing_overflows_on_a_phone(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(
                "A rather long subject that has to wrap on a small screen",
                "<p>" + "Long words " * 40 + "</p>",
                cc=["someone.with.a.long.address@example.org"],
                attachments=[("a-file-with-a-very-long-name-indeed.pdf", PDF, None)],
            )
        transaction.commit()
        for userid, paths in (
            (CUSTOMER, ["/@@my-tickets", "/@@new-ticket", ticket.absolute_url()]),
            (STAFF, ["/@@tickets", f"/@@customer-tickets?userid={CUSTOMER}"]),
        ):
            page = self.login(userid, width=375)
            for path in paths:
                page.goto(path if path.startswith("http") else self.url + path)
                page.wait_for_load_state("networkidle")
                width = page.evaluate("document.documentElement.scrollWidth")
                self.assertLessEqual(width, 375, path)
            if userid == CUSTOMER:
                self.shot(page, "ticket-mobile")


class TestScreenshotFolder(unittest.TestCase):
    def test_make_test_keeps_the_screenshots_out_of_the_checkout(self):
        with mock.patch.dict(os.environ):
            os.environ.pop("UPDATE_SCREENSHOTS", None)
            folder = screenshot_folder()
        self.assertFalse(folder.resolve().is_relative_to(SCREENSHOTS.parents[2]))

    def test_make_screenshots_writes_them_into_the_documentation(self):
        with mock.patch.dict(os.environ, {"UPDATE_SCREENSHOTS": "1"}):
            self.assertEqual(screenshot_folder(), SCREENSHOTS)
