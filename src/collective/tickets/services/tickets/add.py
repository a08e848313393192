"""``POST @tickets``: open a ticket, with the checks and messages of the form."""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.errors import TicketInputError
from collective.tickets.services.errors import input_error
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.services import Service
from zope.component import getMultiAdapter
from zope.interface import alsoProvides

import base64
import binascii


def decode_attachments(items):
    """plone.restapi file objects to (filename, data, content_type)."""
    files = []
    for item in items or ():
        if not isinstance(item, dict):
            raise TicketInputError(
                _(
                    "error_api_attachment",
                    default="Each attachment must be an object with 'filename' and "
                    "base64 'data'.",
                ),
                field="attachments",
            )
        data = item.get("data") or ""
        if item.get("encoding", "base64") == "base64":
            try:
                data = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise TicketInputError(
                    _(
                        "error_api_attachment_base64",
                        default="The attachment '${name}' is not valid base64.",
                        mapping={"name": str(item.get("filename"))[:80]},
                    ),
                    field="attachments",
                ) from None
        files.append((item.get("filename") or "", data, item.get("content-type")))
    return files


class TicketsPost(Service):
    def reply(self):
        # Token-authenticated clients; the form's CSRF token has no place here.
        alsoProvides(self.request, IDisableCSRFProtection)
        body = json_body(self.request)
        if not isinstance(body, dict):
            body = {}
        try:
            ticket = tickets.create(
                subject=body.get("title"),
                text=body.get("text"),
                cc=body.get("cc") or (),
                attachments=decode_attachments(body.get("attachments")),
            )
        except TicketInputError as error:
            return input_error(self.request, error)
        except Unauthorized:
            raise
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", ticket.absolute_url())
        return getMultiAdapter((ticket, self.request), ISerializeToJson)()
