"""Service levels on real tickets: the due time in the catalog follows the
conversation, the priority, closing and the settings."""

from Acquisition import aq_base
from collective.tickets import api as tickets
from collective.tickets.core.queue import queue_brains
from collective.tickets.core.queue import queue_page
from collective.tickets.core.queue import QueueFilter
from collective.tickets.core.sla import measure
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import STAFF
from DateTime import DateTime
from helpers import as_user
from helpers import round_the_clock
from helpers import set_setting
from plone import api

import transaction
import unittest


HOUR = 3600


class SLATestCase(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        round_the_clock()
        set_setting("first_response_normal", 2.0)
        set_setting("resolution_normal", 8.0)
        set_setting("resolution_urgent", 1.0)
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer on fire", "<p>Help</p>")

    def brain(self):
        catalog = api.portal.get_tool("portal_catalog")
        (brain,) = catalog.unrestrictedSearchResults(UID=self.ticket.UID())
        return brain

    def due_tickets(self):
        catalog = api.portal.get_tool("portal_catalog")
        return catalog.unrestrictedSearchResults(
            portal_type="Ticket", ticket_due={"query": 0, "range": "min"}
        )

    def created(self, obj):
        return obj.created().timeTime()


class TestDueTimes(SLATestCase):
    def test_a_new_ticket_is_due_for_its_first_response(self):
        brain = self.brain()
        self.assertAlmostEqual(
            brain.ticket_due, self.created(self.ticket) + 2 * HOUR, delta=1
        )
        self.assertEqual(len(self.due_tickets()), 1)
        self.assertTrue(brain.ticket_sla[6])

    def test_the_staff_reply_pauses_and_the_customer_reply_resumes(self):
        with as_user(self.portal, STAFF):
            answer = tickets.reply(self.ticket, "<p>Is it plugged in?</p>")
        brain = self.brain()
        self.assertIsNone(brain.ticket_due)
        self.assertEqual(len(self.due_tickets()), 0)
        # (due, first response, resolution, met first, met resolution,
        # closed at, staff's turn)
        self.assertLess(brain.ticket_sla[1], 60)
        self.assertTrue(brain.ticket_sla[3])
        self.assertFalse(brain.ticket_sla[6])
        with as_user(self.portal, CUSTOMER):
            back = tickets.reply(self.ticket, "<p>It is</p>")
        used = self.created(answer) - self.created(self.ticket)
        self.assertAlmostEqual(
            self.brain().ticket_due,
            self.created(back) + 8 * HOUR - used,
            delta=1,
        )

    def test_a_new_priority_moves_the_due_time(self):
        with as_user(self.portal, STAFF):
            tickets.set_priority(self.ticket, "urgent")
        # Urgent has a resolution target (1 h) and no first-response target.
        self.assertAlmostEqual(
            self.brain().ticket_due, self.created(self.ticket) + HOUR, delta=1
        )

    def test_closing_stops_the_clock_and_keeps_the_figures(self):
        with as_user(self.portal, STAFF):
            api.content.transition(obj=self.ticket, transition="complete")
        brain = self.brain()
        self.assertIsNone(brain.ticket_due)
        self.assertIsNotNone(brain.ticket_sla[2])
        self.assertTrue(brain.ticket_sla[4])
        self.assertIsNotNone(brain.ticket_sla[5])
        with as_user(self.portal, STAFF):
            api.content.transition(obj=self.ticket, transition="reopen")
        # The customer wrote last: the staff's turn again.
        self.assertIsNotNone(self.brain().ticket_due)

    def test_internal_notes_do_not_answer_the_customer(self):
        with as_user(self.portal, STAFF):
            tickets.add_note(self.ticket, "<p>Ask facilities</p>")
        self.assertIsNotNone(self.brain().ticket_due)
        self.assertIsNone(measure(self.ticket).first_response_seconds)

    def test_without_targets_nothing_is_due(self):
        set_setting("first_response_normal", None)
        set_setting("resolution_normal", None)
        with as_user(self.portal, CUSTOMER):
            tickets.create("Second", "<p>x</p>")
        self.assertEqual(len(self.due_tickets()), 1)  # the first one only


class TestSettingsMoveDueTimes(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        round_the_clock()
        set_setting("first_response_normal", 2.0)
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer on fire", "<p>Help</p>")
        transaction.commit()

    def test_changing_a_target_recomputes_the_open_tickets_once(self):
        catalog = api.portal.get_tool("portal_catalog")
        created = self.ticket.created().timeTime()
        calls = []
        cls = aq_base(self.ticket).__class__
        original = cls.reindexObject

        def counting(obj, idxs=()):
            calls.append(tuple(idxs))
            return original(obj, idxs=idxs)

        cls.reindexObject = counting
        try:
            set_setting("first_response_normal", 4.0)
            set_setting("hours_sunday", "00:00-24:00")
            transaction.commit()
        finally:
            del cls.reindexObject
        self.assertEqual(calls, [("ticket_due", "ticket_next_job", "ticket_closed")])
        (brain,) = catalog.unrestrictedSearchResults(UID=self.ticket.UID())
        self.assertAlmostEqual(brain.ticket_due, created + 4 * HOUR, delta=1)


class TestWorkQueue(SLATestCase):
    """The overview's due filters and its sort by due time."""

    def setUp(self):
        super().setUp()
        self.made = {"Printer on fire": self.ticket}
        for subject, hours_ago in (("Overdue", 3), ("Soon", 1.5), ("Later", 0)):
            with as_user(self.portal, CUSTOMER):
                ticket = tickets.create(subject, "<p>x</p>")
            ticket.creation_date = DateTime() - hours_ago / 24
            ticket.reindexObject()
            self.made[subject] = ticket
        with as_user(self.portal, STAFF):
            tickets.reply(self.ticket, "<p>Answered</p>")

    def queue(self, **filters):
        with as_user(self.portal, STAFF):
            return [b.Title for b in queue_brains(QueueFilter(**filters))]

    def test_overdue_and_due_soon(self):
        self.assertEqual(self.queue(due="overdue"), ["Overdue"])
        self.assertEqual(self.queue(due="soon"), ["Soon"])
        self.assertEqual(self.queue(due="overdue", waiting="customer"), [])
        self.assertEqual(self.queue(due="overdue", state="completed"), [])

    def test_sorted_by_due_time_soonest_first(self):
        self.assertEqual(
            self.queue(sort="due"), ["Overdue", "Soon", "Later", "Printer on fire"]
        )
        with as_user(self.portal, STAFF):
            page = queue_page(QueueFilter(sort="due"), 1, 2)
        self.assertEqual([b.Title for b in page], ["Soon", "Later"])

    def test_the_filter_lives_in_the_url(self):
        flt = QueueFilter.from_form({"due": "overdue", "sort": "due"})
        self.assertEqual(flt.params(), {"due": "overdue", "sort": "due"})
        self.assertEqual(QueueFilter.from_form({"due": "yesterday"}).due, "")
