"""Business hours: adding working time to an instant, and measuring the
working time between two instants.

A ``Calendar`` is the opening hours of each weekday (several ranges a day,
none for a closed day), a set of holidays and a time zone. The hours are
wall-clock times in that zone, so an opening at 09:00 stays at 09:00 across
daylight-saving changes; the time counted is real elapsed time (a range that
contains a clock change counts what actually passed).

Plain Python and ``zoneinfo``: the one library for this on the registry
(businesstimedelta) was last released in 2019 and is built on pytz.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import UTC
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

import re


WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# How far ahead to look for open time before deciding there is none (a
# calendar whose hours all fall on holidays): ten years.
HORIZON_DAYS = 3660
END_OF_DAY = time(23, 59, 59, 999999)

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """A text that is no list of opening hours; ``text`` is the part at fault."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


def parse_ranges(text):
    """``[(time(9), time(13)), (time(15), time(18))]`` for "09:00-13:00,
    15:00-18:00"; "" is a closed day; "24:00" ends a range at midnight.
    Raises ``HoursError`` naming the range it cannot read."""
    ranges = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if match is None:
            raise HoursError(part.strip())
        start_h, start_m, end_h, end_m = (int(value) for value in match.groups())
        if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24:
            raise HoursError(part.strip())
        if end_h == 24:
            if end_m:
                raise HoursError(part.strip())
            end = END_OF_DAY
        else:
            end = time(end_h, end_m)
        start = time(start_h, start_m)
        if end <= start:
            raise HoursError(part.strip())
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        if start < end:
            raise HoursError(text.strip())
    return ranges


_HOLIDAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:\s+(.*))?$")


def parse_holiday(line):
    """``(date(2026, 12, 25), "Christmas")`` for "2026-12-25 Christmas";
    raises ``HoursError``."""
    match = _HOLIDAY.match(line or "")
    if match is None:
        raise HoursError((line or "").strip())
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise HoursError(line.strip()) from None
    return day, (match[4] or "").strip()


def zone(name):
    """The ``ZoneInfo`` for ``name``, UTC for an unknown or empty name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _utc(instant):
    if instant.tzinfo is None:
        raise ValueError("business hours need aware datetimes")
    # Arithmetic between datetimes that share a tzinfo ignores their offsets:
    # all of it is done in UTC.
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class Calendar:
    """``hours``: seven lists of ``(start, end)`` times, Monday first."""

    hours: tuple
    holidays: frozenset = field(default_factory=frozenset)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @classmethod
    def from_texts(cls, hours, holidays=(), tz="UTC"):
        """From the settings' texts: seven "09:00-17:00" strings, holiday
        lines, a time zone name."""
        return cls(
            hours=tuple(tuple(parse_ranges(text)) for text in hours),
            holidays=frozenset(parse_holiday(line)[0] for line in holidays if line),
            tz=zone(tz) if isinstance(tz, str) else tz,
        )

    @property
    def ever_open(self):
        return any(self.hours)

    def _ranges(self, day):
        """The day's open ranges as UTC instants."""
        if day in self.holidays:
            return
        for start, end in self.hours[day.weekday()]:
            opens = datetime.combine(day, start, tzinfo=self.tz)
            if end == END_OF_DAY:
                closes = datetime.combine(
                    day + timedelta(days=1), time(0), tzinfo=self.tz
                )
            else:
                closes = datetime.combine(day, end, tzinfo=self.tz)
            opens, closes = _utc(opens), _utc(closes)
            if closes > opens:
                yield opens, closes

    def _days(self, instant):
        """The local days from the one that holds ``instant`` on (starting
        a day early: a range of the day before may reach past midnight in
        UTC terms on a clock change)."""
        day = instant.astimezone(self.tz).date() - timedelta(days=1)
        for _ in range(HORIZON_DAYS):
            yield day
            day += timedelta(days=1)

    def add(self, start, seconds):
        """The instant (UTC) when ``seconds`` of business time have passed
        from ``start``; ``seconds`` 0 gives ``start`` itself when open, else
        the next opening."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        now = _utc(start)
        remaining = timedelta(seconds=seconds)
        for day in self._days(now):
            for opens, closes in self._ranges(day):
                if closes <= now:
                    continue
                begin = max(opens, now)
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise ValueError("the calendar is never open")

    def between(self, start, end):
        """Seconds of business time from ``start`` to ``end`` (0 when
        ``end`` is not after ``start``)."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return 0.0
        total = timedelta()
        for day in self._days(start):
            if _utc(datetime.combine(day, time(0), tzinfo=self.tz)) >= end:
                break
            for opens, closes in self._ranges(day):
                begin, finish = max(opens, start), min(closes, end)
                if finish > begin:
                    total += finish - begin
        return total.total_seconds()

    def is_open(self, instant):
        instant = _utc(instant)
        day = instant.astimezone(self.tz).date()
        for candidate in (day - timedelta(days=1), day):
            for opens, closes in self._ranges(candidate):
                if opens <= instant < closes:
                    return True
        return False


ROUND_THE_CLOCK = Calendar(hours=(((time(0), END_OF_DAY),),) * 7)
