"""The staff's work queue: the overview's filters in the URL, the customer
picker, bulk actions, the CSV export and the menu entry, as staff and as
everyone who must be refused."""

from collective.tickets import api as tickets
from collective.tickets.core import desk
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import fetch
from helpers import SentMailMixin
from plone import api
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlparse

import csv
import io
import json
import re
import transaction
import unittest


REFUSED = (CUSTOMER, OTHER_CUSTOMER, None)


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

    def row_of(self, subject):
        return next(r for r in self.browser.contents.split("<tr>") if subject in r)


class TestFilters(QueueTestCase):
    def test_each_filter_is_in_the_url(self):
        cases = {
            "": ["=Cannot log in", "Invoice wrong", "Printer jam"],
            "?state=in_progress": ["=Cannot log in", "Invoice wrong", "Printer jam"],
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
            "?SearchableText=se%C3%B1or": ["=Cannot log in"],
            "?state=completed": [],
            "?assignee=none&priority=normal": ["Printer jam"],
        }
        for query, expected in cases.items():
            self.assertEqual(sorted(self.queue(query)), sorted(expected), query)

    def test_a_closed_ticket_leaves_the_in_progress_view(self):
        with as_user(self.portal, STAFF):
            tickets.close(self.printer)
        transaction.commit()
        self.assertEqual(self.queue("?state=completed"), ["Printer jam"])
        self.assertNotIn("Printer jam", self.queue("?state=in_progress"))
        # A completed ticket waits for nobody.
        self.assertEqual(self.queue("?state=completed&waiting=staff"), [])

    def test_an_empty_result_says_so(self):
        self.assertEqual(self.queue("?SearchableText=nothinglikethis"), [])
        self.assertIn("No ticket matches this filter.", self.browser.contents)
        self.assertNotIn('name="uids:list"', self.browser.contents)

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
        # The staff's reply is the newest activity.
        self.assertEqual(self.queue("")[0], "=Cannot log in")

    def test_the_form_shows_the_filter_of_the_url_and_gives_it_back(self):
        params = {
            "SearchableText": "VAT",
            "state": "in_progress",
            "waiting": "staff",
            "assignee": "me",
            "priority": "urgent",
            "category": "billing",
            "sort": "number",
        }
        self.browser.open(f"{self.portal_url}/@@tickets?{urlencode(params)}")
        form = self.browser.getForm(id="tickets-search")
        self.assertEqual(form.getControl(name="SearchableText").value, "VAT")
        for name in ("state", "waiting", "assignee", "priority", "category", "sort"):
            self.assertEqual(form.getControl(name=name).value, [params[name]], name)
        self.assertEqual(self.row_of("Invoice wrong").count('name="uids:list"'), 1)
        form.submit("Filter")
        query = parse_qs(urlparse(self.browser.url).query)
        self.assertEqual(
            {k: v for k, v in query.items() if v != [""]},
            {name: [value] for name, value in params.items()},
        )
        self.assertEqual(
            re.findall(
                r'<a href="[^"]+/Members/[^"]+">([^<]+)</a>', self.browser.contents
            ),
            ["Invoice wrong"],
        )

    def test_the_assignee_menu_names_each_staff_member(self):
        self.browser.open(f"{self.portal_url}/@@tickets")
        control = self.browser.getControl(name="assignee", index=0)
        self.assertEqual(control.options[:3], ["", "me", "none"])
        self.assertIn(STAFF, control.options)
        self.assertIn(MANAGER, control.options)
        self.assertIn("Max Manager", control.displayOptions)
        self.assertNotIn(CUSTOMER, control.options)

    def test_the_category_filter_and_column_need_categories(self):
        self.browser.open(f"{self.portal_url}/@@tickets")
        self.assertIn('name="category"', self.browser.contents)
        self.assertIn("Billing", self.row_of("Invoice wrong"))
        api.portal.set_registry_record("categories", [], interface=ITicketSettings)
        transaction.commit()
        self.browser.open(f"{self.portal_url}/@@tickets")
        self.assertNotIn('name="category"', self.browser.contents)
        self.assertNotIn('class="ticket-category"', self.browser.contents)

    def test_rows_show_number_assignee_priority_category_and_activity(self):
        self.browser.open(f"{self.portal_url}/@@tickets")
        row = self.row_of("Invoice wrong")
        self.assertIn(f"#{self.invoice.ticket_number}", row)
        self.assertIn("Sam Staff", row)
        self.assertIn("Urgent", row)
        self.assertIn("Billing", row)
        self.assertIn("Carla Customer", row)
        # The last activity says who wrote last: the staff's reply here.
        row = self.row_of("=Cannot log in")
        last = row[row.index('class="ticket-last-activity"') :]
        self.assertIn("Sam Staff", last)
        self.assertIn("Max Manager", row)

    def test_the_batch_links_keep_the_filter(self):
        with as_user(self.portal, CUSTOMER):
            for number in range(21):
                tickets.create(
                    f"Billing question {number:02d}", "<p>x</p>", category="billing"
                )
        transaction.commit()
        self.browser.open(f"{self.portal_url}/@@tickets?category=billing&sort=number")
        self.assertEqual(self.browser.contents.count('name="uids:list"'), 20)
        self.assertIn("Tickets found: 22", self.browser.contents)
        next_page = self.browser.getLink(url="b_start")
        query = parse_qs(urlparse(next_page.url).query)
        self.assertEqual(query["category"], ["billing"])
        self.assertEqual(query["sort"], ["number"])
        next_page.click()
        self.assertEqual(
            self.subjects(self.browser.url), ["Billing question 00", "Invoice wrong"]
        )
        # The bulk actions come back to this page of this view.
        came_from = self.browser.getControl(name="came_from").value
        self.assertIn("b_start=20", came_from)
        self.assertIn("category=billing", came_from)

    def test_stale_values_are_ignored(self):
        self.assertEqual(len(self.queue("?priority=whenever&sort=x&state=y")), 3)


