"""The staff's report: how the team is doing, week by week.

Computed from the catalog alone, never by waking a ticket: the indexes say
which tickets were opened (``created``) and completed (``ticket_closed``)
in the period, and their rows hold the service figures (``ticket_sla``) and
the rating (``ticket_rating``). So a report reads the rows of the period's
tickets only; the backlog before the period is two index counts.

Weeks start on Monday at midnight in the site's time zone. The backlog is
the tickets opened and not completed at each week's end, as far as their
current state tells: a ticket reopened later counts as open since it was
opened (the catalog keeps a ticket's last closing, not its history).
"""

from AccessControl import Unauthorized
from bisect import bisect_right
from BTrees.IIBTree import IITreeSet
from BTrees.IIBTree import intersection
from collective.tickets import _
from collective.tickets.core.people import is_staff
from collective.tickets.core.queue import assignee_filter_token
from collective.tickets.core.queue import record_ids
from collective.tickets.core.satisfaction import RATING_COLUMN
from collective.tickets.core.satisfaction import SCORES
from collective.tickets.core.sla import CLOSED_INDEX
from collective.tickets.core.sla import SLA_COLUMN
from dataclasses import dataclass
from dataclasses import field
from DateTime import DateTime
from datetime import datetime
from datetime import time
from datetime import timedelta
from plone import api
from statistics import median
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError


WEEK = timedelta(days=7)
PERIODS = (4, 12, 26, 52)
DEFAULT_WEEKS = 12
HOUR = 3600.0
# The columns of the figures' tables (and CSV files).
COL_WEEK = _("report_col_week", default="Week (from Monday)")
COL_OPENED = _("series_opened", default="Opened")
COL_COMPLETED = _("series_completed", default="Completed")
COL_OPEN = _("report_col_open", default="Open at the end of the week")
COL_FIRST_RESPONSE = _(
    "report_col_first_response", default="Median first response (business hours)"
)
COL_RESOLUTION = _(
    "report_col_resolution", default="Median resolution (business hours)"
)
COL_FIRST_WITHIN = _(
    "report_col_first_within", default="First response within target (%)"
)
COL_RESOLUTION_WITHIN = _(
    "report_col_resolution_within", default="Resolution within target (%)"
)
COL_RATING = _("report_col_rating", default="Rating")
COL_TICKETS = _("series_ratings", default="Tickets")


def site_zone():
    name = api.portal.get_registry_record("plone.portal_timezone", default="UTC")
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass
class ReportFilter:
    weeks: int = DEFAULT_WEEKS
    category: str = ""
    # A staff member's user id, ASSIGNED_NOBODY, or "" for anyone.
    assignee: str = ""

    @classmethod
    def from_form(cls, form):
        def value(name):
            raw = form.get(name, "")
            return raw.strip() if isinstance(raw, str) else ""

        try:
            weeks = int(value("weeks") or DEFAULT_WEEKS)
        except ValueError:
            weeks = DEFAULT_WEEKS
        if weeks not in PERIODS:
            weeks = DEFAULT_WEEKS
        return cls(weeks=weeks, category=value("category"), assignee=value("assignee"))

    def params(self):
        """The filter as query-string parameters (the defaults left out)."""
        weeks = self.weeks if self.weeks != DEFAULT_WEEKS else None
        data = {"weeks": weeks, "category": self.category, "assignee": self.assignee}
        return {name: value for name, value in data.items() if value}

    def query(self):
        """The catalog query of the filters (the period apart)."""
        query = {"portal_type": "Ticket"}
        if self.category:
            query["ticket_category"] = self.category
        if self.assignee:
            query["ticket_assignee"] = assignee_filter_token(self.assignee)
        return query


@dataclass
class Week:
    start: datetime
    opened: int = 0
    closed: int = 0
    backlog: int = 0
    first_response: list = field(default_factory=list)
    resolution: list = field(default_factory=list)
    first_response_met: list = field(default_factory=list)
    resolution_met: list = field(default_factory=list)

    @property
    def label(self):
        return self.start.date().isoformat()


def _median_hours(values):
    return round(median(values) / HOUR, 2) if values else None


def _share(flags):
    return round(100.0 * sum(flags) / len(flags), 1) if flags else None


@dataclass
class Report:
    weeks: list
    ratings: dict
    # The whole period's figures.
    opened: int = 0
    closed: int = 0
    backlog: int = 0
    first_response_hours: float | None = None
    resolution_hours: float | None = None
    first_response_within: float | None = None
    resolution_within: float | None = None

    @property
    def rating_count(self):
        return sum(self.ratings.values())

    @property
    def rating_average(self):
        count = self.rating_count
        if not count:
            return None
        return round(sum(score * n for score, n in self.ratings.items()) / count, 2)

    # The figures behind each chart, as rows (the CSV downloads).

    def table(self, name):
        if name == "volume":
            header = (COL_WEEK, COL_OPENED, COL_COMPLETED)
            rows = [(w.label, w.opened, w.closed) for w in self.weeks]
        elif name == "backlog":
            header = (COL_WEEK, COL_OPEN)
            rows = [(w.label, w.backlog) for w in self.weeks]
        elif name == "times":
            header = (COL_WEEK, COL_FIRST_RESPONSE, COL_RESOLUTION)
            rows = [
                (w.label, _median_hours(w.first_response), _median_hours(w.resolution))
                for w in self.weeks
            ]
        elif name == "targets":
            header = (COL_WEEK, COL_FIRST_WITHIN, COL_RESOLUTION_WITHIN)
            rows = [
                (w.label, _share(w.first_response_met), _share(w.resolution_met))
                for w in self.weeks
            ]
        elif name == "satisfaction":
            header = (COL_RATING, COL_TICKETS)
            rows = [(score, self.ratings[score]) for score in SCORES]
        else:
            raise KeyError(name)
        return header, rows


