"""``GET @tickets``: the current customer's tickets; the staff's: everyone's."""

from collective.tickets import api as tickets
from collective.tickets.users import current_userid
from collective.tickets.users import display_name
from collective.tickets.users import is_staff
from DateTime import DateTime
from plone import api
from plone.restapi.batching import HypermediaBatch
from plone.restapi.serializer.converters import json_compatible
from plone.restapi.services import Service


SORTS = {
    "ticket_last_activity": "ticket_last_activity",
    "created": "created",
    "title": "sortable_title",
}


class TicketsGet(Service):
    def query(self):
        form = self.request.form
        query = {
            "portal_type": "Ticket",
            "sort_on": SORTS.get(form.get("sort_on"), "ticket_last_activity"),
            "sort_order": "ascending"
            if form.get("sort_order") == "ascending"
            else "descending",
        }
        if is_staff():
            if form.get("customer"):
                query["ticket_customer"] = form["customer"]
        else:
            query["ticket_customer"] = current_userid()
        if form.get("review_state") in (tickets.IN_PROGRESS, tickets.COMPLETED):
            query["review_state"] = form["review_state"]
        if form.get("SearchableText"):
            query["SearchableText"] = form["SearchableText"]
        return query

    def item(self, brain):
        return {
            "@id": brain.getURL(),
            "@type": "Ticket",
            "title": brain.Title,
            "review_state": brain.review_state,
            "customer": {
                "id": brain.ticket_customer,
                "name": display_name(brain.ticket_customer),
            },
            "created": json_compatible(brain.created),
            "last_activity": json_compatible(DateTime(brain.ticket_last_activity)),
            "last_author": {
                "id": brain.ticket_last_author,
                "name": display_name(brain.ticket_last_author),
            },
            "replies": brain.ticket_reply_count,
        }

    def reply(self):
        if api.user.is_anonymous():
            self.request.response.setStatus(401)
            return {
                "error": {"type": "Unauthorized", "message": "Log in to see tickets."}
            }
        brains = api.portal.get_tool("portal_catalog")(**self.query())
        batch = HypermediaBatch(self.request, brains)
        result = {
            "@id": batch.canonical_url,
            "items_total": batch.items_total,
            "items": [self.item(brain) for brain in batch],
        }
        if batch.links:
            result["batching"] = batch.links
        return result
