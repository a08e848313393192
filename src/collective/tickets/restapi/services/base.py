"""What the POST services share: JSON in, the ticket out, bad input as a 400."""

from collective.tickets import _
from collective.tickets.content.ticket import ticket_of
from collective.tickets.core.errors import TicketInputError
from plone import api
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.interfaces import ISerializeToJson
from plone.restapi.services import Service
from urllib.parse import urlsplit
from zExceptions import BadRequest
from zExceptions import Forbidden
from zExceptions import HTTPUnsupportedMediaType
from zope.component import getMultiAdapter
from zope.i18n import translate
from zope.i18nmessageid import Message
from zope.interface import alsoProvides

import base64
import binascii
import json


JSON_ONLY = _(
    "error_api_json_only",
    default="Send the request body as JSON, with the header "
    "'Content-Type: application/json'.",
)
FOREIGN_ORIGIN = _(
    "error_api_foreign_origin",
    default="This request was sent by a page of another site (${origin}) and "
    "was refused. Use the helpdesk's own pages or an API client.",
)
NOT_AN_OBJECT = _(
    "error_api_body_not_object",
    default='The request body must be a JSON object, such as {"title": "...", '
    '"text": "..."}.',
)


class UnsupportedMediaType(HTTPUnsupportedMediaType):
    """A 415. ZPublisher finds the status of an error by its class name: it
    knows ``UnsupportedMediaType``, but zExceptions' ``HTTPUnsupportedMediaType``
    would answer 500."""


def bad_request(request, message, field=None):
    """A 400 in the user's language, for plone.rest to answer.

    An error about one field names it as plone.restapi's deserializers do,
    and as Volto reads them: the ``message`` is then a JSON list of
    ``{"message", "field", "error"}`` objects.
    """
    text = translate(message, context=request)
    if field is None:
        return BadRequest(text)
    problem = {"message": text, "field": field, "error": "ValidationError"}
    return BadRequest(json.dumps([problem], ensure_ascii=False))


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site_problem(request, require_json=True):
    """Why a write could have been made by a page of another site with the
    user's login cookie: the error to raise (415 or 403), or None.

    Browsers send a cross-origin form or text/plain POST with the cookie and
    no preflight; a JSON body needs a CORS preflight, which the site does not
    grant. And a browser that says where the request comes from (Origin,
    Sec-Fetch-Site) must say it comes from the site itself.
    """
    content_type = (request.getHeader("Content-Type") or "").split(";")[0]
    if require_json and content_type.strip().lower() != "application/json":
        return UnsupportedMediaType(translate(JSON_ONLY, context=request))
    own = _origin(api.portal.get().absolute_url())
    origin = (request.getHeader("Origin") or "").strip()
    fetch_site = (request.getHeader("Sec-Fetch-Site") or "").strip().lower()
    if (origin and _origin(origin) != own) or fetch_site in (
        "cross-site",
        "same-site",
    ):
        shown = origin or fetch_site
        message = Message(FOREIGN_ORIGIN, mapping={"origin": shown[:200]})
        return Forbidden(translate(message, context=request))
    return None


def body_fields(request, kinds):
    """The JSON object of the request, each named field of its kind
    (``kinds``: name -> (type, message)); TicketInputError otherwise."""
    try:
        body = json.loads(request.get("BODY") or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise TicketInputError(NOT_AN_OBJECT) from None
    if not isinstance(body, dict):
        raise TicketInputError(NOT_AN_OBJECT)
    for name, (kind, message) in kinds.items():
        value = body.get(name)
        if value is not None and not isinstance(value, kind):
            raise TicketInputError(message, field=name)
    return body


TEXT_FIELD = (
    str,
    _("error_api_text_type", default="'text' must be a string of HTML."),
)
ATTACHMENTS_FIELD = (
    list,
    _(
        "error_api_attachments_type",
        default="'attachments' must be a list of objects with 'filename' and "
        "base64 'data'.",
    ),
)


def decode_attachments(items):
    """plone.restapi file objects to (filename, data, content_type)."""
    files = []
    for item in items or ():
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("filename", ""), str)
            or not isinstance(item.get("data", ""), str)
        ):
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
    """Creates with ``create(body)``; answers 201 with what ``answer`` picks."""

    # The JSON fields the service reads: name -> (type, message).
    fields = {}

    def create(self, body):
        raise NotImplementedError

    def check_allowed(self):
        """Raise Unauthorized for who may never write here, before the body
        is read (``create`` checks again, through the API)."""

    def reply(self):
        problem = cross_site_problem(self.request)
        if problem is not None:
            raise problem
        self.check_allowed()
        # The checks above stand in for the form's CSRF token.
        alsoProvides(self.request, IDisableCSRFProtection)
        try:
            created = self.create(body_fields(self.request, self.fields))
        except TicketInputError as error:
            raise bad_request(self.request, error.message, error.field) from None
        self.request.response.setStatus(201)
        self.request.response.setHeader("Location", created.absolute_url())
        return getMultiAdapter((self.answer(created), self.request), ISerializeToJson)()

    def answer(self, created):
        """What the 201 shows: the whole ticket."""
        return ticket_of(created)
