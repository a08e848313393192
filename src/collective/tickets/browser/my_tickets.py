"""Ticket listings, all from the catalog: the customer's own "My tickets",
the staff's "Customer tickets" tab and the staff overview of every ticket."""

from AccessControl import Unauthorized
from BTrees.IIBTree import IISet
from BTrees.IIBTree import IITreeSet
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.base import localized
from collective.tickets.browser.base import state_badge
from collective.tickets.browser.base import state_title
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.users import current_userid
from collective.tickets.users import display_name
from collective.tickets.users import is_staff
from DateTime import DateTime
from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView
from urllib.parse import urlencode
from zope.i18n import translate
from ZTUtils.Lazy import LazyMap

import math


BATCH_SIZE = 20
ACTIVITY_INDEX = "ticket_last_activity"
STATE_FILTERS = (
    ("", _("filter_all", default="All")),
    (tickets.IN_PROGRESS, _("state_in_progress", default="In progress")),
    (tickets.COMPLETED, _("state_completed", default="Completed")),
)


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


class TicketListing(BrowserView):
    """A batched, filterable list of tickets; subclasses say whose."""

    show_customer = False
    # Query string parameters a filter link keeps.
    kept_params = ()

    def __call__(self):
        self.check_access()
        hide_portlet_columns(self.request)
        return self.index()

    def check_access(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to see tickets.")

    def query(self):
        raise NotImplementedError

    def selected_state(self):
        value = self.request.form.get("state", "")
        return value if value in dict(STATE_FILTERS) else ""

    def url_with(self, **params):
        kept = {name: self.request.form.get(name) for name in self.kept_params}
        kept.update(params)
        query = urlencode({k: v for k, v in kept.items() if v})
        base = self.request.getURL()
        return f"{base}?{query}" if query else base

    def state_filters(self):
        selected = self.selected_state()
        return [
            {
                "title": title,
                "url": self.url_with(state=state),
                "active": state == selected,
            }
            for state, title in STATE_FILTERS
        ]

    def batch(self):
        try:
            start = max(int(self.request.form.get("b_start", 0)), 0)
        except (TypeError, ValueError):
            start = 0
        query = {"portal_type": "Ticket"}
        query.update(self.query())
        if self.selected_state():
            query["review_state"] = self.selected_state()
        return Batch(newest_first(query, start, BATCH_SIZE), BATCH_SIZE, start)

    def rows(self, batch):
        for brain in batch:
            replied = brain.ticket_reply_count or 0
            in_progress = brain.review_state == tickets.IN_PROGRESS
            yield {
                "url": brain.getURL(),
                "title": brain.Title,
                "state": state_title(brain.review_state),
                "badge": state_badge(brain.review_state),
                "customer": display_name(brain.ticket_customer)
                if self.show_customer
                else "",
                "customer_url": self.customer_url(brain.ticket_customer),
                "opened": localized(brain.created),
                "last_reply": localized(DateTime(brain.ticket_last_activity))
                if replied
                else "",
                "last_author": display_name(brain.ticket_last_author)
                if replied
                else "",
                "awaiting_staff": in_progress
                and brain.ticket_last_author == brain.ticket_customer,
            }

    def customer_url(self, userid):
        return ""


class MyTicketsView(TicketListing):
    def query(self):
        return {"ticket_customer": current_userid()}

    def new_ticket_url(self):
        return api.portal.get().absolute_url() + "/@@new-ticket"


class StaffListing(TicketListing):
    def check_access(self):
        super().check_access()
        if not is_staff():
            raise Unauthorized("Only the staff may see other customers' tickets.")


class CustomerTicketsView(StaffListing):
    """``@@customer-tickets?userid=...``: every ticket of one customer."""

    kept_params = ("userid",)

    def userid(self):
        return (self.request.form.get("userid") or "").strip()

    def customer(self):
        userid = self.userid()
        return api.user.get(userid=userid) if userid else None

    def customer_name(self):
        return display_name(self.userid())

    def query(self):
        return {"ticket_customer": self.userid()}

    def can_manage_users(self):
        return api.user.has_permission(
            "Plone Site Setup: Users and Groups", obj=api.portal.get()
        )

    def user_query(self):
        return urlencode({"userid": self.userid()})


class TicketsOverview(StaffListing):
    """``@@tickets``: every ticket of every customer, for the staff."""

    show_customer = True
    kept_params = ("customer", "SearchableText", "awaiting")

    def search_text(self):
        return (self.request.form.get("SearchableText") or "").strip()

    def customer_filter(self):
        return (self.request.form.get("customer") or "").strip()

    def awaiting_only(self):
        return bool(self.request.form.get("awaiting"))

    def query(self):
        query = {}
        if self.customer_filter():
            query["ticket_customer"] = self.customer_filter()
        if self.search_text():
            query["SearchableText"] = self.search_text()
        if self.awaiting_only():
            query["ticket_awaiting_staff"] = True
            query["review_state"] = tickets.IN_PROGRESS
        return query

    def selected_state(self):
        # "Awaiting staff" only exists for tickets in progress.
        if self.awaiting_only():
            return ""
        return super().selected_state()

    def customer_url(self, userid):
        return self.url_with(customer=userid, b_start=None)


class MyTicketsMenuTitle(BrowserView):
    """The personal menu entry: "My tickets (2)" while two are in progress."""

    def __call__(self):
        userid = current_userid()
        count = 0
        if userid:
            catalog = api.portal.get_tool("portal_catalog")
            count = len(
                catalog(
                    portal_type="Ticket",
                    ticket_customer=userid,
                    review_state=tickets.IN_PROGRESS,
                )
            )
        if count:
            message = _(
                "menu_my_tickets_count",
                default="My tickets (${count})",
                mapping={"count": count},
            )
        else:
            message = _("menu_my_tickets", default="My tickets")
        return translate(message, context=self.request)
