"""The personal menu's counts ("Tickets (3)", "My tickets (2)"), kept per
state of the catalog and per reader (core.queries.cached_count)."""

from collective.tickets import api as tickets
from collective.tickets.core.queries import cached_count
from collective.tickets.core.queries import ticket_query
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import browser_for

import transaction
import unittest


class TestMenuCounts(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def waiting(self, userid=STAFF):
        with as_user(self.portal, userid):
            return cached_count(ticket_query(awaiting_staff=True))

    def test_the_count_follows_every_change_of_the_catalog(self):
        with as_user(self.portal, CUSTOMER):
            tickets.create("Printer", "<p>It jams.</p>")
        # Changed in this transaction: counted, not kept.
        self.assertEqual(self.waiting(), 1)
        transaction.commit()
        self.assertEqual(self.waiting(), 1)
        with as_user(self.portal, OTHER_CUSTOMER):
            ticket = tickets.create("Scanner", "<p>No scans.</p>")
        transaction.commit()
        self.assertEqual(self.waiting(), 2)
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>On it.</p>")
        transaction.commit()
        self.assertEqual(self.waiting(), 1)
        # Another reader, another count: each customer sees only theirs.
        self.assertEqual(self.waiting(CUSTOMER), 1)
        self.assertEqual(self.waiting(OTHER_CUSTOMER), 0)

    def test_the_menu_shows_the_count_after_each_change(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(self.portal.absolute_url())
        self.assertIn("Tickets</", staff.contents.replace("\n", "").replace(" ", ""))
        with as_user(self.portal, CUSTOMER):
            tickets.create("Printer", "<p>It jams.</p>")
        transaction.commit()
        staff.open(self.portal.absolute_url())
        self.assertIn("Tickets (1)", staff.contents)
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.portal.absolute_url())
        self.assertIn("My tickets (1)", customer.contents)

    def test_a_count_seen_after_a_savepoint_is_not_kept(self):
        with as_user(self.portal, CUSTOMER):
            tickets.create("Printer", "<p>It jams.</p>")
        transaction.commit()
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.create("Scanner", "<p>No scans.</p>")
        # The catalog's counter is stored at the savepoint and no longer
        # marked as changed, but the new ticket is not committed.
        transaction.savepoint(optimistic=True)
        self.assertEqual(self.waiting(), 2)
        transaction.abort()
        self.assertEqual(self.waiting(), 1)
