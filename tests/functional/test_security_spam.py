"""Issue 12, item 1: the helpdesk must not be a spam relay.

Rate limits per customer, CC addresses in the customer's own domain, mails
that carry the new message only, and CC recipients who are told who added
them and can leave a ticket with a signed link, without an account.
"""

from collective.tickets import api as tickets
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.mailin.tokens import root_message_id
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from DateTime import DateTime
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import post_multipart
from helpers import SentMailMixin
from plone import api
from plone.uuid.interfaces import IUUID

import json
import re
import transaction
import unittest


CUSTOMER_MAIL = USERS[CUSTOMER]["email"]
STAFF_MAIL = USERS[STAFF]["email"]
CC_MAIL = "boss@example.org"
UNSUBSCRIBE_RE = re.compile(r"(http://\S+/@@ticket-unsubscribe/\S+)")


def text_of(mail):
    return mail.get_body(("plain",)).get_content()


class SpamTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        SENT_MAIL.clear()

    def set(self, name, value):
        api.portal.set_registry_record(name, value, interface=ITicketSettings)
        transaction.commit()

    def create(self, subject="Printer jam", cc=(), userid=CUSTOMER, **kw):
        with as_user(self.portal, userid):
            ticket = tickets.create(subject, "<p>It <b>jams</b>.</p>", cc=cc, **kw)
        self.commit()
        return ticket

    def backdate(self, ticket, hours):
        ticket.creation_date = DateTime() - hours / 24
        ticket.reindexObject(idxs=["created"])
        self.commit()

    def customer_tickets(self, userid=CUSTOMER):
        return api.content.find(
            portal_type="Ticket", ticket_customer=userid, unrestricted=True
        )

    def submit_form(self, browser, **kw):
        browser.open(self.portal_url + "/@@new-ticket")
        post_multipart(
            browser,
            self.portal_url + "/@@new-ticket",
            new_ticket_fields(authenticator(browser), **kw),
        )

    def post_json(self, userid, url, body):
        browser = browser_for(self.layer, userid)
        browser.addHeader("Accept", "application/json")
        browser.post(url, json.dumps(body), "application/json")
        return browser, json.loads(browser.contents)


class TestTicketRateLimits(SpamTestCase):
    def test_form_refuses_a_ticket_over_the_hourly_limit_and_keeps_the_input(self):
        self.set("max_tickets_per_hour", 2)
        self.create("One")
        self.create("Two")
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_form(browser, subject="Third one", text="<p>Keep me</p>")
        self.assertIn(
            "You have reached the limit of 2 new tickets per hour", browser.contents
        )
        self.assertIn("You can open the next one after", browser.contents)
        self.assertEqual(
            browser.getControl(name="form.widgets.title").value, "Third one"
        )
        self.assertIn("Keep me", browser.getControl(name="form.widgets.text").value)
        self.assertEqual(len(self.customer_tickets()), 2)

    def test_tickets_older_than_an_hour_do_not_count_for_the_hourly_limit(self):
        self.set("max_tickets_per_hour", 1)
        self.backdate(self.create("Old"), hours=2)
        self.create("New")
        with self.assertRaises(TicketInputError) as refused:
            self.create("Too many")
        self.assertIn("the limit of 1 new tickets per hour", str(refused.exception))
        self.assertEqual(len(self.customer_tickets()), 2)

    def test_daily_limit_counts_the_last_24_hours(self):
        self.set("max_tickets_per_day", 2)
        self.backdate(self.create("Morning"), hours=5)
        self.create("Now")
        with self.assertRaises(TicketInputError) as refused:
            self.create("Too many")
        self.assertIn("the limit of 2 new tickets per day", str(refused.exception))
        for brain in self.customer_tickets():
            self.backdate(brain.getObject(), hours=25)
        self.create("Next day")
        self.assertEqual(len(self.customer_tickets()), 3)

    def test_rest_api_refuses_over_the_limit_with_a_400(self):
        self.set("max_tickets_per_hour", 1)
        self.create("One")
        browser, data = self.post_json(
            CUSTOMER,
            self.portal_url + "/@tickets",
            {"title": "Two", "text": "<p>x</p>"},
        )
        self.assertEqual(browser.headers["status"].split()[0], "400")
        self.assertEqual(data["type"], "BadRequest")
        self.assertIn("the limit of 1 new tickets per hour", data["message"])
        self.assertEqual(len(self.customer_tickets()), 1)

    def test_each_customer_has_a_quota_of_their_own(self):
        self.set("max_tickets_per_hour", 1)
        self.create("Mine")
        with self.assertRaises(TicketInputError):
            self.create("Mine again")
        self.create("Theirs", userid=OTHER_CUSTOMER)
        self.assertEqual(len(self.customer_tickets(OTHER_CUSTOMER)), 1)

    def test_staff_are_not_limited_even_for_a_customer_at_the_limit(self):
        self.set("max_tickets_per_hour", 1)
        self.set("max_cc_per_hour", 1)
        self.create("Mine")
        with self.assertRaises(TicketInputError):
            self.create("Mine again")
        self.create("For the customer", userid=STAFF, customer=CUSTOMER)
        self.create("CCs", userid=STAFF, cc=["a@example.org", "b@example.org"])
        self.create("Own 2", userid=STAFF)
        self.assertEqual(len(self.customer_tickets()), 2)
        self.assertEqual(len(self.customer_tickets(STAFF)), 2)


