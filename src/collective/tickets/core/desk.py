"""The staff desk: who handles a ticket, how urgent it is, what it is about.

Every function checks "Manage tickets" on the ticket and raises
``Unauthorized`` for anyone else; bad values raise ``TicketInputError``
with a message that says what was wrong. Every change is recorded in the
ticket's history and reindexed for the overview's filters.
"""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets.core import history
from collective.tickets.core.conversation import require_ticket
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.events import TicketAssignedEvent
from collective.tickets.core.keys import digest
from collective.tickets.core.keys import ring_keys
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import is_staff_member
from collective.tickets.core.people import staff_userids
from collective.tickets.core.settings import setting
from collective.tickets.interfaces import parse_category_line
from zope.event import notify
from zope.globalrequest import getRequest
from zope.interface import Invalid

import base64


LOW = "low"
NORMAL = "normal"
HIGH = "high"
URGENT = "urgent"
# Lowest first; the overview sorts by the position.
PRIORITIES = (LOW, NORMAL, HIGH, URGENT)
PRIORITY_TITLES = {
    LOW: _("priority_low", default="Low"),
    NORMAL: _("priority_normal", default="Normal"),
    HIGH: _("priority_high", default="High"),
    URGENT: _("priority_urgent", default="Urgent"),
}
PRIORITY_BADGES = {
    LOW: "text-bg-light",
    NORMAL: "text-bg-secondary",
    HIGH: "text-bg-warning",
    URGENT: "text-bg-danger",
}
ASSIGNEE_INDEX = "ticket_assignee"
PRIORITY_INDEX = "ticket_priority"
CATEGORY_INDEX = "ticket_category"
ASSIGNEE_RING = "collective.tickets.assignees"


def require_staff(ticket):
    require_ticket(ticket)
    if not is_staff(obj=ticket):
        raise Unauthorized("Only the staff may change this.")


# Priority


def priority(ticket):
    return getattr(ticket, "ticket_priority", None) or NORMAL


def priority_rank(value):
    """0 for Low to 3 for Urgent: what the catalog sorts and filters on."""
    return PRIORITIES.index(value) if value in PRIORITIES else PRIORITIES.index(NORMAL)


def priority_title(value):
    return PRIORITY_TITLES.get(value, value)


def priority_badge(value):
    return PRIORITY_BADGES.get(value, "text-bg-light")


def set_priority(ticket, value):
    require_staff(ticket)
    if value not in PRIORITIES:
        raise TicketInputError(
            _(
                "error_unknown_priority",
                default="'${value}' is not a priority: use one of ${choices}.",
                mapping={"value": value, "choices": ", ".join(PRIORITIES)},
            ),
            field="priority",
        )
    old = priority(ticket)
    if old == value:
        return ticket
    ticket.ticket_priority = value
    history.record(ticket, history.PRIORITY, old, value)
    # The targets depend on the priority. (Imported here: the clock reads
    # the priority from this module.)
    from collective.tickets.core.sla import CLOCK_INDEXES

    ticket.reindexObject(idxs=[PRIORITY_INDEX, *CLOCK_INDEXES])
    return ticket


# Categories


def categories():
    """The categories managers set in the control panel: dicts with ``id``,
    ``title`` and ``titles`` (by language)."""
    result = []
    for line in setting("categories") or ():
        try:
            result.append(parse_category_line(line))
        except Invalid:
            # Stored by a script without the form's check: left out.
            continue
    return result


def _language():
    request = getRequest()
    language = None
    if request is not None:
        language = request.get("LANGUAGE") or None
    return (language or "").split("-")[0].lower()


def category_title(value, language=None):
    """The category's name in ``language`` (the reader's by default); the
    short name itself for a category the list no longer has."""
    if not value:
        return ""
    language = language or _language()
    for category in categories():
        if category["id"] == value:
            return category["titles"].get(language) or category["title"]
    return value


def category(ticket):
    return getattr(ticket, "ticket_category", None) or ""


def check_category(value):
    """``value`` if it is "" or a category of the list, else an error that
    names the ones there are."""
    if not value:
        return ""
    ids = [c["id"] for c in categories()]
    if value not in ids:
        raise TicketInputError(
            _(
                "error_unknown_category",
                default="'${value}' is not one of the categories: ${choices}.",
                mapping={"value": value, "choices": ", ".join(ids) or "-"},
            ),
            field="category",
        )
    return value


def set_category(ticket, value):
    require_staff(ticket)
    value = check_category(value or "")
    old = category(ticket)
    if old == value:
        return ticket
    ticket.ticket_category = value
    history.record(ticket, history.CATEGORY, old or None, value or None)
    ticket.reindexObject(idxs=[CATEGORY_INDEX])
    return ticket


# Assignment


def assignee(ticket):
    """The user id of the staff member the ticket is assigned to, or None.
    Only the staff may ask."""
    require_staff(ticket)
    return getattr(ticket, "ticket_assignee", None) or None


def assignee_token(userid):
    """What the catalog stores for an assignee: a keyed digest of the user
    id, never the id itself. Customers may query the catalog (``@search``)
    and read its metadata: they must not learn who handles their ticket.
    ``None`` (unassigned) has a token of its own."""
    keys = ring_keys(ASSIGNEE_RING, create=True)
    raw = digest(keys[0], f"assignee:{userid or ''}")
    return base64.b32encode(raw[:10]).decode("ascii").lower()


def tokens_of_staff():
    """``{token: userid}`` for every staff member (the overview maps the
    catalog's tokens back to names)."""
    return {assignee_token(userid): userid for userid in staff_userids()}


def assign(ticket, userid):
    """Assign ``ticket`` to the staff member ``userid``; None unassigns."""
    require_staff(ticket)
    userid = userid or None
    if userid is not None and not is_staff_member(userid):
        raise TicketInputError(
            _(
                "error_assignee_not_staff",
                default="'${userid}' is not a member of the staff: a ticket can "
                "only be assigned to the staff.",
                mapping={"userid": userid},
            ),
            field="assignee",
        )
    old = getattr(ticket, "ticket_assignee", None) or None
    if old == userid:
        return ticket
    ticket.ticket_assignee = userid
    history.record(ticket, history.ASSIGNEE, old, userid)
    ticket.reindexObject(idxs=[ASSIGNEE_INDEX])
    if userid is not None:
        notify(TicketAssignedEvent(ticket, assignee=userid))
    return ticket


def take(ticket):
    """ "Assign to me"."""
    return assign(ticket, current_userid())


# Automatic closing


def keep_open(ticket):
    """Whether the staff exempted the ticket from automatic closing."""
    require_ticket(ticket)
    return bool(getattr(ticket, "ticket_no_autoclose", False))


def set_keep_open(ticket, value=True):
    """Exempt ``ticket`` from reminders and automatic closing (or end the
    exemption); staff only."""
    require_staff(ticket)
    value = bool(value)
    if keep_open(ticket) == value:
        return ticket
    ticket.ticket_no_autoclose = value
    # Imported here: the clock reads the priority from this module.
    from collective.tickets.core.sla import CLOCK_INDEXES

    ticket.reindexObject(idxs=list(CLOCK_INDEXES))
    return ticket
