"""What the ticket listings share: a batched, filterable page of catalog
rows ("My tickets", the customer tab, the staff overview)."""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.core.dates import localized
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import is_staff
from collective.tickets.core.queries import newest_first
from collective.tickets.core.queries import ticket_query
from collective.tickets.core.queries import ticket_summary
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS
from collective.tickets.core.states import state_badge
from collective.tickets.core.states import state_title
from DateTime import DateTime
from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView
from urllib.parse import urlencode

import time


BATCH_SIZE = 20
STATE_FILTERS = (
    ("", _("filter_all", default="All")),
    (IN_PROGRESS, state_title(IN_PROGRESS)),
    (COMPLETED, state_title(COMPLETED)),
)


class TicketListing(BrowserView):
    """A batched, filterable list of tickets; subclasses say whose."""

    show_customer = False
    show_due = False
    # Query string parameters a filter link keeps.
    kept_params = ()

    def __call__(self):
        self.check_access()
        hide_portlet_columns(self.request)
        return self.index()

    def check_access(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to see tickets.")

    def filters(self):
        """The ``ticket_query`` arguments of this listing."""
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
        query = ticket_query(state=self.selected_state(), **self.filters())
        return Batch(newest_first(query, start, BATCH_SIZE), BATCH_SIZE, start)

    def rows(self, batch):
        for brain in batch:
            yield self.row(brain, ticket_summary(brain))

    def row(self, brain, ticket):
        """What the listing shows of one ticket, from its catalog row."""
        replied = ticket.reply_count > 0
        return {
            "url": ticket.url,
            "number": number_label(ticket.number),
            "title": ticket.title,
            "state": state_title(ticket.state),
            "badge": state_badge(ticket.state),
            "customer": ticket.customer_name if self.show_customer else "",
            "customer_url": self.customer_url(ticket.customer_id),
            "opened": localized(ticket.created),
            "last_reply": localized(ticket.last_activity) if replied else "",
            "last_author": ticket.last_author_name if replied else "",
            "awaiting_staff": ticket.awaiting_staff,
            # Service levels are the staff's business.
            "due": localized(DateTime(ticket.due))
            if self.show_due and ticket.due
            else "",
            "overdue": bool(self.show_due and ticket.due and ticket.due <= time.time()),
        }

    def customer_url(self, userid):
        return ""


class StaffListing(TicketListing):
    show_due = True

    def check_access(self):
        super().check_access()
        if not is_staff():
            raise Unauthorized("Only the staff may see other customers' tickets.")
