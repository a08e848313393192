"""``GET @tickets``: the current customer's tickets; the staff's: everyone's."""

from collective.tickets import _
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import is_staff
from collective.tickets.core.queries import find_tickets
from collective.tickets.core.queries import ticket_query
from collective.tickets.core.queries import ticket_summary
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


class TicketsGet(Service):
    def brains(self):
        form = self.request.form
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
        return {
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
        }

    def reply(self):
        if api.user.is_anonymous():
            raise Unauthorized(translate(LOG_IN, context=self.request))
        brains = self.brains()
        batch = HypermediaBatch(self.request, brains)
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "items": [self.item(brain) for brain in batch],
        }
        if batch.links:
            result["batching"] = batch.links
        return result
