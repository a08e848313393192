"""Ticket numbers: short, increasing, unique per site (``#1042``).

The counter is a persistent object of its own with no conflict resolution
(``BTrees.Length`` would merge two increments and hand out one number
twice). Once it is stored, a number is taken in a short transaction of its
own on a connection of its own, as a SQL sequence is: read, add one,
commit, and on a conflict with another instance's taking, again. The
request's own transaction never writes the counter, so two instances
opening tickets at once do not make each other's request fail or start
over; the price, as with a sequence, is that a number taken by a request
that then fails (or is tried again after a conflict elsewhere) is not given
to another ticket: numbers may skip, never repeat.
"""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.people import may
from collective.tickets.core.stored import stored
from persistent import Persistent
from plone import api
from ZODB.POSException import ConflictError

import random
import re
import time
import transaction


COUNTER_KEY = "collective.tickets.ticket_counter"
NUMBER_INDEX = "ticket_number"
_NUMBER = re.compile(r"^\s*#?\s*(\d{1,12})\s*$")


class TicketCounter(Persistent):
    """The last number handed out."""

    def __init__(self, value=0):
        self.value = value


def _counter(create=True):
    return stored(api.portal.get(), COUNTER_KEY, TicketCounter if create else None)


def last_number():
    counter = _counter(create=False)
    return counter.value if counter is not None else 0


# How often a taking is tried again after a conflict with another's, and
# the most it waits between two tries (seconds, grown with each try).
TAKE_ATTEMPTS = 50
TAKE_PAUSE = 0.005


def next_number():
    """Take the next number."""
    return take_numbers(1)


def take_numbers(count):
    """Take ``count`` numbers and return the last: the caller has
    ``last - count + 1`` to ``last``."""
    counter = _counter()
    jar = getattr(counter, "_p_jar", None)
    if jar is None or counter._p_oid is None or counter._p_changed:
        # A counter this transaction made or changed: it is taken here, and
        # stored with the transaction (the site's first ticket, an upgrade).
        counter.value += count
        return counter.value
    return _take_apart(jar.db(), counter._p_oid, count)


def _take_apart(db, oid, count):
    manager = transaction.TransactionManager()
    connection = db.open(transaction_manager=manager)
    try:
        for attempt in range(1, TAKE_ATTEMPTS + 1):
            try:
                manager.begin()
                counter = connection.get(oid)
                counter.value += count
                value = counter.value
                manager.get().note("collective.tickets: ticket number")
                manager.commit()
                return value
            except ConflictError:
                manager.abort()
                if attempt == TAKE_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, TAKE_PAUSE * attempt))
    finally:
        manager.abort()
        connection.close()


def number(ticket):
    """The ticket's number, an int (None for a ticket an upgrade has not
    numbered yet), for whoever may see the ticket: its customer reads it on
    every screen and in every mail."""
    if ITicket.providedBy(ticket) and not may("View", ticket):
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
