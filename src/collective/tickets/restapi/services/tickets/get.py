"""``GET @tickets``: the current customer's tickets; the staff's: everyone's,
through the work queue of the overview."""

from collective.tickets import _
from collective.tickets.core.desk import PRIORITIES
from collective.tickets.core.desk import tokens_of_staff
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.queries import ACTIVITY_INDEX
from collective.tickets.core.queries import find_tickets
from collective.tickets.core.queries import ticket_query
from collective.tickets.core.queries import ticket_summary
from collective.tickets.core.queue import queue_page
from collective.tickets.core.queue import QueueFilter
from collective.tickets.restapi.serializers.ticket import category_json
from collective.tickets.restapi.serializers.ticket import priority_json
from plone import api
from plone.restapi.batching import DEFAULT_BATCH_SIZE
from plone.restapi.batching import HypermediaBatch
from plone.restapi.deserializer import parse_int
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.services import Service
from zExceptions import Unauthorized
from zope.i18n import translate


LOG_IN = _(
    "error_api_log_in",
    default="Log in to see tickets: send your user name and password, or a "
    "token from @login.",
)


# With any of these the staff's listing is the overview's, whatever
# ``sort_on`` says: the queue's own filters, and its text search, which also
# finds numbers and the words of internal notes.
DESK_FILTERS = ("assignee", "priority", "category", "waiting", "sort", "SearchableText")


class TicketsGet(Service):
    def staff_queue(self):
        """The overview's filter for the staff's listing; None when they sort
        by what only the plain listing sorts by (``created``, ``title``,
        ascending)."""
        form = self.request.form
        plain_sort = form.get("sort_on") not in (None, "", ACTIVITY_INDEX) or (
            form.get("sort_order") == "ascending"
        )
        if plain_sort and not any(form.get(name) for name in DESK_FILTERS):
            return None
        return QueueFilter.from_form(dict(form, state=form.get("review_state", "")))

    def results(self):
        form = self.request.form
        queue_filter = self.staff_queue() if is_staff() else None
        if queue_filter is not None:
            # Only the page asked for is sorted, as on the overview.
            start = max(parse_int(form, "b_start", 0), 0)
            size = parse_int(form, "b_size", DEFAULT_BATCH_SIZE)
            return queue_page(
                queue_filter, start, size if size > 0 else DEFAULT_BATCH_SIZE
            )
        # Staff see every customer's tickets; a customer only their own.
        customer = form.get("customer") if is_staff() else current_userid()
        query = ticket_query(
            customer=customer,
            state=form.get("review_state"),
            text=form.get("SearchableText"),
        )
        return find_tickets(
            query,
            sort_on=form.get("sort_on"),
            descending=form.get("sort_order") != "ascending",
        )

    def item(self, brain):
        ticket = ticket_summary(brain)
        priority = PRIORITIES[ticket.priority_rank]
        item = {
            "@id": ticket.url,
            "@type": "Ticket",
            "title": ticket.title,
            "review_state": ticket.state,
            "customer": {"id": ticket.customer_id, "name": ticket.customer_name},
            "created": json_compatible(ticket.created),
            "last_activity": json_compatible(ticket.last_activity),
            "last_author": {
                "id": ticket.last_author_id,
                "name": ticket.last_author_name,
            },
            "replies": ticket.reply_count,
            "number": ticket.number,
            "number_label": number_label(ticket.number),
            "priority": priority_json(priority, self.request),
            "category": category_json(ticket.category),
        }
        if self.assignees is not None:
            userid = self.assignees.get(ticket.assignee_token)
            item["assignee"] = (
                {"id": userid, "name": display_name(userid)} if userid else None
            )
        return item

    def reply(self):
        if api.user.is_anonymous():
            raise Unauthorized(translate(LOG_IN, context=self.request))
        # The catalog keeps a token of the assignee: the staff get the name.
        self.assignees = tokens_of_staff() if is_staff() else None
        batch = HypermediaBatch(self.request, self.results())
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "items": [self.item(brain) for brain in batch],
        }
        if batch.links:
            result["batching"] = batch.links
        return result
