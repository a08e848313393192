"""``@@tickets``: the staff's work queue, every ticket of every customer.

The filters live in the query string (``QueueFilter``), so a view of the
queue is a URL to bookmark and share; each filter is a catalog query.
"""

from collective.tickets import _
from collective.tickets.browser.listing import BATCH_SIZE
from collective.tickets.browser.listing import StaffListing
from collective.tickets.core import desk
from collective.tickets.core.dates import localized
from collective.tickets.core.people import display_name
from collective.tickets.core.people import find_customers
from collective.tickets.core.people import staff_by_name
from collective.tickets.core.queue import ASSIGNED_ME
from collective.tickets.core.queue import ASSIGNED_NOBODY
from collective.tickets.core.queue import DUE_OVERDUE
from collective.tickets.core.queue import DUE_SOON
from collective.tickets.core.queue import queue_page
from collective.tickets.core.queue import QueueFilter
from collective.tickets.core.queue import SORT_ACTIVITY
from collective.tickets.core.queue import SORT_DUE
from collective.tickets.core.queue import SORT_NUMBER
from collective.tickets.core.queue import SORT_PRIORITY
from collective.tickets.core.queue import WAITING_CUSTOMER
from collective.tickets.core.queue import WAITING_STAFF
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS
from collective.tickets.core.states import state_title
from functools import cached_property
from plone import api
from plone.batching import Batch
from urllib.parse import urlencode


def resolve_customer(queue_filter):
    """A name or an address typed without the picker's help: the one
    customer it names (the filter then holds their user id), else the
    message that asks to pick one."""
    typed = queue_filter.customer
    if not typed or api.user.get(userid=typed) is not None:
        return None
    found = find_customers(typed, limit=2)
    if len(found) == 1:
        queue_filter.customer = found[0]["id"]
        return None
    return _(
        "msg_pick_customer",
        default="'${text}' is not one customer: ${count} match. Type more of "
        "the name or the e-mail address and pick one from the list.",
        mapping={"text": typed, "count": len(found)},
    )


class TicketsOverview(StaffListing):
    """``@@tickets``: the queue, filtered and sorted as the URL says."""

    show_customer = True

    @cached_property
    def _filter_and_problem(self):
        queue_filter = QueueFilter.from_form(self.request.form)
        return queue_filter, resolve_customer(queue_filter)

    @property
    def queue_filter(self):
        return self._filter_and_problem[0]

    @property
    def customer_problem(self):
        return self._filter_and_problem[1]

    # The filter form

    def params(self, **changes):
        params = self.queue_filter.params()
        params.update(changes)
        return {name: value for name, value in params.items() if value}

    def url_with(self, **changes):
        """This view of the queue, with ``changes``, on its first page."""
        query = urlencode(self.params(**changes))
        base = self.request.getURL()
        return f"{base}?{query}" if query else base

    def is_filtered(self):
        return any(name != "sort" for name in self.queue_filter.params()) or bool(
            self.customer_problem
        )

    def selected_state(self):
        return self.queue_filter.state

    def options(self, pairs, selected):
        return [
            {"value": value, "title": title, "selected": value == selected}
            for value, title in pairs
        ]

    def state_options(self):
        return self.options(
            [
                ("", _("filter_all", default="All")),
                (IN_PROGRESS, state_title(IN_PROGRESS)),
                (COMPLETED, state_title(COMPLETED)),
            ],
            self.queue_filter.state,
        )

    def waiting_options(self):
        return self.options(
            [
                ("", _("filter_anyone", default="Anyone")),
                (WAITING_STAFF, _("filter_waiting_staff", default="The staff")),
                (
                    WAITING_CUSTOMER,
                    _("filter_waiting_customer", default="The customer"),
                ),
            ],
            self.queue_filter.waiting,
        )

    def staff_members(self):
        people = staff_by_name()
        return [(userid, display_name(userid)) for userid in people]

    def assignee_options(self):
        return self.options(
            [
                ("", _("filter_anyone", default="Anyone")),
                (ASSIGNED_ME, _("filter_assigned_me", default="Me")),
                (ASSIGNED_NOBODY, _("filter_unassigned", default="Nobody")),
            ]
            + self.staff_members(),
            self.queue_filter.assignee,
        )

    def priority_options(self):
        return self.options(
            [("", _("filter_any_priority", default="Any"))]
            + [
                (value, desk.priority_title(value))
                for value in reversed(desk.PRIORITIES)
            ],
            self.queue_filter.priority,
        )

    def show_category(self):
        """Categories are shown once managers have set some."""
        return bool(desk.categories())

    def category_options(self):
        return self.options(
            [("", _("filter_any_category", default="Any"))]
            + [(c["id"], desk.category_title(c["id"])) for c in desk.categories()],
            self.queue_filter.category,
        )

    def sort_options(self):
        return self.options(
            [
                (SORT_ACTIVITY, _("sort_activity", default="Last activity")),
                (SORT_PRIORITY, _("sort_priority", default="Priority")),
                (SORT_NUMBER, _("sort_number", default="Number")),
                (SORT_DUE, _("sort_due", default="Due time")),
            ],
            self.queue_filter.sort,
        )

    def due_options(self):
        return self.options(
            [
                ("", _("filter_any_due", default="Any")),
                (DUE_OVERDUE, _("filter_overdue", default="Overdue")),
                (DUE_SOON, _("filter_due_soon", default="Due within the next hour")),
            ],
            self.queue_filter.due,
        )

    def customer_name(self):
        userid = self.queue_filter.customer
        if not userid or self.customer_problem:
            return ""
        return display_name(userid)

    def remove_customer_url(self):
        return self.url_with(customer="")

    def search_text(self):
        return self.queue_filter.text

    def export_url(self):
        query = urlencode(self.params())
        base = api.portal.get().absolute_url() + "/@@tickets-export"
        return f"{base}?{query}" if query else base

    def came_from(self):
        """This view of the queue, its page included, where the bulk actions
        come back to."""
        return self.url_with(b_start=self.start())

    # The rows

    def start(self):
        try:
            return max(int(self.request.form.get("b_start", 0)), 0)
        except (TypeError, ValueError):
            return 0

    def batch(self):
        if self.customer_problem:
            return Batch([], BATCH_SIZE, 0)
        start = self.start()
        return Batch(
            queue_page(self.queue_filter, start, BATCH_SIZE), BATCH_SIZE, start
        )

    def row(self, brain, ticket):
        row = super().row(brain, ticket)
        priority = desk.PRIORITIES[ticket.priority_rank]
        assignee = self.assignees.get(ticket.assignee_token)
        row.update(
            {
                "uid": brain.UID,
                "priority": desk.priority_title(priority),
                "priority_badge": desk.priority_badge(priority),
                "category": desk.category_title(ticket.category),
                "assignee": display_name(assignee) if assignee else "",
                "last_activity": localized(ticket.last_activity),
                "last_activity_author": ticket.last_author_name,
            }
        )
        return row

    def rows(self, batch):
        # The catalog keeps tokens: mapped back once per page.
        self.assignees = desk.tokens_of_staff()
        return super().rows(batch)

    def customer_url(self, userid):
        return self.url_with(customer=userid)
