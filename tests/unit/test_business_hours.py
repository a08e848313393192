"""The business-hours arithmetic behind response targets: weekends,
holidays, hours split in two, a start outside hours, time zones and
daylight-saving changes; with properties checked over many calendars."""

from collective.tickets.core.businesshours import Calendar
from collective.tickets.core.businesshours import HoursError
from collective.tickets.core.businesshours import parse_holiday
from collective.tickets.core.businesshours import parse_ranges
from collective.tickets.core.businesshours import ROUND_THE_CLOCK
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from zoneinfo import ZoneInfo

import unittest


MADRID = ZoneInfo("Europe/Madrid")
OFFICE = ["09:00-17:00"] * 5 + ["", ""]


def madrid(*args):
    return datetime(*args, tzinfo=MADRID)


def office(holidays=(), tz="Europe/Madrid", hours=OFFICE):
    return Calendar.from_texts(hours, holidays, tz)


class TestParsing(unittest.TestCase):
    def test_ranges(self):
        self.assertEqual(
            parse_ranges("15:00-18:00, 9:00-13:30"),
            [(time(9), time(13, 30)), (time(15), time(18))],
        )
        self.assertEqual(parse_ranges(""), [])
        self.assertEqual(parse_ranges("00:00-24:00")[0][0], time(0))

    def test_bad_ranges_name_the_part_at_fault(self):
        for text, part in (
            ("9-17", "9-17"),
            ("09:00-17:00, 18:00-17:00", "18:00-17:00"),
            ("25:00-26:00", "25:00-26:00"),
            ("09:00-24:30", "09:00-24:30"),
            ("09:00-13:00, 12:00-15:00", "09:00-13:00, 12:00-15:00"),
        ):
            with self.assertRaises(HoursError) as caught:
                parse_ranges(text)
            self.assertEqual(caught.exception.text, part)

    def test_holidays(self):
        self.assertEqual(
            parse_holiday("2026-12-25 Navidad"), (date(2026, 12, 25), "Navidad")
        )
        self.assertEqual(parse_holiday("2026-01-06"), (date(2026, 1, 6), ""))
        for bad in ("25/12/2026", "2026-02-30", "Navidad"):
            with self.assertRaises(HoursError):
                parse_holiday(bad)

    def test_unknown_zone_is_utc(self):
        self.assertEqual(office(tz="Mars/Olympus").tz, ZoneInfo("UTC"))