TABLES = ("volume", "backlog", "times", "targets", "satisfaction")


def week_starts(weeks, now=None, zone=None):
    """The Mondays (midnight, site time) that start the last ``weeks`` weeks,
    the current one included."""
    zone = zone or site_zone()
    today = (now or datetime.now(zone)).astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return [
        datetime.combine(monday - WEEK * n, time(0), tzinfo=zone)
        for n in reversed(range(weeks))
    ]


def _since(catalog, name, low, high):
    """``(since, within)``: the record ids whose value in the index ``name``
    is ``low`` or later, and those of them up to ``high``; read from the
    index's map of record ids to values. A catalog range query reads the
    index's other map, values to record ids, where every distinct value is
    an object of its own: with one opening and one closing time per ticket,
    the report of a site of 100,000 tickets read some 140,000 objects and
    pushed every page's objects out of the instance's cache. The map read
    here holds a hundred values an object."""
    index = catalog._catalog.getIndex(name)
    convert = getattr(index, "_convert", None)
    if convert is not None:
        # A DateIndex keeps minutes in a number of its own.
        low, high = convert(low), convert(high)
    since = IITreeSet()
    within = IITreeSet()
    for rid, value in index._unindex.items():
        if value >= low:
            since.insert(rid)
            if value <= high:
                within.insert(rid)
    return since, within


def _rows(catalog, rids, *columns):
    """The values of ``columns`` in the catalog rows of ``rids``, read from
    the catalog's records: no brain is made for a row."""
    records = catalog._catalog
    positions = [records.schema[column] for column in columns]
    data = records.data
    for rid in rids:
        record = data[rid]
        yield tuple(record[position] for position in positions)


def _week_of(stamps, timestamp):
    """The index of the week holding ``timestamp``; ``stamps``: the weeks'
    starts as timestamps, in order. The ``created`` index keeps minutes: a
    ticket of the minute before the first week counts in it."""
    return max(bisect_right(stamps, timestamp) - 1, 0)


def build_report(flt, now=None):
    """The ``Report`` of the filter; staff only."""
    if not is_staff():
        raise Unauthorized("Only the staff may read the report.")
    zone = site_zone()
    starts = week_starts(flt.weeks, now=now, zone=zone)
    begin = starts[0]
    end = starts[-1] + WEEK
    weeks = [Week(start=start) for start in starts]
    catalog = api.portal.get_tool("portal_catalog")
    base = flt.query()
    begin_ts, end_ts = begin.timestamp(), end.timestamp()

    # The filter's tickets; those opened and those completed in the period.
    tickets = record_ids(catalog.unrestrictedSearchResults(**base))
    created_since, opened_rids = (
        intersection(tickets, rids)
        for rids in _since(catalog, "created", DateTime(begin_ts), DateTime(end_ts))
    )
    closed_index = catalog._catalog.getIndex(CLOSED_INDEX)
    ever_closed = intersection(tickets, IITreeSet(closed_index._unindex.keys()))
    closed_since, closed_rids = (
        intersection(tickets, rids)
        for rids in _since(catalog, CLOSED_INDEX, begin_ts, end_ts)
    )

    # Opened in the period: the first responses of their staff.
    stamps = [start.timestamp() for start in starts]
    for created, row in _rows(catalog, opened_rids, "created", SLA_COLUMN):
        week = weeks[_week_of(stamps, created.timeTime())]
        week.opened += 1
        row = row or ()
        if len(row) >= 4 and row[1] is not None:
            week.first_response.append(row[1])
            if row[3] is not None:
                week.first_response_met.append(bool(row[3]))
    # Completed in the period: resolutions, targets, ratings.
    ratings = dict.fromkeys(SCORES, 0)
    for row, score in _rows(catalog, closed_rids, SLA_COLUMN, RATING_COLUMN):
        row = row or ()
        if len(row) < 6 or row[5] is None:
            continue
        week = weeks[_week_of(stamps, row[5])]
        week.closed += 1
        if len(row) >= 5 and row[2] is not None:
            week.resolution.append(row[2])
            if row[4] is not None:
                week.resolution_met.append(bool(row[4]))
        if score in ratings:
            ratings[score] += 1
    # The backlog: open before the period (opened before it, less those
    # completed before it), then week by week.
    backlog = (len(tickets) - len(created_since)) - (
        len(ever_closed) - len(closed_since)
    )
    for week in weeks:
        backlog += week.opened - week.closed
        week.backlog = backlog
    return Report(
        weeks=weeks,
        ratings=ratings,
        opened=sum(w.opened for w in weeks),
        closed=sum(w.closed for w in weeks),
        backlog=weeks[-1].backlog,
        first_response_hours=_median_hours(
            [v for w in weeks for v in w.first_response]
        ),
        resolution_hours=_median_hours([v for w in weeks for v in w.resolution]),
        first_response_within=_share([v for w in weeks for v in w.first_response_met]),
        resolution_within=_share([v for w in weeks for v in w.resolution_met]),
    )