class TestCustomerFilter(QueueTestCase):
    def test_a_customer_typed_by_name_or_address(self):
        self.assertEqual(self.queue("?customer=Otto"), ["=Cannot log in"])
        self.assertEqual(
            self.queue("?customer=customer2%40example.com"), ["=Cannot log in"]
        )
        self.assertIn("Otto Other", self.browser.contents)
        self.assertEqual(self.queue("?customer=example.com"), [])
        self.assertIn("is not one customer", self.browser.contents)
        self.assertIn("Type more of the name", self.browser.contents)

    def test_the_chosen_customer_shows_by_name_with_a_remove_link(self):
        self.browser.open(
            f"{self.portal_url}/@@tickets?customer={OTHER_CUSTOMER}&priority=normal"
        )
        chosen = self.browser.contents
        chosen = chosen[chosen.index("tickets-customer-chosen") :]
        self.assertIn("Otto Other", chosen[:500])
        self.assertEqual(self.browser.getControl(name="customer").value, OTHER_CUSTOMER)
        self.browser.getLink("Remove").click()
        self.assertNotIn("customer=", self.browser.url)
        self.assertIn("priority=normal", self.browser.url)
        self.assertEqual(
            sorted(self.subjects(self.browser.url)), ["=Cannot log in", "Printer jam"]
        )

    def test_a_customer_name_links_to_their_tickets(self):
        self.browser.open(f"{self.portal_url}/@@tickets?priority=normal")
        self.browser.getLink("Otto Other").click()
        self.assertIn(f"customer={OTHER_CUSTOMER}", self.browser.url)
        self.assertIn("priority=normal", self.browser.url)
        self.assertEqual(self.subjects(self.browser.url), ["=Cannot log in"])

    def test_the_picker_script_is_served_on_the_overview(self):
        self.browser.open(f"{self.portal_url}/@@tickets")
        script = re.search(r'<script src="([^"]+overview\.js)"', self.browser.contents)
        self.assertIsNotNone(script)
        self.browser.open(script.group(1))
        self.assertIn("javascript", self.browser.headers["Content-Type"])
        script = self.browser.contents
        script = script.decode() if isinstance(script, bytes) else script
        self.assertIn('getElementById("tickets-customer")', script)


