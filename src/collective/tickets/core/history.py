"""A ticket's history: every change of state, assignee, priority and
category, with who made it and when.

Kept in an annotation of the ticket (a name no URL can reach), as compact
tuples; ``history(ticket)`` is for the staff, ``visible_history(ticket)``
gives each reader what they may see (customers: state changes only).
"""

from AccessControl import Unauthorized
from collective.tickets.core.conversation import require_ticket
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import is_staff
from collective.tickets.core.stored import stored
from dataclasses import dataclass
from datetime import datetime
from datetime import UTC
from persistent.list import PersistentList

import time


HISTORY_KEY = "collective.tickets.history"
STATE = "state"
ASSIGNEE = "assignee"
PRIORITY = "priority"
CATEGORY = "category"
# The ticket was anonymised (``core.privacy.erasure``): no old or new value.
ANONYMISED = "anonymised"
FIELDS = (STATE, ASSIGNEE, PRIORITY, CATEGORY, ANONYMISED)
# What a customer may see of the history.
CUSTOMER_FIELDS = (STATE,)


@dataclass(frozen=True)
class Change:
    date: datetime
    actor: str
    field: str
    old: str | None
    new: str | None


def _entries(ticket, create=False):
    entries = stored(ticket, HISTORY_KEY, PersistentList if create else None)
    return entries if entries is not None else ()


def record(ticket, field, old, new, actor=None):
    """Add one change to the ticket's history (no permission check: the
    callers, ``core.desk`` and the workflow, have made theirs)."""
    if field not in FIELDS:
        raise ValueError(f"{field!r} is not recorded in a ticket's history")
    _entries(ticket, create=True).append(
        (time.time(), actor or current_userid() or "", field, old, new)
    )


def replace_actor(ticket, old, new):
    """The changes ``old`` made are recorded as made by ``new`` (anonymising
    a ticket: its customer's own closings and reopenings)."""
    entries = _entries(ticket)
    for index, (when, actor, field, before, after) in enumerate(entries):
        if actor == old:
            entries[index] = (when, new, field, before, after)


def _changes(ticket, fields):
    return [
        Change(
            date=datetime.fromtimestamp(when, UTC),
            actor=actor,
            field=field,
            old=old,
            new=new,
        )
        for when, actor, field, old, new in _entries(ticket)
        if field in fields
    ]


def history(ticket):
    """Every change, oldest first; the staff only."""
    require_ticket(ticket)
    if not is_staff(obj=ticket):
        raise Unauthorized("Only the staff may read a ticket's history.")
    return _changes(ticket, FIELDS)


def visible_history(ticket):
    """The changes the current user may see: all for the staff, the state
    changes for everyone else who can see the ticket."""
    require_ticket(ticket)
    return _changes(ticket, FIELDS if is_staff(obj=ticket) else CUSTOMER_FIELDS)
