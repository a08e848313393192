"""Finding tickets: one query builder, the newest-activity walk, one summary
of a catalog row. Every listing (the screens, the REST API, the menu) asks
here, so they all find the same tickets."""

from AccessControl import getSecurityManager
from BTrees.IIBTree import IISet
from BTrees.IIBTree import IITreeSet
from collective.tickets.core.people import clean_transaction
from collective.tickets.core.people import display_name
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS
from dataclasses import dataclass
from DateTime import DateTime
from plone import api
from ZTUtils.Lazy import LazyMap

import math


ACTIVITY_INDEX = "ticket_last_activity"
# What a listing may be sorted by, and the catalog index that does it.
SORT_INDEXES = {
    "ticket_last_activity": ACTIVITY_INDEX,
    "created": "created",
    "title": "sortable_title",
}


def base_query(portal_type="Ticket"):
    """Where every query for tickets (or their notes) starts.

    Plone's catalog adds a publication-date filter (``effectiveRange``) for
    users without "Access inactive portal content" on the site, customers
    and the staff among them. Tickets have no publication or expiry dates
    (no such behavior), so it matches every ticket, but it still costs a
    pass over all of them: about 3 ms per query at 100,000 tickets.
    ``show_inactive`` leaves it out; the catalog still applies the user's
    permissions (``allowedRolesAndUsers``)."""
    return {"portal_type": portal_type, "show_inactive": True}


def ticket_query(customer=None, state=None, text=None, awaiting_staff=False):
    """The catalog query for tickets: of one ``customer`` (a user id), in one
    ``state``, containing ``text``, or waiting for the staff's answer. The
    catalog applies the current user's permissions to it."""
    query = base_query()
    if customer:
        query["ticket_customer"] = customer
    if state in (IN_PROGRESS, COMPLETED):
        query["review_state"] = state
    if text:
        query["SearchableText"] = text
    if awaiting_staff:
        # Only a ticket in progress waits for anybody.
        query["ticket_awaiting_staff"] = True
        query["review_state"] = IN_PROGRESS
    return query


def find_tickets(query, sort_on="ticket_last_activity", descending=True):
    """Catalog brains for ``query`` (from ``ticket_query``), sorted."""
    catalog = api.portal.get_tool("portal_catalog")
    return catalog(
        sort_on=SORT_INDEXES.get(sort_on, ACTIVITY_INDEX),
        sort_order="descending" if descending else "ascending",
        **query,
    )


def tickets_of(userid, state=None):
    """Catalog brains of ``userid``'s tickets the current user may see,
    newest activity first."""
    return find_tickets(ticket_query(customer=userid, state=state))


def count_in_progress(userid):
    """How many of ``userid``'s tickets are in progress (for the menu)."""
    return cached_count(ticket_query(customer=userid, state=IN_PROGRESS))


# The menu's counts, by catalog state, reader and query (``cached_count``).
_COUNTS = {}
_COUNTS_LIMIT = 10_000


def cached_count(query):
    """How many tickets ``query`` finds for the current user.

    The personal menu shows a count on every page; at 100,000 tickets the
    staff's costs about 5 ms of set intersections. Kept in the process
    until the catalog changes: Plone's catalog counter moves with every
    object (un)indexed, so the transaction that last stored it names the
    catalog's state; the principals the catalog filters on (the user, their
    roles and groups) are part of the key. Not kept while the request's own
    transaction has changed the catalog (that state is not committed).
    """
    catalog = api.portal.get_tool("portal_catalog")
    # Indexes what is queued, and loads the counter.
    catalog.getCounter()
    counter = getattr(catalog, "_counter", None)
    # A changed counter, or one stored at a savepoint of this transaction
    # (no longer marked changed, not committed either): the catalog's state
    # is the request's own.
    if (
        counter is None
        or counter._p_changed
        or counter._p_jar is None
        or not clean_transaction()
    ):
        return len(catalog(**query))
    user = getSecurityManager().getUser()
    key = (
        "/".join(catalog.getPhysicalPath()),
        # The transaction that last changed the catalog: one per state of it.
        counter._p_serial,
        tuple(catalog._listAllowedRolesAndUsers(user)),
        tuple(sorted((name, repr(value)) for name, value in query.items())),
    )
    count = _COUNTS.get(key)
    if count is None:
        count = len(catalog(**query))
        if len(_COUNTS) >= _COUNTS_LIMIT:
            _COUNTS.clear()
        _COUNTS[key] = count
    return count