class TestCCRateLimits(SpamTestCase):
    def test_cc_addresses_per_hour_add_up_over_tickets_on_the_form(self):
        self.set("max_cc_per_hour", 3)
        self.create("One", cc=["a@example.org", "b@example.org"])
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_form(
            browser,
            subject="Two",
            text="<p>x</p>",
            cc=[("c@example.org", ""), ("d@example.org", "")],
        )
        self.assertIn("This ticket adds 2 CC addresses", browser.contents)
        self.assertIn("at most 3 are allowed per hour", browser.contents)
        self.assertEqual(browser.getControl(name="form.widgets.title").value, "Two")
        self.assertEqual(len(self.customer_tickets()), 1)
        # One more fits.
        self.create("Three", cc=["c@example.org"])
        self.assertEqual(len(self.customer_tickets()), 2)

    def test_more_cc_than_the_hourly_limit_on_one_ticket(self):
        self.set("max_cc_per_hour", 2)
        with self.assertRaises(TicketInputError) as refused:
            self.create(cc=["a@example.org", "b@example.org", "c@example.org"])
        self.assertIn("at most 2 can be added per hour", str(refused.exception))

    def test_cc_addresses_per_day(self):
        self.set("max_cc_per_day", 2)
        self.backdate(self.create("Old", cc=["a@example.org", "b@example.org"]), 3)
        with self.assertRaises(TicketInputError) as refused:
            self.create("New", cc=["c@example.org"])
        self.assertIn("at most 2 are allowed per day", str(refused.exception))
        self.create("No CC")

    def test_unsubscribing_does_not_give_the_quota_back(self):
        self.set("max_cc_per_hour", 2)
        ticket = self.create("One", cc=["a@example.org", "b@example.org"])
        ticket.cc_recipients = []
        ticket.reindexObject()
        self.commit()
        with self.assertRaises(TicketInputError):
            self.create("Two", cc=["c@example.org"])


class TestOwnDomainOnly(SpamTestCase):
    def test_form_refuses_a_cc_outside_the_customers_domain(self):
        self.set("cc_own_domain_only", True)
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_form(
            browser, subject="Outside", text="<p>x</p>", cc=[(CC_MAIL, "Boss")]
        )
        self.assertIn(
            "'boss@example.org' is not in your e-mail domain: you can only copy "
            "addresses ending in @example.com.",
            browser.contents,
        )
        self.assertEqual(len(self.customer_tickets()), 0)
        self.create("Inside", cc=["colleague@example.com"])
        self.assertEqual(len(self.customer_tickets()), 1)

    def test_rest_api_refuses_a_cc_outside_the_domain(self):
        self.set("cc_own_domain_only", True)
        browser, data = self.post_json(
            CUSTOMER,
            self.portal_url + "/@tickets",
            {"title": "x", "text": "<p>x</p>", "cc": ["boss@example.com.evil.org"]},
        )
        self.assertEqual(browser.headers["status"].split()[0], "400")
        (problem,) = json.loads(data["message"])
        self.assertEqual(problem["field"], "cc_recipients")
        self.assertIn("not in your e-mail domain", problem["message"])

    def test_staff_may_copy_any_domain(self):
        self.set("cc_own_domain_only", True)
        with self.assertRaises(TicketInputError):
            self.create("Herself", cc=[CC_MAIL])
        self.create("For her", userid=STAFF, customer=CUSTOMER, cc=[CC_MAIL])
        self.assertEqual(len(self.customer_tickets()), 1)


