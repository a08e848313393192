"""The staff's work queue: the overview's filters as one catalog query.

``QueueFilter.from_form(form)`` reads the filters from a query string (so a
view is a URL that can be bookmarked and shared), ``queue_page`` returns one
sorted page of catalog rows, ``queue_brains`` all of them (the CSV export).
Every filter is an index lookup; the text filter also finds tickets by their
number and by the words of their internal notes, which only the staff's
catalog query can see.

A page costs about the square root of (page end x tickets in the site), not
the number of matches: only the rows up to the page's end are sorted, either
by sorting the matches or, when they are many, by walking the sort index down
from its highest key until the page is full, whichever is less work.
"""

from BTrees.IIBTree import difference
from BTrees.IIBTree import IISet
from BTrees.IIBTree import IITreeSet
from BTrees.IIBTree import intersection
from BTrees.IIBTree import union
from collective.tickets.core.desk import assignee_token
from collective.tickets.core.desk import PRIORITIES
from collective.tickets.core.desk import PRIORITY_INDEX
from collective.tickets.core.desk import priority_rank
from collective.tickets.core.numbers import NUMBER_INDEX
from collective.tickets.core.numbers import parse_number
from collective.tickets.core.people import current_userid
from collective.tickets.core.queries import ACTIVITY_INDEX
from collective.tickets.core.queries import base_query
from collective.tickets.core.sla import DUE_INDEX
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS
from dataclasses import asdict
from dataclasses import dataclass
from plone import api
from plone.base.utils import munge_search_term
from Products.ZCTextIndex.ParseTree import ParseError
from Products.ZCTextIndex.ParseTree import QueryError
from ZTUtils.Lazy import LazyMap

import heapq
import math
import time


WAITING_STAFF = "staff"
WAITING_CUSTOMER = "customer"
ASSIGNED_ME = "me"
ASSIGNED_NOBODY = "none"
SORT_ACTIVITY = "activity"
SORT_PRIORITY = "priority"
SORT_NUMBER = "number"
SORT_DUE = "due"
SORTS = (SORT_ACTIVITY, SORT_PRIORITY, SORT_NUMBER, SORT_DUE)
DUE_OVERDUE = "overdue"
DUE_SOON = "soon"
# "Due soon": within the next hour.
SOON = 3600


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
    due: str = ""
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
            due=value("due"),
            sort=value("sort") or SORT_ACTIVITY,
        )
        if result.state not in (IN_PROGRESS, COMPLETED):
            result.state = ""
        if result.waiting not in (WAITING_STAFF, WAITING_CUSTOMER):
            result.waiting = ""
        if result.priority not in PRIORITIES:
            result.priority = ""
        if result.due not in (DUE_OVERDUE, DUE_SOON):
            result.due = ""
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


def assignee_filter_token(value):
    """The catalog's assignee token for an assignee filter: ``me``,
    ``none`` (unassigned) or a user id."""
    if value == ASSIGNED_ME:
        return assignee_token(current_userid())
    return assignee_token(None if value == ASSIGNED_NOBODY else value)


def catalog_query(flt):
    """The index part of the filter (everything but the text), or None for a
    filter no ticket can match (a completed ticket waits for nobody)."""
    query = base_query()
    if flt.state:
        query["review_state"] = flt.state
    if flt.waiting:
        if flt.state == COMPLETED:
            return None
        # Only a ticket in progress waits for anybody.
        query["review_state"] = IN_PROGRESS
        query["ticket_awaiting_staff"] = flt.waiting == WAITING_STAFF
    if flt.assignee:
        query["ticket_assignee"] = assignee_filter_token(flt.assignee)
    if flt.priority:
        query["ticket_priority"] = priority_rank(flt.priority)
    if flt.category:
        query["ticket_category"] = flt.category
    if flt.customer:
        query["ticket_customer"] = flt.customer
    if flt.due:
        # Only a ticket in progress, on the staff's turn, has a due time.
        if flt.state == COMPLETED or flt.waiting == WAITING_CUSTOMER:
            return None
        now = time.time()
        if flt.due == DUE_OVERDUE:
            query[DUE_INDEX] = {"query": now, "range": "max"}
        else:
            query[DUE_INDEX] = {"query": (now, now + SOON), "range": "min:max"}
    return query