class TestCustomerPicker(QueueTestCase):
    def search(self, text, userid=STAFF):
        return fetch(
            self.layer,
            userid,
            f"{self.portal_url}/@@ticket-customer-search?{urlencode({'q': text})}",
        )

    def test_staff_search_by_name_or_address(self):
        status, body = self.search("carla")
        self.assertEqual(status, 200)
        self.assertEqual(
            json.loads(body),
            [
                {
                    "id": CUSTOMER,
                    "name": "Carla Customer",
                    "email": "customer1@example.com",
                }
            ],
        )
        status, body = self.search("customer2@")
        self.assertEqual([p["id"] for p in json.loads(body)], [OTHER_CUSTOMER])
        self.assertEqual(json.loads(self.search("x")[1]), [])

    def test_the_display_name_for_tickets_is_searched_too(self):
        api.user.get(userid=CUSTOMER).setMemberProperties(
            {"ticket_display_name": "Acme Widgets"}
        )
        transaction.commit()
        people = json.loads(self.search("widgets")[1])
        self.assertEqual(people[0]["id"], CUSTOMER)
        self.assertEqual(people[0]["name"], "Acme Widgets")

    def test_at_most_twenty(self):
        for number in range(22):
            api.user.create(
                email=f"zed{number}@example.org",
                username=f"zed{number}",
                password="secret-Pa55word",
                properties={"fullname": f"Zed Tester {number:02d}"},
            )
        transaction.commit()
        people = json.loads(self.search("zed tester")[1])
        self.assertEqual(len(people), 20)
        self.assertEqual(people[0]["name"], "Zed Tester 00")

    def test_nobody_else_may_list_customers(self):
        for userid in REFUSED:
            status, body = self.search("carla", userid)
            self.assertNotEqual(status, 200, userid)
            self.assertNotIn("customer1@example.com", body, userid)


