"""Ticket numbers: short, sequential, unique per site (``#1042``).

The counter is a persistent object of its own with no conflict resolution:
two instances of a cluster that open a ticket at the same moment both write
it, ZODB refuses the second commit with a ConflictError, and the request is
retried with the counter's new value. No two tickets ever share a number
(``BTrees.Length`` would merge the two increments and hand out one number
twice); a conflict costs a retry of one request, and only when two tickets
are opened within the same instant.
"""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.errors import TicketInputError
from persistent import Persistent
from plone import api
from zope.annotation.interfaces import IAnnotations

import re


COUNTER_KEY = "collective.tickets.ticket_counter"
NUMBER_INDEX = "ticket_number"
_NUMBER = re.compile(r"^\s*#?\s*(\d{1,12})\s*$")


class TicketCounter(Persistent):
    """The last number handed out."""

    def __init__(self, value=0):
        self.value = value


def _counter(create=True):
    annotations = IAnnotations(api.portal.get())
    counter = annotations.get(COUNTER_KEY)
    if counter is None and create:
        counter = annotations[COUNTER_KEY] = TicketCounter()
    return counter


def last_number():
    counter = _counter(create=False)
    return counter.value if counter is not None else 0


def next_number():
    """Take the next number (in the current transaction)."""
    counter = _counter()
    counter.value += 1
    return counter.value


def number(ticket):
    """The ticket's number, an int (None for a ticket an upgrade has not
    numbered yet), for whoever may see the ticket: its customer reads it on
    every screen and in every mail."""
    if ITicket.providedBy(ticket) and not api.user.has_permission("View", obj=ticket):
        raise Unauthorized("You may not see this ticket.")
    if not ITicket.providedBy(ticket):
        raise TicketInputError(
            _(
                "error_not_a_ticket",
                default="${obj} is not a ticket.",
                mapping={"obj": repr(ticket)},
            )
        )
    return getattr(ticket, "ticket_number", None)


def number_label(value):
    """``#1042``, or "" for no number."""
    return f"#{value}" if value else ""


def parse_number(text):
    """1042 for "1042" or "#1042", else None."""
    match = _NUMBER.match(text or "")
    return int(match.group(1)) if match else None


def number_existing_tickets():
    """Number every ticket that has none, oldest first, after the highest
    number already given (the upgrade to 1004)."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Ticket", sort_on="created", sort_order="ascending"
    )
    tickets = [brain._unrestrictedGetObject() for brain in brains]
    counter = _counter()
    counter.value = max(
        [counter.value] + [getattr(t, "ticket_number", None) or 0 for t in tickets]
    )
    done = 0
    for ticket in tickets:
        if getattr(ticket, "ticket_number", None):
            continue
        counter.value += 1
        ticket.ticket_number = counter.value
        ticket.reindexObject(idxs=[NUMBER_INDEX])
        done += 1
    return done
