"""``@@my-tickets``: the current member's tickets, from the catalog only."""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.base import localized
from collective.tickets.browser.base import state_badge
from collective.tickets.browser.base import state_title
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.users import current_userid
from collective.tickets.users import display_name
from DateTime import DateTime
from plone import api
from plone.batching import Batch
from Products.Five.browser import BrowserView


BATCH_SIZE = 20
STATE_FILTERS = (
    ("", _("filter_all", default="All")),
    (tickets.IN_PROGRESS, _("state_in_progress", default="In progress")),
    (tickets.COMPLETED, _("state_completed", default="Completed")),
)


class TicketListing(BrowserView):
    """A batched list of one customer's tickets; subclasses say whose."""

    def customer_id(self):
        raise NotImplementedError

    def selected_state(self):
        value = self.request.form.get("state", "")
        return value if value in dict(STATE_FILTERS) else ""

    def state_filters(self):
        selected = self.selected_state()
        base = self.request.getURL()
        return [
            {
                "title": title,
                "url": f"{base}?{self.filter_query(state)}",
                "active": state == selected,
            }
            for state, title in STATE_FILTERS
        ]

    def filter_query(self, state):
        return f"state={state}" if state else ""

    def batch(self):
        try:
            start = max(int(self.request.form.get("b_start", 0)), 0)
        except (TypeError, ValueError):
            start = 0
        brains = tickets.tickets_of(self.customer_id(), state=self.selected_state())
        return Batch(brains, BATCH_SIZE, start)

    def rows(self, batch):
        for brain in batch:
            replied = brain.ticket_reply_count or 0
            yield {
                "url": brain.getURL(),
                "title": brain.Title,
                "state": state_title(brain.review_state),
                "badge": state_badge(brain.review_state),
                "opened": localized(brain.created),
                "last_reply": localized(DateTime(brain.ticket_last_activity))
                if replied
                else "",
                "last_author": display_name(brain.ticket_last_author)
                if replied
                else "",
            }


class MyTicketsView(TicketListing):
    def __call__(self):
        if api.user.is_anonymous():
            raise Unauthorized("Log in to see your tickets.")
        hide_portlet_columns(self.request)
        return self.index()

    def customer_id(self):
        return current_userid()

    def new_ticket_url(self):
        return api.portal.get().absolute_url() + "/@@new-ticket"