class TestMailsCarryTheNewMessageOnly(SpamTestCase):
    def test_a_reply_mail_has_the_new_message_and_the_link_not_the_history(self):
        ticket = self.create(cc=[CC_MAIL])
        self.take_mail()
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>" + "Fixed now. " * 200 + "</p>")
        self.commit()
        mails = self.take_mail()
        self.assertEqual(len(mails), 2)
        for mail in mails:
            text = text_of(mail)
            self.assertIn("Fixed now.", text)
            self.assertIn("In progress", text)
            self.assertIn(ticket.absolute_url(), text)
            self.assertNotIn("It jams.", text)
            root_id = root_message_id(ticket)
            self.assertEqual(mail["In-Reply-To"], root_id)
            self.assertEqual(mail["References"], root_id)
        with as_user(self.portal, CUSTOMER):
            tickets.reply(ticket, "<p>Thanks.</p>")
        self.commit()
        for mail in self.take_mail():
            self.assertNotIn("Fixed now.", text_of(mail))


class TestCCMails(SpamTestCase):
    def test_first_cc_mail_says_who_added_them_the_next_ones_do_not(self):
        ticket = self.create(cc=[CC_MAIL])
        (first,) = [m for m in self.take_mail() if m["To"] == CC_MAIL]
        self.assertIn(
            "Carla Customer added you (boss@example.org) as a CC recipient",
            text_of(first),
        )
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Looking.</p>")
        self.commit()
        (second,) = [m for m in self.take_mail() if m["To"] == CC_MAIL]
        self.assertNotIn("added you", text_of(second))
        self.assertIn("Looking.", text_of(second))

    def test_every_cc_mail_has_the_unsubscribe_link_and_rfc8058_headers(self):
        ticket = self.create(cc=[CC_MAIL])
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Looking.</p>")
        self.commit()
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
        self.commit()
        cc_mails = [m for m in self.take_mail() if m["To"] == CC_MAIL]
        self.assertEqual(len(cc_mails), 3)
        for mail in cc_mails:
            (url,) = UNSUBSCRIBE_RE.findall(text_of(mail))
            self.assertIn(f'href="{url}"', mail.get_body(("html",)).get_content())
            self.assertEqual(mail["List-Unsubscribe"], f"<{url}>")
            self.assertEqual(
                mail["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
            )

    def test_customer_and_staff_never_get_an_unsubscribe_link(self):
        # The customer copies a staff member: staff still hear as staff.
        ticket = self.create(cc=[CC_MAIL, STAFF_MAIL, "manager1@example.com"])
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Looking.</p>")
        self.commit()
        mails = self.take_mail()
        self.assertEqual(
            {m["To"] for m in mails},
            {CUSTOMER_MAIL, STAFF_MAIL, CC_MAIL, "manager1@example.com"},
        )
        for mail in mails:
            if mail["To"] == CC_MAIL:
                self.assertIsNotNone(mail["List-Unsubscribe"])
                continue
            self.assertIsNone(mail["List-Unsubscribe"], mail["To"])
            self.assertNotIn("@@ticket-unsubscribe", text_of(mail))
            self.assertNotIn("added you", text_of(mail))


class TestUnsubscribe(SpamTestCase):
    def link_for(self, cc=(CC_MAIL,), subject="Printer jam"):
        ticket = self.create(subject, cc=list(cc))
        mail = next(m for m in self.take_mail() if m["To"] == cc[0])
        (url,) = UNSUBSCRIBE_RE.findall(text_of(mail))
        return ticket, url

    def cc_of(self, ticket):
        transaction.begin()
        return [row["email"] for row in ticket.cc_recipients]

    def status(self, browser):
        return int(browser.headers["status"].split()[0])

    def test_get_asks_for_confirmation_and_changes_nothing(self):
        ticket, url = self.link_for()
        browser = browser_for(self.layer)
        browser.open(url)
        self.assertEqual(self.status(browser), 200)
        self.assertIn("Stop these e-mails", browser.contents)
        self.assertIn(CC_MAIL, browser.contents)
        self.assertNotIn("Printer jam", browser.contents)
        self.assertEqual(self.cc_of(ticket), [CC_MAIL])

    def test_confirming_removes_the_address_and_the_next_reply_skips_it(self):
        ticket, url = self.link_for(cc=(CC_MAIL, "other@example.org"))
        browser = browser_for(self.layer)
        browser.open(url)
        browser.getControl("Stop these e-mails").click()
        self.assertEqual(self.status(browser), 200)
        self.assertIn(
            "boss@example.org no longer receives e-mails about this ticket",
            browser.contents,
        )
        self.assertEqual(self.cc_of(ticket), ["other@example.org"])
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Fixed.</p>")
        self.commit()
        self.assertEqual(
            sorted(m["To"] for m in self.take_mail()),
            [CUSTOMER_MAIL, "other@example.org"],
        )

    def test_one_click_post_of_rfc8058_removes_the_address(self):
        ticket, url = self.link_for()
        browser = browser_for(self.layer)
        browser.post(url, "List-Unsubscribe=One-Click")
        self.assertEqual(self.status(browser), 200)
        self.assertEqual(self.cc_of(ticket), [])

    def test_a_logged_in_member_can_use_the_link_too(self):
        ticket, url = self.link_for(cc=("ccmember1@example.com",))
        browser = browser_for(self.layer, "ccmember1")
        browser.open(url)
        browser.getControl("Stop these e-mails").click()
        self.assertIn("no longer receives e-mails", browser.contents)
        self.assertEqual(self.cc_of(ticket), [])

    def test_a_tampered_token_is_a_400_that_names_no_ticket(self):
        ticket, url = self.link_for()
        forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
        browser = browser_for(self.layer)
        for method in ("GET", "POST"):
            if method == "GET":
                browser.open(forged)
            else:
                browser.post(forged, "List-Unsubscribe=One-Click")
            self.assertEqual(self.status(browser), 400)
            self.assertIn("This unsubscribe link is not valid", browser.contents)
            self.assertNotIn("Printer jam", browser.contents)
        browser.open(url.rsplit("/", 1)[0] + "/not-a-token")
        self.assertEqual(self.status(browser), 400)
        self.assertEqual(self.cc_of(ticket), [CC_MAIL])

    def test_a_token_moved_to_another_ticket_is_refused(self):
        first, url = self.link_for(subject="First")
        second = self.create("Second secret", cc=[CC_MAIL])
        self.take_mail()
        self.assertIn(IUUID(first), url)
        moved = url.replace(IUUID(first), IUUID(second))
        browser = browser_for(self.layer)
        browser.post(moved, "List-Unsubscribe=One-Click")
        self.assertEqual(self.status(browser), 400)
        self.assertNotIn("Second secret", browser.contents)
        self.assertEqual(self.cc_of(second), [CC_MAIL])
        # A genuine link leaves the address on the other tickets.
        browser.post(url, "List-Unsubscribe=One-Click")
        self.assertEqual(self.cc_of(first), [])
        self.assertEqual(self.cc_of(second), [CC_MAIL])

    def test_a_link_for_a_deleted_ticket_is_a_404(self):
        ticket, url = self.link_for()
        api.content.delete(obj=ticket, check_linkintegrity=False)
        self.commit()
        browser = browser_for(self.layer)
        browser.open(url)
        self.assertEqual(self.status(browser), 404)
        self.assertIn("This ticket no longer exists", browser.contents)


class TestUpgrade(SpamTestCase):
    def test_upgrade_adds_the_cc_column_and_stops_quoting_the_conversation(self):
        from collective.tickets.upgrades.v1001 import upgrade
        from plone.contentrules.engine.interfaces import IRuleStorage
        from zope.component import getUtility

        ticket = self.create(cc=[CC_MAIL])
        self.take_mail()
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delColumn("ticket_cc_count")
        action = getUtility(IRuleStorage)["collective-tickets-reply-added"].actions[0]
        action.message = "${reply_text}\n\n${ticket_conversation}"
        self.commit()
        upgrade(api.portal.get_tool("portal_setup"))
        self.commit()
        (brain,) = catalog.unrestrictedSearchResults(UID=IUUID(ticket))
        self.assertEqual(brain.ticket_cc_count, 1)
        self.assertNotIn("${ticket_conversation}", action.message)
        self.assertIn("${reply_text}", action.message)
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Fixed.</p>")
        self.commit()
        for mail in self.take_mail():
            self.assertNotIn("It jams.", text_of(mail))