class TestBulkActions(QueueTestCase):
    overview = "/@@tickets?state=in_progress"

    def bulk(self, action, *ticket_list, token=True, browser=None, came_from=None):
        browser = browser or self.browser
        browser.open(self.portal_url + self.overview)
        data = {
            "bulk_action": action,
            "came_from": came_from or self.portal_url + self.overview,
            "uids:list": [t.UID() for t in ticket_list],
        }
        if token:
            form = browser.getForm(id="tickets-bulk")
            data["_authenticator"] = form.getControl(name="_authenticator").value
        browser.post(f"{self.portal_url}/@@tickets-bulk", urlencode(data, doseq=True))
        return browser

    def test_the_form_posts_the_ticked_rows(self):
        self.browser.open(self.portal_url + self.overview)
        form = self.browser.getForm(id="tickets-bulk")
        form.getControl(name="bulk_action").value = ["priority:high"]
        boxes = form.getControl(name="uids:list")
        boxes.value = [self.printer.UID(), self.login.UID()]
        form.submit("Apply to the selected tickets")
        self.assertIn("2 tickets changed", self.browser.contents)
        self.assertEqual(self.browser.url, self.portal_url + self.overview)
        self.assertEqual(self.printer.ticket_priority, "high")
        self.assertEqual(self.login.ticket_priority, "high")
        self.assertNotEqual(self.invoice.ticket_priority, "high")

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

    def test_priority_and_close_as_one_by_one(self):
        self.bulk("priority:high", self.printer, self.login)
        self.assertEqual(self.printer.ticket_priority, "high")
        self.assertEqual(self.login.ticket_priority, "high")
        self.assertEqual(self.take_mail(), [])
        self.bulk("close", self.printer, self.login)
        self.assertEqual(api.content.get_state(self.printer), "completed")
        self.assertEqual(api.content.get_state(self.login), "completed")
        mails = self.take_mail()
        # One closing notice per ticket, to its customer.
        self.assertEqual(
            sorted(m["To"] for m in mails),
            [USERS[CUSTOMER]["email"], USERS[OTHER_CUSTOMER]["email"]],
        )
        self.assertEqual(
            {m["Subject"] for m in mails},
            {
                f"Re: [#{self.printer.ticket_number}] Printer jam",
                f"Re: [#{self.login.ticket_number}] =Cannot log in",
            },
        )

    def assignee(self, ticket):
        with as_user(self.portal, STAFF):
            return tickets.assignee(ticket)

    def test_assign_to_me_and_to_nobody(self):
        self.bulk("assign:me", self.printer)
        self.assertEqual(self.printer.ticket_assignee, STAFF)
        self.bulk("assign:", self.printer)
        self.assertIsNone(self.assignee(self.printer))

    def test_errors_are_told_per_ticket_and_lose_nothing(self):
        with as_user(self.portal, STAFF):
            tickets.close(self.login)
        transaction.commit()
        browser = self.bulk("close", self.printer, self.login)
        self.assertIn("1 tickets changed", browser.contents)
        self.assertIn(
            f"#{self.login.ticket_number} =Cannot log in: This ticket is already "
            "completed.",
            browser.contents,
        )
        self.assertEqual(api.content.get_state(self.printer), "completed")
        browser = self.bulk(f"assign:{CUSTOMER}", self.printer)
        self.assertIn("0 tickets changed", browser.contents)
        self.assertIn("is not a member of the staff", browser.contents)
        self.assertIsNone(self.assignee(self.printer))

    def test_no_action_or_no_ticket_is_a_message(self):
        browser = self.bulk("", self.printer)
        self.assertIn("Choose what to do with the selected tickets.", browser.contents)
        browser = self.bulk("close")
        self.assertIn("Tick the tickets to change first.", browser.contents)
        self.assertEqual(api.content.get_state(self.printer), "in_progress")

    def test_without_the_csrf_token_nothing_happens(self):
        browser = self.bulk("priority:low", self.printer, token=False)
        self.assertNotEqual(browser.headers["status"].split()[0], "200")
        self.assertEqual(desk.priority(self.printer), "normal")
        status, _body = fetch(
            self.layer,
            STAFF,
            f"{self.portal_url}/@@tickets-bulk?bulk_action=close"
            f"&uids:list={self.printer.UID()}",
        )
        self.assertNotEqual(status, 200)
        self.assertEqual(api.content.get_state(self.printer), "in_progress")

    def test_customers_and_anonymous_are_refused_even_with_a_token(self):
        for userid in REFUSED:
            browser = browser_for(self.layer, userid)
            data = {"bulk_action": "close", "uids:list": self.printer.UID()}
            if userid:
                # A token of their own, from a page they may see.
                browser.open(f"{self.portal_url}/@@new-ticket")
                data["_authenticator"] = authenticator(browser)
            browser.post(f"{self.portal_url}/@@tickets-bulk", urlencode(data))
            self.assertEqual(api.content.get_state(self.printer), "in_progress")
            self.assertNotIn("tickets changed", browser.contents)

    def test_came_from_never_leaves_the_overview(self):
        overview = f"{self.portal_url}/@@tickets"
        for came_from in (
            "https://evil.example.com/@@tickets",
            f"{overview}.evil.example.com/",
            f"{overview}@evil.example.com",
            f"{self.portal_url}/@@tickets-export",
            "//evil.example.com",
        ):
            browser = self.bulk("assign:me", self.printer, came_from=came_from)
            self.assertEqual(browser.url, overview, came_from)


