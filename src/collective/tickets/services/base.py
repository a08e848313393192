"""What the POST services share: JSON in, the ticket out, bad input as a 400."""

from collective.tickets import _
from collective.tickets.content.ticket import ticket_of
from collective.tickets.errors import TicketInputError
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.deserializer import json_body
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.services import Service
from zope.component import getMultiAdapter
from zope.i18n import translate
from zope.interface import alsoProvides

import base64
import binascii


def input_error(request, error):
    """A 400 that names the field, in the user's language."""
    request.response.setStatus(400)
    return {
        "error": {
            "type": "ValidationError",
            "field": error.field,
            "message": translate(error.message, context=request),
        }
    }


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


class TicketPostService(Service):
    """Creates with ``create(body)``; answers 201 with the whole ticket."""

    def create(self, body):
        raise NotImplementedError

    def reply(self):
        # Token-authenticated clients; the form's CSRF token has no place here.
        alsoProvides(self.request, IDisableCSRFProtection)
        body = json_body(self.request)
        if not isinstance(body, dict):
            body = {}
        try:
            created = self.create(body)
        except TicketInputError as error:
            return input_error(self.request, error)
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", created.absolute_url())
        return getMultiAdapter((ticket_of(created), self.request), ISerializeToJson)()