# The matches, as record ids


def record_ids(result):
    """The record ids of an unsorted catalog result, as a set, without
    making brains (the catalog hands them over as a set, a list or, for a
    text query, a list of (score, rid) pairs)."""
    if not isinstance(result, LazyMap):
        # No match (an empty LazyCat).
        return IISet(brain.getRID() for brain in result)
    seq = result._seq
    if isinstance(seq, (IISet, IITreeSet)):
        return seq
    if isinstance(seq, list) and seq and isinstance(seq[0], tuple):
        return IITreeSet(rid for _score, rid in seq)
    return IITreeSet(seq)


def _text_query(text):
    """``text`` as Plone's search box reads it: every word a prefix, "and",
    "or" and "not" words like the others; a number as itself ("1042" does
    not find "10425")."""
    number = parse_number(text)
    return str(number) if number is not None else munge_search_term(text)


def _search_text(catalog, query, words):
    try:
        return record_ids(catalog(**dict(query, SearchableText=words)))
    except (ParseError, QueryError):
        # Nothing but signs, or words too common to look for.
        return IISet()


def _note_parents(catalog, note_rids):
    """The record ids of the tickets holding these notes."""
    paths = catalog._catalog.paths
    uids = catalog._catalog.uids
    parents = IISet()
    for rid in note_rids:
        parent = uids.get(paths[rid].rpartition("/")[0])
        if parent is not None:
            parents.insert(parent)
    return parents


def _matches(flt):
    """The catalog, and the record ids of the tickets the filter finds
    (unsorted)."""
    catalog = api.portal.get_tool("portal_catalog")
    query = catalog_query(flt)
    if query is None:
        return catalog, IISet()
    if not flt.text:
        return catalog, record_ids(catalog(**query))
    found = IISet()
    words = _text_query(flt.text)
    if words:
        found = _search_text(catalog, query, words)
        # Only the staff's catalog query finds notes.
        notes = _search_text(catalog, base_query("TicketNote"), words)
        if notes:
            parents = _note_parents(catalog, notes)
            found = union(found, intersection(parents, record_ids(catalog(**query))))
    number = parse_number(flt.text)
    if number is not None:
        found = union(found, record_ids(catalog(**dict(query, ticket_number=number))))
    return catalog, found


# Sorting only what the page shows


def _walk(tree, rids, count, highest):
    """The first ``count`` of ``rids`` met walking the index ``tree`` from
    its highest key down, or from its lowest up."""
    found = []
    if not tree:
        return found
    key = tree.maxKey() if highest else tree.minKey()
    toward = -math.inf if highest else math.inf
    while len(found) < count:
        entry = tree[key]
        entry = (entry,) if isinstance(entry, int) else list(entry)
        for rid in reversed(entry) if highest else entry:
            if rid in rids:
                found.append(rid)
        following = math.nextafter(key, toward)
        try:
            key = tree.maxKey(following) if highest else tree.minKey(following)
        except ValueError:
            break
    return found[:count]


def _first(catalog, index_name, rids, count, highest=True):
    """The first ``count`` of ``rids`` in the order of the index
    ``index_name`` (equal keys by record id), from the highest key or from
    the lowest; a ticket the index lacks is left out."""
    count = min(count, len(rids))
    if count <= 0:
        return []
    index = catalog._catalog.getIndex(index_name)
    # Sorting costs about the number of matches; the walk about ``count``
    # times the tickets per match. Either is at most sqrt(count x tickets).
    if len(rids) * len(rids) > count * index.numObjects():
        return _walk(index._index, rids, count, highest)
    keys = index.documentToKeyMap()
    pick = heapq.nlargest if highest else heapq.nsmallest
    return pick(
        count,
        (rid for rid in rids if rid in keys),
        key=lambda rid: (keys[rid], rid),
    )