class TestArithmetic(unittest.TestCase):
    def test_inside_hours(self):
        cal = office()
        self.assertEqual(
            cal.add(madrid(2026, 12, 1, 10), 3600), madrid(2026, 12, 1, 11)
        )
        self.assertEqual(
            cal.between(madrid(2026, 12, 1, 10), madrid(2026, 12, 1, 11)), 3600
        )

    def test_carries_over_the_night_and_the_weekend(self):
        cal = office()
        # Friday 16:00 + 2 h: one hour on Friday, one on Monday.
        self.assertEqual(
            cal.add(madrid(2026, 12, 4, 16), 7200), madrid(2026, 12, 7, 10)
        )
        self.assertEqual(
            cal.between(madrid(2026, 12, 4, 16), madrid(2026, 12, 7, 10)), 7200
        )

    def test_opened_outside_hours_starts_at_the_next_opening(self):
        cal = office()
        saturday = madrid(2026, 12, 5, 11)
        self.assertEqual(cal.add(saturday, 0), madrid(2026, 12, 7, 9))
        self.assertEqual(cal.add(saturday, 1800), madrid(2026, 12, 7, 9, 30))
        self.assertEqual(cal.between(saturday, madrid(2026, 12, 7, 8, 59)), 0)
        self.assertFalse(cal.is_open(saturday))
        self.assertTrue(cal.is_open(madrid(2026, 12, 7, 9)))

    def test_holidays_are_skipped(self):
        cal = office(holidays=["2026-12-25 Navidad", "2026-12-28"])
        # Thursday 24th 16:30 + 1 h: half an hour on the 24th; the 25th is a
        # holiday, then the weekend, then another holiday.
        self.assertEqual(
            cal.add(madrid(2026, 12, 24, 16, 30), 3600), madrid(2026, 12, 29, 9, 30)
        )

    def test_split_hours(self):
        cal = office(hours=["09:00-13:00, 15:00-18:00"] * 5 + ["", ""])
        self.assertEqual(
            cal.add(madrid(2026, 12, 1, 12), 7200), madrid(2026, 12, 1, 16)
        )
        self.assertEqual(
            cal.between(madrid(2026, 12, 1, 12), madrid(2026, 12, 1, 16)), 7200
        )

    def test_hours_are_wall_clock_across_daylight_saving(self):
        cal = office()
        # Spain moves to summer time on Sunday 29 March 2026: Friday's 09:00
        # is 08:00 UTC, Monday's 07:00 UTC.
        friday = cal.add(madrid(2026, 3, 27, 8), 0)
        monday = cal.add(madrid(2026, 3, 27, 17), 0)
        self.assertEqual(friday.astimezone(UTC).hour, 8)
        self.assertEqual(monday.astimezone(UTC).hour, 7)
        self.assertEqual(monday, madrid(2026, 3, 30, 9))

    def test_a_night_shift_counts_real_time_on_the_clock_change(self):
        cal = Calendar.from_texts(["00:00-06:00"] * 7, tz="Europe/Madrid")
        # 29 March: 02:00 becomes 03:00, the shift lasts five hours.
        self.assertEqual(
            cal.between(madrid(2026, 3, 29, 0), madrid(2026, 3, 29, 6)), 5 * 3600
        )
        # 25 October: 03:00 becomes 02:00 again, it lasts seven.
        self.assertEqual(
            cal.between(madrid(2026, 10, 25, 0), madrid(2026, 10, 25, 6)), 7 * 3600
        )

    def test_time_zone_decides_the_day(self):
        # 23:30 UTC on a Monday is already Tuesday in Tokyo, and office hours
        # there start at 09:00 JST = 00:00 UTC.
        cal = office(tz="Asia/Tokyo")
        start = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
        self.assertEqual(cal.add(start, 1800), datetime(2026, 12, 1, 0, 30, tzinfo=UTC))

    def test_round_the_clock_is_plain_time(self):
        start = datetime(2026, 3, 28, 12, tzinfo=UTC)
        self.assertEqual(ROUND_THE_CLOCK.add(start, 86400 * 3), start + timedelta(3))

    def test_a_calendar_never_open_says_so(self):
        with self.assertRaises(ValueError):
            office(hours=[""] * 7).add(madrid(2026, 12, 1, 10), 60)

    def test_naive_datetimes_are_refused(self):
        with self.assertRaises(ValueError):
            office().add(datetime(2026, 12, 1, 10), 60)


ZONES = st.sampled_from(
    ["UTC", "Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
)
DAY_HOURS = st.sampled_from(
    ["", "09:00-17:00", "08:00-14:00, 15:00-19:00", "00:00-24:00", "01:30-03:30"]
)
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.just(UTC),
)


@st.composite
def calendars(draw):
    hours = draw(st.lists(DAY_HOURS, min_size=7, max_size=7))
    if not any(hours):
        hours[draw(st.integers(0, 6))] = "09:00-17:00"
    holidays = draw(
        st.lists(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=20)
    )
    return Calendar.from_texts(hours, [d.isoformat() for d in holidays], draw(ZONES))


class TestProperties(unittest.TestCase):
    @settings(max_examples=300, deadline=None)
    @given(calendars(), INSTANTS, st.integers(1, 90 * 86400))
    def test_measuring_what_was_added_gives_it_back(self, cal, start, seconds):
        due = cal.add(start, seconds)
        self.assertGreater(due, start)
        self.assertAlmostEqual(cal.between(start, due), seconds, places=3)

    @settings(max_examples=300, deadline=None)
    @given(calendars(), INSTANTS, INSTANTS, INSTANTS)
    def test_spans_add_up(self, cal, a, b, c):
        a, b, c = sorted((a, b, c))
        self.assertAlmostEqual(
            cal.between(a, b) + cal.between(b, c), cal.between(a, c), places=3
        )
        self.assertLessEqual(cal.between(a, c), (c - a).total_seconds() + 1e-6)

    @settings(max_examples=200, deadline=None)
    @given(calendars(), INSTANTS, st.integers(0, 30 * 86400), st.integers(0, 86400))
    def test_more_time_is_never_earlier(self, cal, start, seconds, more):
        self.assertLessEqual(cal.add(start, seconds), cal.add(start, seconds + more))

    @settings(max_examples=200, deadline=None)
    @given(calendars(), INSTANTS, st.integers(1, 30 * 86400))
    def test_the_due_instant_is_open_time(self, cal, start, seconds):
        due = cal.add(start, seconds)
        # The last second before the due instant was business time.
        self.assertTrue(cal.is_open(due - timedelta(microseconds=1)))