class TestExport(QueueTestCase):
    def rows(self, browser):
        body = browser.contents
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))

    def test_csv_of_the_current_filter(self):
        self.browser.open(
            f"{self.portal_url}/@@tickets?category=access&state=in_progress"
        )
        link = self.browser.getLink("Export CSV")
        self.assertIn("category=access", link.url)
        self.assertIn("state=in_progress", link.url)
        link.click()
        self.assertEqual(
            self.browser.headers["Content-Type"], "text/csv; charset=utf-8"
        )
        self.assertRegex(
            self.browser.headers["Content-Disposition"],
            r'^attachment; filename="tickets-\d{4}-\d{2}-\d{2}\.csv"$',
        )
        rows = self.rows(self.browser)
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
        for date in rows[1][7:]:
            self.assertRegex(date, r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")

    def test_the_rows_follow_the_overviews_order(self):
        self.browser.open(f"{self.portal_url}/@@tickets-export?sort=priority")
        subjects = [row[1] for row in self.rows(self.browser)[1:]]
        self.assertEqual(subjects[0], "Invoice wrong")
        self.assertEqual(len(subjects), 3)

    def test_cells_a_spreadsheet_would_run_are_neutralised(self):
        with as_user(self.portal, CUSTOMER):
            for subject in ("+SUM(A1:A9)", "-2+3", "@cmd", "plain = text"):
                tickets.create(subject, "<p>formula</p>")
        transaction.commit()
        self.browser.open(f"{self.portal_url}/@@tickets-export?SearchableText=formula")
        subjects = sorted(row[1] for row in self.rows(self.browser)[1:])
        self.assertEqual(subjects, ["'+SUM(A1:A9)", "'-2+3", "'@cmd", "plain = text"])

    def test_spanish_headers_and_text(self):
        api.portal.set_registry_record("plone.available_languages", ["en", "es"])
        api.portal.set_registry_record("plone.use_request_negotiation", True)
        transaction.commit()
        browser = browser_for(self.layer, STAFF)
        browser.addHeader("Accept-Language", "es")
        browser.open(f"{self.portal_url}/@@tickets-export?customer={OTHER_CUSTOMER}")
        rows = self.rows(browser)
        self.assertEqual(rows[0][:4], ["Número", "Asunto", "Cliente", "Estado"])
        self.assertEqual(rows[0][-1], "Última actividad")
        self.assertEqual(rows[1][3], "En curso")
        browser.open(f"{self.portal_url}/@@tickets-export?category=billing")
        rows = self.rows(browser)
        self.assertEqual(rows[1][1], "Invoice wrong")
        self.assertEqual(rows[1][6], "Facturación")

    def test_nobody_else_may_export(self):
        for userid in REFUSED:
            status, body = fetch(
                self.layer, userid, f"{self.portal_url}/@@tickets-export"
            )
            self.assertNotEqual(status, 200, userid)
            self.assertNotIn("Printer jam", body, userid)
            self.assertNotIn("Invoice wrong", body, userid)


class TestMenuAndListings(QueueTestCase):
    def test_staff_menu_says_how_many_wait_for_them(self):
        self.browser.open(self.portal_url)
        # Printer jam and Invoice wrong: their customer wrote last.
        self.assertIn("Tickets (2)", self.browser.contents)
        self.browser.getLink("Tickets (2)").click()
        self.assertTrue(self.browser.url.endswith("/@@tickets"))
        with as_user(self.portal, STAFF):
            tickets.reply(self.printer, "<p>Done</p>")
        transaction.commit()
        self.browser.open(self.portal_url)
        self.assertIn("Tickets (1)", self.browser.contents)
        with as_user(self.portal, STAFF):
            tickets.close(self.invoice)
        transaction.commit()
        self.browser.open(self.portal_url)
        self.assertNotIn("Tickets (", self.browser.contents)
        self.assertIn('id="personaltools-tickets_overview"', self.browser.contents)

    def test_customers_have_no_staff_entry(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER):
            customer = browser_for(self.layer, userid)
            customer.open(self.portal_url)
            self.assertNotIn("Tickets (", customer.contents)
            self.assertNotIn("personaltools-tickets_overview", customer.contents)
            status, _body = fetch(
                self.layer, userid, f"{self.portal_url}/@@tickets-menu-title"
            )
            self.assertNotEqual(status, 200)

    def test_numbers_in_every_listing(self):
        number = f"#{self.invoice.ticket_number}"
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(f"{self.portal_url}/@@my-tickets")
        self.assertIn(number, customer.contents)
        self.browser.open(f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}")
        self.assertIn(number, self.browser.contents)
        self.browser.open(f"{self.portal_url}/@@tickets")
        self.assertIn(number, self.browser.contents)
