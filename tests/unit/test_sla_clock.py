"""The service-level clock of a ticket, from its life's events: whose turn,
what counts, when each target falls due."""

from collective.tickets.core.businesshours import Calendar
from collective.tickets.core.sla import CLOSE
from collective.tickets.core.sla import CUSTOMER
from collective.tickets.core.sla import FIRST_RESPONSE
from collective.tickets.core.sla import measure_events
from collective.tickets.core.sla import REOPEN
from collective.tickets.core.sla import RESOLUTION
from collective.tickets.core.sla import STAFF
from datetime import datetime
from datetime import timedelta
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from zoneinfo import ZoneInfo

import unittest


MADRID = ZoneInfo("Europe/Madrid")
OFFICE = Calendar.from_texts(["09:00-17:00"] * 5 + ["", ""], [], "Europe/Madrid")
HOUR = 3600
GOALS = {FIRST_RESPONSE: 2 * HOUR, RESOLUTION: 8 * HOUR}


def at(day, hour, minute=0):
    """December 2026: the 7th is a Monday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=MADRID)


def measure(*events, goals=GOALS):
    return measure_events(list(events), OFFICE, goals)


class TestClock(unittest.TestCase):
    def test_the_first_response_counts_business_time(self):
        clock = measure((at(7, 10), CUSTOMER), (at(7, 11, 30), STAFF))
        self.assertEqual(clock.first_response_seconds, 1.5 * HOUR)
        self.assertTrue(clock.met(FIRST_RESPONSE))
        self.assertFalse(clock.staff_turn)
        self.assertIsNone(clock.due)

    def test_the_due_time_skips_the_night(self):
        clock = measure((at(7, 16), CUSTOMER))
        self.assertTrue(clock.staff_turn)
        self.assertEqual(clock.first_response_due, at(8, 10))
        self.assertEqual(clock.resolution_due, at(8, 16))
        self.assertEqual(clock.due, at(8, 10))
        self.assertEqual(clock.due_target, FIRST_RESPONSE)
        self.assertEqual(clock.overdue_targets(at(8, 9)), ())
        self.assertEqual(clock.overdue_targets(at(8, 10)), (FIRST_RESPONSE,))
        self.assertEqual(clock.overdue_targets(at(8, 16)), (FIRST_RESPONSE, RESOLUTION))

    def test_opened_on_saturday_counts_from_monday(self):
        clock = measure((at(5, 11), CUSTOMER), (at(7, 9, 45), STAFF))
        self.assertEqual(clock.first_response_seconds, 45 * 60)

    def test_the_clock_stops_while_the_customer_has_to_answer(self):
        clock = measure(
            (at(7, 10), CUSTOMER),
            (at(7, 11), STAFF),  # 1 h; the customer's turn
            (at(9, 10), CUSTOMER),  # two days later: the staff's again
        )
        self.assertEqual(clock.consumed_seconds, HOUR)
        self.assertIsNone(clock.first_response_due)
        # 8 h of resolution, 1 used: 7 left from Wednesday 10:00.
        self.assertEqual(clock.resolution_due, at(9, 17))
        closed = measure(
            (at(7, 10), CUSTOMER),
            (at(7, 11), STAFF),
            (at(9, 10), CUSTOMER),
            (at(9, 12), STAFF),
            (at(11, 15), CLOSE),
        )
        self.assertEqual(closed.resolution_seconds, 3 * HOUR)
        self.assertTrue(closed.met(RESOLUTION))
        self.assertEqual(closed.closed_at, at(11, 15))
        self.assertIsNone(closed.due)

    def test_closing_while_the_staff_owe_an_answer_counts_until_then(self):
        clock = measure((at(7, 10), CUSTOMER), (at(8, 12), CLOSE))
        self.assertIsNone(clock.first_response_seconds)
        self.assertIsNone(clock.met(FIRST_RESPONSE))
        self.assertEqual(clock.resolution_seconds, 10 * HOUR)
        self.assertFalse(clock.met(RESOLUTION))

    def test_reopening_goes_on_from_where_it_stopped(self):
        clock = measure(
            (at(7, 10), CUSTOMER),
            (at(7, 12), STAFF),
            (at(7, 13), CUSTOMER),
            (at(7, 14), CLOSE),  # 3 h used
            (at(8, 9), REOPEN),  # the customer wrote last: the staff's turn
        )
        self.assertTrue(clock.staff_turn)
        self.assertIsNone(clock.resolution_seconds)
        self.assertEqual(clock.resolution_due, at(8, 14))
        waiting = measure(
            (at(7, 10), CUSTOMER),
            (at(7, 12), STAFF),
            (at(7, 14), CLOSE),
            (at(8, 9), REOPEN),  # the staff wrote last: paused
        )
        self.assertFalse(waiting.staff_turn)
        self.assertIsNone(waiting.due)

    def test_a_ticket_opened_by_the_staff_waits_on_the_customer(self):
        clock = measure((at(7, 10), STAFF))
        self.assertFalse(clock.staff_turn)
        self.assertIsNone(clock.due)
        self.assertIsNone(clock.first_response_seconds)

    def test_an_overdue_target_stays_due_at_the_moment_it_was_missed(self):
        clock = measure(
            (at(7, 9), CUSTOMER),
            (at(7, 17), STAFF),  # 8 h: the resolution target used up
            (at(8, 9), CUSTOMER),
        )
        self.assertEqual(clock.resolution_due, at(8, 9))
        self.assertEqual(clock.overdue_targets(at(8, 9)), (RESOLUTION,))
        self.assertFalse(clock.met(FIRST_RESPONSE))

    def test_without_targets_nothing_is_due(self):
        clock = measure((at(7, 10), CUSTOMER), goals={})
        self.assertTrue(clock.staff_turn)
        self.assertIsNone(clock.due)
        self.assertIsNone(clock.met(FIRST_RESPONSE))

    def test_the_catalog_row_has_plain_values(self):
        row = measure((at(7, 16), CUSTOMER)).row()
        self.assertEqual(row[0], at(8, 10).timestamp())
        self.assertEqual(row[1:], (None, None, None, None, None, True))


EVENT = st.tuples(
    st.integers(0, 30 * 24 * 60),
    st.sampled_from([CUSTOMER, STAFF, STAFF, CUSTOMER, CLOSE, REOPEN]),
)


class TestClockProperties(unittest.TestCase):
    @settings(max_examples=300, deadline=None)
    @given(st.lists(EVENT, max_size=12))
    def test_figures_are_consistent(self, raw):
        start = at(7, 8)
        events = sorted(
            ((start + timedelta(minutes=minutes), what) for minutes, what in raw),
            key=lambda event: event[0],
        )
        clock = measure(*events)
        wall = (events[-1][0] - start).total_seconds() if events else 0
        # Business time never exceeds the time that passed.
        self.assertLessEqual(clock.consumed_seconds, wall + 1e-6)
        if clock.first_response_seconds is not None:
            self.assertLessEqual(
                clock.first_response_seconds, clock.consumed_seconds + 1e-6
            )
        if clock.resolution_seconds is not None:
            self.assertEqual(clock.resolution_seconds, clock.consumed_seconds)
            self.assertIsNotNone(clock.closed_at)
        # Something is due only on the staff's turn, and never before it began.
        if clock.due is not None:
            self.assertTrue(clock.staff_turn)
            self.assertGreaterEqual(clock.due, clock.turn_since)
        if clock.closed_at is not None:
            self.assertFalse(clock.staff_turn)
