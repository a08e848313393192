"""Service levels: how long the staff took, and until when they have.

Two targets per priority (settings "Service levels"): the first response
(the staff's first answer to the customer) and the resolution (closing the
ticket). Both count business hours only (``core.businesshours``), and only
while it is the staff's turn: the customer's message hands the turn to the
staff, a staff reply hands it to the customer and stops the clock, closing
stops it for good (reopening goes on from where it stopped).

``measure(ticket)`` reads the conversation and the workflow history, so
the figures are right whatever happened (a reply deleted, a ticket
imported); the catalog keeps them (``ticket_due`` index, ``ticket_sla``
column) for the listings and the report.
"""

from collective.tickets import _
from collective.tickets.content.ticket import customer_of
from collective.tickets.core.businesshours import Calendar
from collective.tickets.core.businesshours import HoursError
from collective.tickets.core.businesshours import ROUND_THE_CLOCK
from collective.tickets.core.businesshours import WEEKDAYS
from collective.tickets.core.conversation import message_author
from collective.tickets.core.conversation import replies
from collective.tickets.core.desk import PRIORITIES
from collective.tickets.core.desk import priority
from collective.tickets.core.settings import setting
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import workflow_state
from dataclasses import dataclass
from datetime import datetime
from datetime import UTC
from plone import api

import transaction


FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
TARGETS = (FIRST_RESPONSE, RESOLUTION)
TARGET_TITLES = {
    FIRST_RESPONSE: _("target_first_response", default="First response"),
    RESOLUTION: _("target_resolution", default="Resolution"),
}
DUE_INDEX = "ticket_due"
# The earliest moment the periodic job has work on a ticket (``core.cron``).
NEXT_JOB_INDEX = "ticket_next_job"
# When the ticket was last completed (seconds; none while in progress): the
# report's closings per week and its backlog.
CLOSED_INDEX = "ticket_closed"
# What a message, a transition or a new priority moves.
CLOCK_INDEXES = (DUE_INDEX, NEXT_JOB_INDEX, CLOSED_INDEX)
SLA_COLUMN = "ticket_sla"
WORKFLOW = "ticket_workflow"

# What happens in a ticket's life, as far as the clock is concerned.
CUSTOMER = "customer"
STAFF = "staff"
CLOSE = "close"
REOPEN = "reopen"


def service_calendar():
    """The business hours of the settings, in the site's time zone; round
    the clock when no day has hours (or the hours cannot be read, as after
    an edit in the registry that skipped the form's checks)."""
    tz = api.portal.get_registry_record("plone.portal_timezone", default="UTC")
    texts = tuple(setting(f"hours_{day}") for day in WEEKDAYS)
    holidays = tuple(setting("holidays") or ())
    key = (texts, holidays, tz)
    calendar = _CALENDARS.get(key)
    if calendar is None:
        try:
            calendar = Calendar.from_texts(list(texts), list(holidays), tz)
        except HoursError:
            calendar = ROUND_THE_CLOCK
        if not calendar.ever_open:
            calendar = ROUND_THE_CLOCK
        if len(_CALENDARS) > 100:
            _CALENDARS.clear()
        _CALENDARS[key] = calendar
    return calendar


# Calendars by the texts they were read from: a ticket's indexing asks for
# the calendar several times, and reading the hours each time cost more than
# the clock itself.
_CALENDARS = {}


def targets(value):
    """``{FIRST_RESPONSE: seconds or None, RESOLUTION: ...}`` for the
    priority ``value``."""
    if value not in PRIORITIES:
        value = "normal"
    result = {}
    for target in TARGETS:
        hours = setting(f"{target}_{value}")
        result[target] = hours * 3600 if hours else None
    return result


def _utc(date):
    """A Zope DateTime or a datetime as an aware UTC datetime."""
    if hasattr(date, "asdatetime"):
        date = date.asdatetime()
    if date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    return date.astimezone(UTC)


def closed_at(ticket):
    """When the ticket was last completed (an aware UTC datetime), or None
    while it is in progress."""
    if workflow_state(ticket) != COMPLETED:
        return None
    history = getattr(ticket, "workflow_history", {}).get(WORKFLOW, ())
    for entry in reversed(history):
        if entry.get("action") == "complete":
            return _utc(entry["time"])
    return None


def timeline(ticket):
    """``[(when, what)]``, oldest first: every message (the customer's or
    the staff's; internal notes are no message) and every closing and
    reopening."""
    customer = customer_of(ticket)
    events = []
    for message in [ticket, *replies(ticket)]:
        author = message_author(message)
        events.append(
            (_utc(message.created()), CUSTOMER if author == customer else STAFF)
        )
    history = getattr(ticket, "workflow_history", {}).get(WORKFLOW, ())
    for entry in history:
        action = entry.get("action")
        if action == "complete":
            events.append((_utc(entry["time"]), CLOSE))
        elif action == "reopen":
            events.append((_utc(entry["time"]), REOPEN))
    # A message and a transition in one second: the message first.
    order = {CUSTOMER: 0, STAFF: 0, REOPEN: 1, CLOSE: 2}
    events.sort(key=lambda event: (event[0], order[event[1]]))
    return events


