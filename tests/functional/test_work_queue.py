"""The staff's work queue: the overview's filters in the URL, the customer
picker, bulk actions, the CSV export and the menu entry, as staff and as
everyone who must be refused."""

from collective.tickets import api as tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import SentMailMixin
from plone import api

import csv
import io
import json
import re
import transaction
import unittest


class QueueTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        api.portal.set_registry_record(
            "categories",
            ["billing | Billing | es: Facturación", "access | Access"],
            interface=ITicketSettings,
        )
        with as_user(self.portal, CUSTOMER):
            self.printer = tickets.create("Printer jam", "<p>Paper stuck</p>")
            self.invoice = tickets.create(
                "Invoice wrong", "<p>VAT missing</p>", category="billing"
            )
        with as_user(self.portal, OTHER_CUSTOMER):
            self.login = tickets.create(
                "=Cannot log in", "<p>Locked out, señor</p>", category="access"
            )
        with as_user(self.portal, STAFF):
            tickets.take(self.invoice)
            tickets.set_priority(self.invoice, "urgent")
            tickets.assign(self.login, MANAGER)
            tickets.reply(self.login, "<p>Try again</p>")
            tickets.add_note(self.printer, "<p>Known toner issue zorblax</p>")
        self.commit()
        SENT_MAIL.clear()
        self.browser = browser_for(self.layer, STAFF)

    def subjects(self, url):
        self.browser.open(url)
        return re.findall(
            r'<a href="[^"]+/Members/[^"]+">([^<]+)</a>', self.browser.contents
        )

    def queue(self, query=""):
        return self.subjects(f"{self.portal_url}/@@tickets{query}")


class TestFilters(QueueTestCase):
    def test_each_filter_is_in_the_url(self):
        cases = {
            "": ["=Cannot log in", "Invoice wrong", "Printer jam"],
            "?assignee=me": ["Invoice wrong"],
            "?assignee=none": ["Printer jam"],
            f"?assignee={MANAGER}": ["=Cannot log in"],
            "?priority=urgent": ["Invoice wrong"],
            "?priority=normal": ["=Cannot log in", "Printer jam"],
            "?category=billing": ["Invoice wrong"],
            "?waiting=customer": ["=Cannot log in"],
            "?waiting=staff": ["Invoice wrong", "Printer jam"],
            f"?customer={OTHER_CUSTOMER}": ["=Cannot log in"],
            "?SearchableText=VAT": ["Invoice wrong"],
            "?state=completed": [],
            "?assignee=none&priority=normal": ["Printer jam"],
        }
        for query, expected in cases.items():
            self.assertEqual(sorted(self.queue(query)), sorted(expected), query)

    def test_a_word_of_a_note_finds_its_ticket_for_the_staff(self):
        self.assertEqual(self.queue("?SearchableText=zorblax"), ["Printer jam"])

    def test_the_number_finds_the_ticket(self):
        number = self.invoice.ticket_number
        for text in (str(number), f"%23{number}"):
            self.assertEqual(
                self.queue(f"?SearchableText={text}"), ["Invoice wrong"], text
            )

    def test_sorting(self):
        self.assertEqual(self.queue("?sort=priority")[0], "Invoice wrong")
        numbers = [t.ticket_number for t in (self.login, self.invoice, self.printer)]
        self.assertEqual(numbers, sorted(numbers, reverse=True))
        self.assertEqual(
            self.queue("?sort=number"),
            ["=Cannot log in", "Invoice wrong", "Printer jam"],
        )

    def test_the_form_keeps_the_filter_and_shows_it(self):
        self.browser.open(f"{self.portal_url}/@@tickets?assignee=me&priority=urgent")
        form = self.browser.getForm(id="tickets-search")
        self.assertEqual(form.getControl(name="assignee").value, ["me"])
        self.assertEqual(form.getControl(name="priority").value, ["urgent"])
        form.getControl(name="sort").value = ["number"]
        form.submit("Filter")
        self.assertIn("assignee=me", self.browser.url)
        self.assertIn("priority=urgent", self.browser.url)
        self.assertIn("sort=number", self.browser.url)

    def test_rows_show_number_assignee_priority_and_category(self):
        self.browser.open(f"{self.portal_url}/@@tickets")
        row = next(
            r for r in self.browser.contents.split("<tr>") if "Invoice wrong" in r
        )
        self.assertIn(f"#{self.invoice.ticket_number}", row)
        self.assertIn("Sam Staff", row)
        self.assertIn("Urgent", row)
        self.assertIn("Billing", row)

    def test_a_customer_typed_by_name_or_address(self):
        self.assertEqual(self.queue("?customer=Otto"), ["=Cannot log in"])
        self.assertEqual(
            self.queue("?customer=customer2%40example.com"), ["=Cannot log in"]
        )
        self.assertIn("Otto Other", self.browser.contents)
        self.assertEqual(self.queue("?customer=example.com"), [])
        self.assertIn("is not one customer", self.browser.contents)

    def test_stale_values_are_ignored(self):
        self.assertEqual(len(self.queue("?priority=whenever&sort=x&state=y")), 3)


