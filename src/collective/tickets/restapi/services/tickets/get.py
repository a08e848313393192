"""``GET @tickets``: the current customer's tickets; the staff's: everyone's."""

from collective.tickets import _
from collective.tickets.core.desk import PRIORITIES
from collective.tickets.core.desk import tokens_of_staff
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.queries import find_tickets
from collective.tickets.core.queries import ticket_query
from collective.tickets.core.queries import ticket_summary
from collective.tickets.core.queue import queue_brains
from collective.tickets.core.queue import QueueFilter
from plone import api
from plone.restapi.batching import HypermediaBatch
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.services import Service
from zExceptions import Unauthorized
from zope.i18n import translate


LOG_IN = _(
    "error_api_log_in",
    default="Log in to see tickets: send your user name and password, or a "
    "token from @login.",
)


# What sends the staff's listing through the work queue's query (whose
# text search also finds ticket numbers and the words of internal notes).
DESK_FILTERS = ("assignee", "priority", "category", "waiting", "sort", "SearchableText")


class TicketsGet(Service):
    def brains(self):
        form = self.request.form
        if is_staff() and any(form.get(name) for name in DESK_FILTERS):
            # The staff's work-queue filters, as the overview has them.
            queue_filter = QueueFilter.from_form(
                dict(form, state=form.get("review_state", ""))
            )
            return queue_brains(queue_filter)
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
            "priority": priority,
            "category": ticket.category or None,
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
        brains = self.brains()
        # The catalog keeps a token of the assignee: the staff get the name.
        self.assignees = tokens_of_staff() if is_staff() else None
        batch = HypermediaBatch(self.request, brains)
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "items": [self.item(brain) for brain in batch],
        }
        if batch.links:
            result["batching"] = batch.links
        return result