def _ordered_page(catalog, index_name, rids, start, stop):
    """The record ids at ``[start, stop)`` of ``rids`` by the index
    ``index_name``, highest first; tickets the index lacks last."""
    total = len(rids)
    stop = min(stop, total)
    if start >= stop:
        return []
    keys = catalog._catalog.getIndex(index_name).documentToKeyMap()
    if start > total - stop:
        # Nearer the end (the last page): counted from the lowest, where the
        # tickets without a key are, the last of them lowest of all.
        count = total - start
        lowest = [rid for rid in rids if rid not in keys][::-1][:count]
        lowest += _first(catalog, index_name, rids, count - len(lowest), highest=False)
        return lowest[total - stop :][::-1]
    found = _first(catalog, index_name, rids, stop)
    if len(found) < stop:
        found += [rid for rid in rids if rid not in keys][: stop - len(found)]
    return found[start:]


def _soonest_page(catalog, index_name, rids, start, stop):
    """The record ids at ``[start, stop)`` of ``rids`` by the index
    ``index_name``, lowest first; tickets the index lacks last."""
    stop = min(stop, len(rids))
    if start >= stop:
        return []
    found = _first(catalog, index_name, rids, stop, highest=False)
    if len(found) < stop:
        keys = catalog._catalog.getIndex(index_name).documentToKeyMap()
        found += [rid for rid in rids if rid not in keys][: stop - len(found)]
    return found[start:]


def _priority_tiers(catalog, rids):
    """``rids`` split by priority, urgent first; tickets without one last."""
    tree = catalog._catalog.getIndex(PRIORITY_INDEX)._index
    seen = IISet()
    for rank in reversed(range(len(PRIORITIES))):
        entry = tree.get(rank)
        if entry is None:
            continue
        tier = intersection(rids, IISet((entry,)) if isinstance(entry, int) else entry)
        seen = union(seen, tier)
        yield tier
    yield difference(rids, seen)


def _page(catalog, rids, sort, start, stop):
    """The record ids at ``[start, stop)`` of ``rids`` sorted as ``sort``
    says: newest activity first within one priority or by default, the
    soonest due first (the tickets without a due time last)."""
    if sort == SORT_NUMBER:
        return _ordered_page(catalog, NUMBER_INDEX, rids, start, stop)
    if sort == SORT_DUE:
        return _soonest_page(catalog, DUE_INDEX, rids, start, stop)
    if sort != SORT_PRIORITY:
        return _ordered_page(catalog, ACTIVITY_INDEX, rids, start, stop)
    page = []
    offset = 0
    for tier in _priority_tiers(catalog, rids):
        if offset >= stop:
            break
        if offset + len(tier) > start:
            page += _ordered_page(
                catalog, ACTIVITY_INDEX, tier, max(start - offset, 0), stop - offset
            )
        offset += len(tier)
    return page


def _lazy(catalog, page, total):
    return LazyMap(
        catalog._catalog.__getitem__, page, len(page), actual_result_count=total
    )


def queue_page(flt, start, size):
    """The page ``[start, start + size)`` of the tickets the filter finds,
    sorted, as a sequence plone.batching knows (``actual_result_count`` is
    the number of all matches)."""
    start = max(start, 0)
    catalog, rids = _matches(flt)
    return _lazy(
        catalog, _page(catalog, rids, flt.sort, start, start + size), len(rids)
    )


def queue_brains(flt):
    """Every ticket the filter finds, sorted as on the overview (for the CSV
    export)."""
    catalog, rids = _matches(flt)
    return _lazy(catalog, _page(catalog, rids, flt.sort, 0, len(rids)), len(rids))