class TestCustomerPicker(QueueTestCase):
    def test_staff_search_by_name_or_address(self):
        self.browser.open(f"{self.portal_url}/@@ticket-customer-search?q=carla")
        people = json.loads(self.browser.contents)
        self.assertEqual(
            people,
            [
                {
                    "id": CUSTOMER,
                    "name": "Carla Customer",
                    "email": "customer1@example.com",
                }
            ],
        )
        self.browser.open(f"{self.portal_url}/@@ticket-customer-search?q=customer2@")
        self.assertEqual(
            [p["id"] for p in json.loads(self.browser.contents)], [OTHER_CUSTOMER]
        )

    def test_nobody_else_may_list_customers(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.open(f"{self.portal_url}/@@ticket-customer-search?q=carla")
            self.assertNotIn("customer1@example.com", browser.contents, userid)


class TestBulkActions(QueueTestCase):
    def bulk(self, action, *ticket_list, token=True, browser=None):
        browser = browser or self.browser
        browser.open(f"{self.portal_url}/@@tickets?state=in_progress")
        data = {
            "bulk_action": action,
            "came_from": f"{self.portal_url}/@@tickets?state=in_progress",
            "uids:list": [t.UID() for t in ticket_list],
        }
        if token:
            data["_authenticator"] = authenticator(browser)
        from urllib.parse import urlencode

        browser.post(f"{self.portal_url}/@@tickets-bulk", urlencode(data, doseq=True))
        return browser

    def test_assign_to_someone_notifies_each_once(self):
        browser = self.bulk(f"assign:{MANAGER}", self.printer, self.invoice)
        self.assertIn("2 tickets changed", browser.contents)
        self.assertTrue(browser.url.endswith("/@@tickets?state=in_progress"))
        self.assertEqual(self.printer.ticket_assignee, MANAGER)
        self.assertEqual(self.invoice.ticket_assignee, MANAGER)
        mails = self.take_mail()
        self.assertEqual(sorted(m["To"] for m in mails), ["manager1@example.com"] * 2)
        self.assertEqual(
            {m["Subject"].split("]")[0] for m in mails},
            {f"[#{self.printer.ticket_number}", f"[#{self.invoice.ticket_number}"},
        )

    def test_priority_and_close(self):
        self.bulk("priority:high", self.printer, self.login)
        self.assertEqual(self.printer.ticket_priority, "high")
        self.assertEqual(self.login.ticket_priority, "high")
        self.bulk("close", self.printer, self.login)
        self.assertEqual(api.content.get_state(self.printer), "completed")
        mails = self.take_mail()
        # One closing notice per ticket, to its customer (and nobody twice).
        closing = [m for m in mails if "customer" in m["To"]]
        self.assertEqual(len(closing), 2)

    def test_assign_to_me_and_to_nobody(self):
        self.bulk("assign:me", self.printer)
        self.assertEqual(self.printer.ticket_assignee, STAFF)
        self.bulk("assign:", self.printer)
        self.assertIsNone(self.printer.ticket_assignee)

    def test_errors_are_told_per_ticket_and_lose_nothing(self):
        with as_user(self.portal, STAFF):
            tickets.close(self.login)
        transaction.commit()
        browser = self.bulk("close", self.printer, self.login)
        self.assertIn("1 tickets changed", browser.contents)
        self.assertIn("This ticket is already completed.", browser.contents)
        self.assertEqual(api.content.get_state(self.printer), "completed")

    def test_without_the_csrf_token_nothing_happens(self):
        self.bulk("priority:low", self.printer, token=False)
        self.assertEqual(getattr(self.printer, "ticket_priority", "normal"), "normal")

    def test_customers_and_anonymous_are_refused(self):
        from urllib.parse import urlencode

        for userid in (CUSTOMER, OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.post(
                f"{self.portal_url}/@@tickets-bulk",
                urlencode({"bulk_action": "close", "uids:list": self.printer.UID()}),
            )
            self.assertEqual(api.content.get_state(self.printer), "in_progress")

    def test_came_from_never_leaves_the_overview(self):
        self.browser.open(f"{self.portal_url}/@@tickets")
        from urllib.parse import urlencode

        self.browser.post(
            f"{self.portal_url}/@@tickets-bulk",
            urlencode(
                {
                    "_authenticator": authenticator(self.browser),
                    "bulk_action": "assign:me",
                    "came_from": "https://evil.example.com/@@tickets",
                }
            ),
        )
        self.assertEqual(self.browser.url, f"{self.portal_url}/@@tickets")


class TestExport(QueueTestCase):
    def test_csv_of_the_current_filter(self):
        self.browser.open(f"{self.portal_url}/@@tickets?category=access")
        self.browser.getLink("Export CSV").click()
        self.assertEqual(
            self.browser.headers["Content-Type"], "text/csv; charset=utf-8"
        )
        self.assertIn("attachment;", self.browser.headers["Content-Disposition"])
        body = self.browser.contents
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        self.assertEqual(
            rows[0],
            [
                "Number",
                "Subject",
                "Customer",
                "State",
                "Assigned to",
                "Priority",
                "Category",
                "Opened",
                "Last activity",
            ],
        )
        self.assertEqual(len(rows), 2)
        number, subject, customer, state, assignee, priority, category = rows[1][:7]
        self.assertEqual(number, str(self.login.ticket_number))
        # A subject starting with "=" is no formula for a spreadsheet.
        self.assertEqual(subject, "'=Cannot log in")
        self.assertEqual(
            (customer, state, assignee, priority, category),
            ("Otto Other", "In progress", "Max Manager", "Normal", "Access"),
        )

    def test_spanish_headers_and_text(self):
        browser = browser_for(self.layer, STAFF)
        browser.addHeader("Accept-Language", "es")
        browser.open(f"{self.portal_url}/@@tickets-export?category=billing")
        body = browser.contents
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        text = body.decode("utf-8-sig")
        self.assertIn("Invoice wrong", text)

    def test_nobody_else_may_export(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.open(f"{self.portal_url}/@@tickets-export")
            body = browser.contents
            body = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            self.assertNotIn("Printer jam", body, userid)
            self.assertNotIn("Invoice wrong", body, userid)


class TestMenuAndListings(QueueTestCase):
    def test_staff_menu_says_how_many_wait_for_them(self):
        self.browser.open(self.portal_url)
        # Printer jam and Invoice wrong: their customer wrote last.
        self.assertIn("Tickets (2)", self.browser.contents)
        self.browser.getLink("Tickets (2)").click()
        self.assertTrue(self.browser.url.endswith("/@@tickets"))
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.portal_url)
        self.assertNotIn("Tickets (", customer.contents)

    def test_numbers_in_every_listing(self):
        number = f"#{self.invoice.ticket_number}"
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(f"{self.portal_url}/@@my-tickets")
        self.assertIn(number, customer.contents)
        self.browser.open(f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}")
        self.assertIn(number, self.browser.contents)
        self.browser.open(f"{self.portal_url}/@@tickets")
        self.assertIn(number, self.browser.contents)
