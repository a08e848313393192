"""Satisfaction ratings: the closing mail's link (no login, signed, expiring,
good for one ticket), the form on the ticket's page, one rating per ticket
changeable for 7 days; as the customer, the other customer, anonymous and
staff."""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core import satisfaction
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import SentMailMixin
from plone import api

import re
import transaction
import unittest


class RatingTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer on fire", "<p>Help</p>")
            self.other = tickets.create("Scanner", "<p>Help</p>")
        with as_user(self.portal, STAFF):
            tickets.close(self.ticket)
            tickets.close(self.other)
        self.commit()

    def link(self):
        """The rating link of the customer's closing mail."""
        for mail in self.take_mail():
            if USERS[CUSTOMER]["email"] in mail["To"]:
                text = mail.get_body(("plain",)).get_content()
                found = re.search(r"(http\S+/@@ticket-rating/\S+)", text)
                if found and "Printer on fire" in text:
                    return found.group(1)
        self.fail("no rating link in the customer's closing mail")

    def stored(self, ticket=None):
        transaction.begin()
        with as_user(self.portal, STAFF):
            return satisfaction.rating(ticket or self.ticket)


class TestTheMailLink(RatingTestCase):
    def test_one_click_from_the_mail_then_send(self):
        link = self.link()
        browser = browser_for(self.layer)
        browser.open(f"{link}?score=4")
        self.assertIn("How did we do?", browser.contents)
        self.assertIn("Printer on fire", browser.contents)
        # Opening it wrote nothing (mail scanners follow links).
        self.assertIsNone(self.stored())
        self.assertEqual(browser.getControl(name="score").value, ["4"])
        browser.getControl(name="comment").value = "Quick and kind"
        browser.getControl(name="form.button.rate").click()
        self.assertIn("Thank you for your rating", browser.contents)
        rating = self.stored()
        self.assertEqual((rating.score, rating.comment), (4, "Quick and kind"))
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(len(catalog.unrestrictedSearchResults(ticket_rating=4)), 1)
        # Changed from the same link.
        browser.open(link)
        self.assertEqual(browser.getControl(name="score").value, ["4"])
        browser.getControl(name="score").value = ["2"]
        browser.getControl(name="form.button.rate").click()
        self.assertEqual(self.stored().score, 2)

    def test_a_changed_or_foreign_token_rates_nothing(self):
        link = self.link()
        uid, expires, signature = link.rsplit("/", 1)[1].split(".")
        other_uid = self.other.UID()
        for token in (
            f"{uid}.{expires}.{signature[:-2]}xx",
            f"{other_uid}.{expires}.{signature}",
            f"{uid}.{int(expires) + 86400}.{signature}",
            "nonsense",
        ):
            browser = browser_for(self.layer)
            browser.post(
                f"{self.portal.absolute_url()}/@@ticket-rating/{token}", "score=5"
            )
            self.assertTrue(browser.headers["status"].startswith("404"), token)
            self.assertIn("not valid or has expired", browser.contents)
        self.assertIsNone(self.stored())
        self.assertIsNone(self.stored(self.other))

    def test_the_link_expires_with_the_week(self):
        token = self.link().rsplit("/", 1)[1]
        later = datetime.now(UTC) + timedelta(days=8)
        with self.assertRaises(satisfaction.InvalidToken):
            satisfaction.ticket_for_token(token, now=later)
        # Within the week it still rates.
        ticket, rating = satisfaction.rate_with_token(
            token, 5, now=later - timedelta(days=2)
        )
        self.assertEqual((ticket.getId(), rating.score), (self.ticket.getId(), 5))

    def test_a_bad_score_is_refused_with_a_message(self):
        browser = browser_for(self.layer)
        browser.post(self.link(), "score=9")
        self.assertTrue(browser.headers["status"].startswith("400"))
        self.assertIn("Choose a rating from 1 to 5", browser.contents)
        self.assertIsNone(self.stored())


class TestOnTheTicketPage(RatingTestCase):
    def test_the_customer_rates_on_the_page(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.ticket.absolute_url())
        self.assertIn('id="ticket-rating"', browser.contents)
        browser.getControl(name="score").value = ["5"]
        browser.getControl(name="comment").value = "Great"
        browser.getForm(action="@@rate-ticket").submit()
        self.assertEqual(self.stored().score, 5)
        browser.open(self.ticket.absolute_url())
        self.assertIn("Rated", browser.contents)

    def test_the_staff_see_the_rating_and_cannot_give_it(self):
        with as_user(self.portal, CUSTOMER):
            satisfaction.rate(self.ticket, 3, "Slow")
        self.commit()
        staff = browser_for(self.layer, STAFF)
        staff.open(self.ticket.absolute_url())
        self.assertIn("Slow", staff.contents)
        self.assertNotIn("@@rate-ticket", staff.contents)
        with as_user(self.portal, STAFF), self.assertRaises(Unauthorized):
            satisfaction.rate(self.ticket, 5)

    def test_nobody_else_rates_or_reads_it(self):
        with as_user(self.portal, CUSTOMER):
            satisfaction.rate(self.ticket, 3, "Secret opinion")
        self.commit()
        for userid in (OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.open(self.ticket.absolute_url())
            self.assertNotIn("Secret opinion", browser.contents, userid)
            # A genuine CSRF token of theirs: the permission must refuse.
            browser.open(f"{self.portal.absolute_url()}/@@new-ticket")
            token = authenticator(browser) if userid else ""
            browser.post(
                f"{self.ticket.absolute_url()}/@@rate-ticket",
                f"score=1&_authenticator={token}",
            )
            self.assertEqual(self.stored().score, 3, userid)
        with as_user(self.portal, OTHER_CUSTOMER), self.assertRaises(Unauthorized):
            satisfaction.rating(self.ticket)

    def test_open_tickets_are_not_rated_and_the_week_ends(self):
        with as_user(self.portal, CUSTOMER):
            fresh = tickets.create("Open", "<p>x</p>")
            with self.assertRaises(TicketStateError):
                satisfaction.rate(fresh, 4)
            with self.assertRaises(TicketInputError):
                satisfaction.rate(self.ticket, 0)
            later = datetime.now(UTC) + timedelta(days=7, minutes=1)
            with self.assertRaises(TicketStateError):
                satisfaction.rate(self.ticket, 4, now=later)
        self.assertEqual(satisfaction.make_token(fresh), None)
