"""The staff's work queue: the overview's filters as one catalog query.

``QueueFilter.from_form(form)`` reads the filters from a query string (so a
view is a URL that can be bookmarked and shared), ``queue_page`` returns one
sorted page of catalog rows, ``queue_brains`` all of them (the CSV export).
Every filter is an index lookup; the text filter also finds tickets through
the words of their internal notes, which only the staff's catalog query can
see.
"""

from BTrees.IIBTree import IISet
from BTrees.IIBTree import IITreeSet
from BTrees.IIBTree import intersection
from BTrees.IIBTree import union
from collective.tickets.core.desk import assignee_token
from collective.tickets.core.desk import PRIORITIES
from collective.tickets.core.desk import priority_rank
from collective.tickets.core.numbers import parse_number
from collective.tickets.core.people import current_userid
from collective.tickets.core.queries import ACTIVITY_INDEX
from collective.tickets.core.queries import newest_first
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS
from dataclasses import asdict
from dataclasses import dataclass
from plone import api
from Products.ZCTextIndex.ParseTree import ParseError
from ZTUtils.Lazy import LazyMap


WAITING_STAFF = "staff"
WAITING_CUSTOMER = "customer"
ASSIGNED_ME = "me"
ASSIGNED_NOBODY = "none"
SORT_ACTIVITY = "activity"
SORT_PRIORITY = "priority"
SORT_NUMBER = "number"
SORTS = (SORT_ACTIVITY, SORT_PRIORITY, SORT_NUMBER)


@dataclass
class QueueFilter:
    """What the overview shows. Empty strings mean "any"."""

    state: str = ""
    waiting: str = ""
    assignee: str = ""
    priority: str = ""
    category: str = ""
    customer: str = ""
    text: str = ""
    sort: str = SORT_ACTIVITY

    @classmethod
    def from_form(cls, form):
        """The filter of a query string; a value that makes no sense is
        dropped (a stale bookmark still shows the overview)."""

        def value(name):
            raw = form.get(name, "")
            return raw.strip() if isinstance(raw, str) else ""

        result = cls(
            state=value("state"),
            waiting=value("waiting"),
            assignee=value("assignee"),
            priority=value("priority"),
            category=value("category"),
            customer=value("customer"),
            text=value("SearchableText") or value("text"),
            sort=value("sort") or SORT_ACTIVITY,
        )
        if result.state not in (IN_PROGRESS, COMPLETED):
            result.state = ""
        if result.waiting not in (WAITING_STAFF, WAITING_CUSTOMER):
            result.waiting = ""
        if result.priority not in PRIORITIES:
            result.priority = ""
        if result.sort not in SORTS:
            result.sort = SORT_ACTIVITY
        # The old overview's "awaiting staff" box, in bookmarks made before.
        if form.get("awaiting") and not result.waiting:
            result.waiting = WAITING_STAFF
        return result

    def params(self):
        """The filter as query-string parameters (the defaults left out)."""
        data = asdict(self)
        data["SearchableText"] = data.pop("text")
        if data["sort"] == SORT_ACTIVITY:
            data["sort"] = ""
        return {name: value for name, value in data.items() if value}


def catalog_query(flt):
    """The index part of the filter (everything but the text)."""
    query = {"portal_type": "Ticket"}
    if flt.state:
        query["review_state"] = flt.state
    if flt.waiting:
        # Only a ticket in progress waits for anybody.
        query["review_state"] = IN_PROGRESS
        query["ticket_awaiting_staff"] = flt.waiting == WAITING_STAFF
    if flt.assignee == ASSIGNED_ME:
        query["ticket_assignee"] = assignee_token(current_userid())
    elif flt.assignee == ASSIGNED_NOBODY:
        query["ticket_assignee"] = assignee_token(None)
    elif flt.assignee:
        query["ticket_assignee"] = assignee_token(flt.assignee)
    if flt.priority:
        query["ticket_priority"] = priority_rank(flt.priority)
    if flt.category:
        query["ticket_category"] = flt.category
    if flt.customer:
        query["ticket_customer"] = flt.customer
    return query


def _rids(result):
    """The record ids of a catalog result, as a set, without making brains."""
    seq = getattr(result, "_seq", None)
    if isinstance(seq, (IISet, IITreeSet)):
        return seq
    if not isinstance(result, LazyMap):
        return IITreeSet(brain.getRID() for brain in result)
    rids = IITreeSet()
    for item in seq:
        # A text query's results are (score, rid) pairs.
        rids.insert(item[1] if isinstance(item, tuple) else item)
    return rids


def _text_rids(catalog, text):
    """The tickets whose number, subject or messages hold ``text``, and those
    whose internal notes do (the notes the current user may see: none for
    anyone but the staff)."""
    try:
        tickets = _rids(catalog(portal_type="Ticket", SearchableText=text))
        notes = _rids(catalog(portal_type="TicketNote", SearchableText=text))
    except ParseError:
        # "#1042", or a query the text index cannot read: the number only.
        tickets = notes = IISet()
    number = parse_number(text)
    if number is not None:
        tickets = union(
            tickets, _rids(catalog(portal_type="Ticket", ticket_number=number))
        )
    parents = IISet()
    paths = catalog._catalog.paths
    uids = catalog._catalog.uids
    for rid in notes:
        parent = uids.get(paths[rid].rpartition("/")[0])
        if parent is not None:
            parents.insert(parent)
    return union(tickets, parents)


def _matches(flt):
    """The unsorted rids the filter finds, and the catalog."""
    catalog = api.portal.get_tool("portal_catalog")
    rids = _rids(catalog(**catalog_query(flt)))
    if flt.text:
        rids = intersection(rids, _text_rids(catalog, flt.text))
    return catalog, rids


def _sort_indexes(catalog, sort):
    get = catalog._catalog.getIndex
    if sort == SORT_PRIORITY:
        return [get("ticket_priority"), get(ACTIVITY_INDEX)]
    if sort == SORT_NUMBER:
        return [get("ticket_number")]
    return [get(ACTIVITY_INDEX)]


def queue_page(flt, start, size):
    """The page ``[start, start + size)`` of the tickets the filter finds,
    sorted, as a sequence plone.batching knows (``actual_result_count`` is
    the number of all matches)."""
    if not flt.text and flt.sort == SORT_ACTIVITY:
        # The common case keeps its walk down the activity index.
        return newest_first(catalog_query(flt), start, size)
    catalog, rids = _matches(flt)
    total = len(rids)
    if not total:
        return LazyMap(lambda rid: None, [], 0, actual_result_count=0)
    return catalog._catalog.sortResults(
        rids,
        _sort_indexes(catalog, flt.sort),
        reverse=True,
        limit=start + size,
        merge=True,
        actual_result_count=total,
        b_start=start,
        b_size=size,
    )


def queue_brains(flt):
    """Every ticket the filter finds, sorted (for the CSV export)."""
    catalog, rids = _matches(flt)
    if not rids:
        return []
    return catalog._catalog.sortResults(
        rids,
        _sort_indexes(catalog, flt.sort),
        reverse=True,
        merge=True,
        actual_result_count=len(rids),
    )
