"""JSON of a ticket and of a reply, as a client needs the conversation."""

from collective.tickets import api as tickets
from collective.tickets.content.ticket import customer_of
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.desk import category_title
from collective.tickets.core.desk import priority_title
from collective.tickets.core.history import visible_history
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.privacy import access
from collective.tickets.core.states import state_title
from collective.tickets.interfaces import ICollectiveTicketsLayer
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.serializer.converters import json_compatible
from plone.uuid.interfaces import IUUID
from zope.component import adapter
from zope.i18n import translate
from zope.interface import implementer


def message_json(message):
    return {
        "@id": message.obj.absolute_url(),
        "id": message.id,
        "internal": message.is_note,
        "author": {"id": message.author_id, "name": message.author_name},
        "date": json_compatible(message.date),
        "text": {"data": message.text, "content-type": "text/html"},
        "attachments": [
            {
                "filename": att.filename,
                "size": att.size,
                "content-type": att.content_type,
                "download": att.url,
            }
            for att in message.attachments
        ],
    }


def person_json(userid):
    return {"id": userid, "name": display_name(userid)} if userid else None


def change_json(change):
    return {
        "date": json_compatible(change.date),
        "actor": person_json(change.actor),
        "field": change.field,
        "from": change.old,
        "to": change.new,
    }


def priority_json(priority, request):
    return {
        "token": priority,
        "title": translate(priority_title(priority), context=request),
    }


def category_json(category):
    """``None`` for a ticket without a category."""
    return {"token": category, "title": category_title(category)} if category else None


def desk_json(ticket, request):
    """Number, priority and category for whoever sees the ticket; the
    assignee for the staff only."""
    priority = tickets.priority(ticket)
    category = tickets.category(ticket)
    data = {
        "number": tickets.number(ticket),
        "number_label": number_label(tickets.number(ticket)),
        "priority": priority_json(priority, request),
        "category": category_json(category),
    }
    if is_staff(obj=ticket):
        data["assignee"] = person_json(tickets.assignee(ticket))
    return data


@implementer(ISerializeToJson)
@adapter(ITicket, ICollectiveTicketsLayer)
class SerializeTicketToJson:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self, *args, **kwargs):
        ticket = self.context
        # The staff's reading goes into the ticket's record of access.
        access.record_access(ticket, access.API)
        state = tickets.state(ticket)
        customer = customer_of(ticket)
        return {
            "@id": ticket.absolute_url(),
            "@type": ticket.portal_type,
            "id": ticket.getId(),
            "UID": IUUID(ticket),
            "title": ticket.Title(),
            "review_state": state,
            "state_title": translate(state_title(state), context=self.request),
            "created": json_compatible(ticket.created()),
            "modified": json_compatible(ticket.modified()),
            "customer": {"id": customer, "name": display_name(customer)},
            "cc": [dict(row) for row in ticket.cc_recipients or ()],
            **desk_json(ticket, self.request),
            # Notes only where the reader may view them: the staff.
            "conversation": [
                message_json(m) for m in tickets.conversation(ticket, with_notes=True)
            ],
            "history": [change_json(c) for c in visible_history(ticket)],
        }


@implementer(ISerializeToJson)
class SerializeMessageToJson:
    """A reply, or a note (only the staff may traverse to a note)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self, *args, **kwargs):
        access.record_access(self.context.__parent__, access.API, self.context.getId())
        data = message_json(tickets.to_message(self.context))
        data["@type"] = self.context.portal_type
        data["ticket"] = self.context.__parent__.absolute_url()
        return data
