"""Portal integrations: the personal menu, the ticket display name, the staff
"Customer tickets" tab and the staff overview."""

from collective.tickets import api as tickets
from collective.tickets.content.ticket import Ticket
from collective.tickets.core.people import display_name
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import browser_for
from plone import api
from unittest import mock
from ZODB.Connection import Connection

import re
import transaction
import unittest


def personal_menu(browser):
    html = browser.contents
    start = html.index('id="collapse-personaltools"')
    return html[start : html.index("</ul>", start)]


class IntegrationTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()

    def open(self, userid, subject, text="<p>Hello</p>"):
        with as_user(self.portal, userid):
            return tickets.create(subject, text)

    def reply(self, userid, ticket, text):
        with as_user(self.portal, userid):
            return tickets.reply(ticket, text)


class TestPersonalMenu(IntegrationTestCase):
    def test_my_tickets_entry_counts_tickets_in_progress(self):
        first = self.open(CUSTOMER, "One")
        self.open(CUSTOMER, "Two")
        with as_user(self.portal, CUSTOMER):
            tickets.close(first)
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url)
        menu = personal_menu(browser)
        self.assertIn("My tickets (1)", menu)
        self.assertIn('id="personaltools-my_tickets"', menu)
        self.assertLess(
            menu.index("personaltools-my_tickets"), menu.index("personaltools-logout")
        )
        browser.getLink(id="personaltools-my_tickets").click()
        self.assertTrue(browser.url.endswith("/@@my-tickets"))

    def test_my_tickets_without_tickets_has_no_count(self):
        browser = browser_for(self.layer, OTHER_CUSTOMER)
        browser.open(self.portal_url)
        self.assertRegex(personal_menu(browser), r"My tickets\s*</")

    def test_anonymous_has_no_my_tickets_entry(self):
        browser = browser_for(self.layer)
        browser.open(self.portal_url)
        self.assertNotIn("personaltools-my_tickets", browser.contents)

    def test_overview_entry_only_for_staff(self):
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.portal_url)
        self.assertNotIn("personaltools-tickets_overview", customer.contents)
        staff = browser_for(self.layer, STAFF)
        staff.open(self.portal_url)
        self.assertIn("personaltools-tickets_overview", personal_menu(staff))
        staff.getLink(id="personaltools-tickets_overview").click()
        self.assertTrue(staff.url.endswith("/@@tickets"))

    def test_overview_is_linked_from_the_control_panel(self):
        browser = browser_for(self.layer, SITE_ADMIN)
        browser.open(self.portal_url + "/@@overview-controlpanel")
        self.assertIn(f'href="{self.portal_url}/@@tickets"', browser.contents)