@dataclass(frozen=True)
class Clock:
    """A ticket's service figures. Seconds are business seconds."""

    # When each target falls due: only while it is pending and the staff's
    # turn (None while paused, met, without a target, or closed).
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    # How long the first response took (None: not yet given).
    first_response_seconds: float | None = None
    # The staff's time on the ticket so far, and at its last closing.
    consumed_seconds: float = 0.0
    resolution_seconds: float | None = None
    first_response_target: float | None = None
    resolution_target: float | None = None
    # Whose turn: True while the staff owe an answer on an open ticket.
    staff_turn: bool = False
    # Since when it is the staff's turn (None on the customer's).
    turn_since: datetime | None = None
    closed_at: datetime | None = None

    @property
    def dues(self):
        """``{target: due time}`` of the targets pending on the staff's turn."""
        return {
            target: due
            for target, due in (
                (FIRST_RESPONSE, self.first_response_due),
                (RESOLUTION, self.resolution_due),
            )
            if due is not None
        }

    @property
    def due(self):
        """The nearest pending due time."""
        dues = self.dues.values()
        return min(dues) if dues else None

    @property
    def due_target(self):
        due = self.due
        if due is None:
            return None
        return FIRST_RESPONSE if due == self.first_response_due else RESOLUTION

    def met(self, target):
        """True or False once the target's figure is known, else None."""
        if target == FIRST_RESPONSE:
            seconds, limit = self.first_response_seconds, self.first_response_target
        else:
            seconds, limit = self.resolution_seconds, self.resolution_target
        if seconds is None or limit is None:
            return None
        return seconds <= limit

    def overdue_targets(self, now):
        now = _utc(now)
        return tuple(target for target, due in self.dues.items() if due <= now)

    def row(self):
        """What the catalog column keeps (plain values, no datetimes)."""
        return (
            self.due.timestamp() if self.due else None,
            self.first_response_seconds,
            self.resolution_seconds,
            self.met(FIRST_RESPONSE),
            self.met(RESOLUTION),
            self.closed_at.timestamp() if self.closed_at else None,
            self.staff_turn,
        )


def measure_events(events, calendar, goals):
    """The ``Clock`` of a ticket whose life is ``events`` (``timeline``)."""
    turn_since = None
    consumed = 0.0
    first_seconds = None
    resolution_seconds = None
    is_open = True
    started = False
    last_message = None
    closed_at = None
    for when, what in events:
        if what in (CUSTOMER, STAFF):
            last_message = what
        if what == CUSTOMER:
            started = True
            if is_open and turn_since is None:
                turn_since = when
        elif what == STAFF:
            if turn_since is not None:
                consumed += calendar.between(turn_since, when)
                turn_since = None
                if first_seconds is None:
                    first_seconds = consumed
        elif what == CLOSE and is_open:
            if turn_since is not None:
                consumed += calendar.between(turn_since, when)
                turn_since = None
            is_open = False
            closed_at = when
            if started:
                resolution_seconds = consumed
        elif what == REOPEN and not is_open:
            is_open = True
            closed_at = None
            resolution_seconds = None
            if last_message == CUSTOMER:
                turn_since = when
    first_due = resolution_due = None
    if turn_since is not None:
        first_goal = goals.get(FIRST_RESPONSE)
        if first_seconds is None and first_goal:
            first_due = calendar.add(turn_since, max(0.0, first_goal - consumed))
        resolution_goal = goals.get(RESOLUTION)
        if resolution_goal:
            resolution_due = calendar.add(
                turn_since, max(0.0, resolution_goal - consumed)
            )
    return Clock(
        first_response_due=first_due,
        resolution_due=resolution_due,
        first_response_seconds=first_seconds,
        consumed_seconds=consumed,
        resolution_seconds=resolution_seconds,
        first_response_target=goals.get(FIRST_RESPONSE),
        resolution_target=goals.get(RESOLUTION),
        staff_turn=turn_since is not None,
        turn_since=turn_since,
        closed_at=closed_at,
    )


def measure(ticket, calendar=None):
    """The ticket's ``Clock`` under the current settings."""
    return measure_events(
        timeline(ticket), calendar or service_calendar(), targets(priority(ticket))
    )


def reindex_clock(ticket):
    """After whatever moves the clock (a message, a transition, a new
    priority): the due index, and the figures in the catalog's row."""
    ticket.reindexObject(idxs=list(CLOCK_INDEXES))


# The settings the clock reads: a change to one of them moves due times.
CLOCK_SETTINGS = (
    *(f"hours_{day}" for day in WEEKDAYS),
    "holidays",
    *(f"{target}_{value}" for target in TARGETS for value in PRIORITIES),
    "remind_after_days",
    "close_after_days",
)
# The flag a transaction carries once its reindexing is planned.
_PENDING = "collective_tickets_sla_reindex"


def _reindex_open_tickets():
    catalog = api.portal.get_tool("portal_catalog")
    count = 0
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Ticket", review_state="in_progress"
    ):
        reindex_clock(brain._unrestrictedGetObject())
        count += 1
    return count


def settings_changed(event):
    """A registry record changed: when the clock reads it, the open tickets'
    due times are computed again, once per transaction (the control panel
    saves its fields one by one)."""
    record = getattr(event, "record", None)
    name = getattr(record, "__name__", "") or ""
    interface_name = getattr(record, "interfaceName", None) or ""
    field = name.rpartition(".")[2]
    ours = interface_name.endswith("ITicketSettings") and field in CLOCK_SETTINGS
    if not ours and name != "plone.portal_timezone":
        return
    current = transaction.get()
    if getattr(current, _PENDING, False):
        return
    setattr(current, _PENDING, True)
    current.addBeforeCommitHook(_reindex_open_tickets)


def transition_moves_clock(ticket, event):
    """Closing stops the clock, reopening may start it again."""
    if event.transition is not None:
        reindex_clock(ticket)