def newest_first(query, start, size):
    """The page ``[start, start + size)`` of the tickets that ``query`` finds,
    the most recent activity first, as a sequence plone.batching knows.

    For a page of a few matches among many tickets the catalog's own sort is
    the fastest. But it looks up the sort key of every match, so a page of the
    staff overview would cost more with every ticket in the site. When the
    matches are many, walking the activity index down from its newest key and
    keeping the matches stops as soon as the page is full: either way the
    work is at most about the square root of (page end x tickets).
    """
    catalog = api.portal.get_tool("portal_catalog")
    sorted_query = dict(
        query,
        sort_on=ACTIVITY_INDEX,
        sort_order="descending",
        b_start=start,
        b_size=size,
    )
    # Unsorted: the indexes' sets are intersected, no brain is made.
    matches = catalog(**query)
    total = len(matches)
    rids = getattr(matches, "_seq", None)
    index = catalog._catalog.getIndex(ACTIVITY_INDEX)
    wanted = start + size
    if not isinstance(rids, (IISet, IITreeSet)) or total * total <= (
        wanted * index.indexSize()
    ):
        return catalog(**sorted_query)
    page = []
    tree = index._index
    key = tree.maxKey() if tree else None
    while key is not None and len(page) < wanted:
        entry = tree[key]
        for rid in (entry,) if isinstance(entry, int) else entry:
            if rid in rids:
                page.append(rid)
        try:
            key = tree.maxKey(math.nextafter(key, -math.inf))
        except ValueError:
            key = None
    page = page[start:wanted]
    return LazyMap(
        catalog._catalog.__getitem__, page, len(page), actual_result_count=total
    )


@dataclass
class TicketSummary:
    """What a listing shows of a ticket, read from its catalog row alone
    (a listing never wakes a ticket up)."""

    url: str
    title: str
    state: str
    customer_id: str
    created: DateTime
    last_activity: DateTime
    last_author_id: str
    reply_count: int
    awaiting_staff: bool
    number: int | None = None
    # 0 (low) to 3 (urgent), as the catalog keeps it.
    priority_rank: int = 1
    category: str = ""
    # A keyed token, never the user id (see core.desk.assignee_token).
    assignee_token: str = ""
    # When the nearest service-level target falls due (seconds), if any.
    due: float | None = None

    @property
    def customer_name(self):
        return display_name(self.customer_id)

    @property
    def last_author_name(self):
        return display_name(self.last_author_id)


def ticket_summary(brain):
    return TicketSummary(
        url=brain.getURL(),
        title=brain.Title,
        state=brain.review_state,
        customer_id=brain.ticket_customer,
        created=brain.created,
        last_activity=DateTime(brain.ticket_last_activity),
        last_author_id=brain.ticket_last_author,
        reply_count=brain.ticket_reply_count or 0,
        awaiting_staff=brain.review_state == IN_PROGRESS
        and brain.ticket_last_author == brain.ticket_customer,
        number=getattr(brain, "ticket_number", None) or None,
        priority_rank=_or(getattr(brain, "ticket_priority", None), 1),
        category=getattr(brain, "ticket_category", None) or "",
        assignee_token=getattr(brain, "ticket_assignee", None) or "",
        due=_float_or_none(getattr(brain, "ticket_due", None)),
    )


def _float_or_none(value):
    return value if isinstance(value, float) else None


def _or(value, default):
    """The catalog's "no value" for a column is Missing.Value or None."""
    return value if isinstance(value, int) else default
