"""``POST <ticket>/@reply``: add a reply, with the checks of the reply form."""

from collective.tickets import api as tickets
from collective.tickets.errors import TicketInputError
from collective.tickets.services.errors import input_error
from collective.tickets.services.tickets.add import decode_attachments
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.services import Service
from zope.component import getMultiAdapter
from zope.interface import alsoProvides


class ReplyPost(Service):
    def reply(self):
        alsoProvides(self.request, IDisableCSRFProtection)
        body = json_body(self.request)
        if not isinstance(body, dict):
            body = {}
        try:
            reply = tickets.reply(
                self.context,
                text=body.get("text"),
                attachments=decode_attachments(body.get("attachments")),
            )
        except TicketInputError as error:
            return input_error(self.request, error)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", reply.absolute_url())
        return getMultiAdapter((self.context, self.request), ISerializeToJson)()