class TestDisplayName(IntegrationTestCase):
    def test_sender_name_rule(self):
        # Names are remembered for one request; each look-up here is a new one.
        with mock.patch("collective.tickets.core.people.getRequest", return_value=None):
            self.assertEqual(display_name(CUSTOMER), "Carla Customer")
            user = api.user.get(userid=CUSTOMER)
            user.setMemberProperties({"ticket_display_name": "ACME Ltd."})
            self.assertEqual(display_name(CUSTOMER), "ACME Ltd.")
            user.setMemberProperties({"ticket_display_name": "  ", "fullname": ""})
            self.assertEqual(display_name(CUSTOMER), CUSTOMER)
            self.assertEqual(display_name("deleted-user"), "deleted-user")

    def test_customer_sets_it_in_the_profile_and_past_messages_follow(self):
        ticket = self.open(CUSTOMER, "Name test")
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@personal-information")
        self.assertIn("Display name for tickets", browser.contents)
        browser.getControl(name="form.widgets.ticket_display_name").value = "ACME Ltd."
        browser.getControl("Save").click()
        self.assertIn("Changes saved", browser.contents)
        browser.open(ticket.absolute_url())
        authors = re.findall(r'class="message-author">([^<]*)<', browser.contents)
        self.assertEqual(authors, ["ACME Ltd."])
        browser.open(self.portal_url + "/@@my-tickets")
        staff = browser_for(self.layer, STAFF)
        staff.open(self.portal_url + "/@@tickets")
        self.assertIn("ACME Ltd.", staff.contents)

    def test_user_admin_edits_it_on_the_users_page(self):
        browser = browser_for(self.layer, SITE_ADMIN)
        browser.open(self.portal_url + f"/@@user-information?userid={CUSTOMER}")
        browser.getControl(name="form.widgets.ticket_display_name").value = "Carla & Co"
        browser.getControl("Save").click()
        self.assertEqual(
            api.user.get(userid=CUSTOMER).getProperty("ticket_display_name"),
            "Carla & Co",
        )

    def test_default_member_fields_still_on_the_form(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@personal-information")
        for name in (
            "fullname",
            "email",
            "home_page",
            "description",
            "location",
            "portrait",
        ):
            self.assertIn(f"form.widgets.{name}", browser.contents)


class TestCustomerTicketsTab(IntegrationTestCase):
    def test_tab_on_the_user_pages_leads_to_the_customers_tickets(self):
        ticket = self.open(CUSTOMER, "Visible to staff")
        self.open(OTHER_CUSTOMER, "Someone else's")
        transaction.commit()
        browser = browser_for(self.layer, SITE_ADMIN)
        for page in (
            "@@user-information",
            "@@usergroup-usermembership",
            "@@user-preferences",
        ):
            browser.open(f"{self.portal_url}/{page}?userid={CUSTOMER}")
            self.assertIn("Personal Information", browser.contents)
            link = browser.getLink("Customer tickets")
            self.assertIn(f"@@customer-tickets?userid={CUSTOMER}", link.url)
        link.click()
        self.assertIn("Tickets of Carla Customer", browser.contents)
        self.assertIn("Visible to staff", browser.contents)
        self.assertNotIn("Someone else", browser.contents)
        browser.getLink("Visible to staff").click()
        self.assertEqual(browser.url, ticket.absolute_url())
        self.assertIn("Hello", browser.contents)

    def test_ticket_staff_reach_the_page_without_user_management(self):
        self.open(CUSTOMER, "For the staff")
        transaction.commit()
        browser = browser_for(self.layer, STAFF)
        browser.open(f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}")
        self.assertIn("For the staff", browser.contents)
        self.assertNotIn("Group Memberships", browser.contents)

    def test_state_filter_and_batching(self):
        with as_user(self.portal, CUSTOMER):
            for number in range(22):
                ticket = tickets.create(f"Batch {number:02d}", "<p>x</p>")
            tickets.close(ticket)
        transaction.commit()
        browser = browser_for(self.layer, STAFF)
        browser.open(f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}")
        self.assertEqual(browser.contents.count("<tr>") - 1, 20)
        browser.getLink("Completed").click()
        self.assertIn("userid=customer1", browser.url)
        self.assertIn("Batch 21", browser.contents)
        self.assertNotIn("Batch 20", browser.contents)

    def test_unknown_user_gets_a_clear_message(self):
        browser = browser_for(self.layer, STAFF)
        browser.open(f"{self.portal_url}/@@customer-tickets?userid=nobody")
        self.assertEqual(browser.headers["status"].split()[0], "200")
        self.assertIn("There is no user with the id «nobody»", browser.contents)

    def test_refused_to_customers_and_anonymous(self):
        for who in (CUSTOMER, None):
            browser = browser_for(self.layer, who)
            for page in (f"@@customer-tickets?userid={CUSTOMER}", "@@tickets"):
                browser.open(f"{self.portal_url}/{page}")
                self.assertTrue(
                    "insufficient-privileges" in browser.url or "login" in browser.url,
                    (who, page, browser.url),
                )

    def test_tab_hidden_from_user_admins_without_ticket_rights(self):
        api.portal.get().manage_permission(
            "collective.tickets: Manage Tickets", roles=["Manager"], acquire=False
        )
        transaction.commit()
        browser = browser_for(self.layer, SITE_ADMIN)
        browser.open(f"{self.portal_url}/@@user-information?userid={CUSTOMER}")
        self.assertNotIn("Customer tickets", browser.contents)


class TestOverview(IntegrationTestCase):
    def setUp(self):
        super().setUp()
        self.invoice = self.open(CUSTOMER, "Invoice wrong", "<p>The VAT is off</p>")
        self.printer = self.open(OTHER_CUSTOMER, "Printer jam")
        self.reply(STAFF, self.invoice, "<p>We refunded the difference</p>")
        self.login_issue = self.open(CUSTOMER, "Cannot log in")
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.close(self.printer)
        transaction.commit()
        self.browser = browser_for(self.layer, STAFF)

    def subjects(self):
        return re.findall(
            r'<a href="[^"]+/Members/[^"]+">([^<]+)</a>', self.browser.contents
        )

    def test_all_tickets_sorted_by_last_activity(self):
        self.browser.open(self.portal_url + "/@@tickets")
        # The staff reply made "Invoice wrong" newer than "Printer jam";
        # closing a ticket is not a message and does not count.
        self.assertEqual(
            self.subjects(), ["Cannot log in", "Invoice wrong", "Printer jam"]
        )

    def test_filters(self):
        self.browser.open(self.portal_url + "/@@tickets?state=completed")
        self.assertEqual(self.subjects(), ["Printer jam"])
        self.browser.open(self.portal_url + f"/@@tickets?customer={CUSTOMER}")
        self.assertEqual(sorted(self.subjects()), ["Cannot log in", "Invoice wrong"])
        form = self.browser.getForm(id="tickets-search")
        form.getControl(name="state").value = ["completed"]
        form.submit("Filter")
        self.assertEqual(self.subjects(), [])
        self.assertIn(f"customer={CUSTOMER}", self.browser.url)

    def test_full_text_search_over_subject_messages_and_replies(self):
        for text, expected in (
            ("Printer", ["Printer jam"]),
            ("VAT", ["Invoice wrong"]),
            ("refunded", ["Invoice wrong"]),
        ):
            self.browser.open(self.portal_url + "/@@tickets")
            form = self.browser.getForm(id="tickets-search")
            form.getControl(name="SearchableText").value = text
            form.submit("Filter")
            self.assertEqual(self.subjects(), expected, text)

    def test_awaiting_staff_marks_tickets_whose_customer_wrote_last(self):
        self.browser.open(self.portal_url + "/@@tickets")
        rows = self.browser.contents.split("<tr>")[2:]
        marked = [row for row in rows if "awaiting-staff" in row]
        self.assertEqual(len(marked), 1)
        self.assertIn("Cannot log in", marked[0])
        self.browser.open(self.portal_url + "/@@tickets?awaiting=1")
        self.assertEqual(self.subjects(), ["Cannot log in"])
        self.reply(CUSTOMER, self.invoice, "<p>Thanks, but one more thing</p>")
        transaction.commit()
        self.browser.open(self.portal_url + "/@@tickets?awaiting=1")
        self.assertEqual(sorted(self.subjects()), ["Cannot log in", "Invoice wrong"])

    def test_customer_name_links_to_the_customer_filter(self):
        self.browser.open(self.portal_url + "/@@tickets")
        self.browser.getLink("Otto Other").click()
        self.assertEqual(self.subjects(), ["Printer jam"])


class TestListingsAreCatalogOnly(IntegrationTestCase):
    def test_customer_tickets_wakes_no_ticket_for_500_tickets(self):
        with as_user(self.portal, CUSTOMER):
            for number in range(500):
                tickets.create(f"Ticket {number:03d}", "<p>x</p>")
        transaction.commit()
        browser = browser_for(self.layer, STAFF)
        loaded = []
        original = Connection.setstate

        def counting_setstate(connection, obj):
            loaded.append(type(obj))
            return original(connection, obj)

        url = f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}"
        with mock.patch.object(Connection, "setstate", counting_setstate):
            browser.open(url)
        self.assertIn("Ticket 499", browser.contents)
        self.assertEqual(browser.contents.count("<tr>") - 1, 20)
        self.assertEqual(loaded.count(Ticket), 0)
        # The same holds on a later page and in the staff overview.
        with mock.patch.object(Connection, "setstate", counting_setstate):
            browser.open(url + "&b_start:int=480")
        self.assertIn("Ticket 019", browser.contents)
        with mock.patch.object(Connection, "setstate", counting_setstate):
            browser.open(self.portal_url + "/@@tickets")
        self.assertIn("Ticket 480", browser.contents)
        self.assertEqual(loaded.count(Ticket), 0)
