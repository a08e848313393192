"""Canned replies: answers the staff give again and again, kept by the
managers (title, language, rich text), offered in the staff's reply box
with the ticket's details filled in.

Kept in an annotation of the site (a name no URL can reach). Reading them
takes the staff's permission, keeping them the managers'. The text may use
``${customer_name}``, ``${ticket_number}``, ``${ticket_title}`` and
``${staff_name}``; ``fill`` puts in the ticket's values, escaped.
"""

from AccessControl import Unauthorized
from BTrees.OOBTree import OOBTree
from collective.tickets import _
from collective.tickets.content.ticket import customer_of
from collective.tickets.core.conversation import require_ticket
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.message import clean_text
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import may
from collective.tickets.core.stored import stored
from collective.tickets.permissions import ManageSettings
from dataclasses import dataclass
from html import escape
from plone import api

import uuid


CANNED_KEY = "collective.tickets.canned_replies"
MAX_TITLE = 200
PLACEHOLDERS = ("customer_name", "ticket_number", "ticket_title", "staff_name")


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: str
    # "" for every language, else a language code ("es").
    language: str
    # The text as the manager wrote it (HTML, with ${placeholders}).
    text: str


def _storage(create=False):
    storage = stored(api.portal.get(), CANNED_KEY, OOBTree if create else None)
    return storage if storage is not None else {}


def may_manage():
    return may(ManageSettings, api.portal.get())


def _require_staff():
    if not is_staff():
        raise Unauthorized("Only the staff may read the canned replies.")


def _require_manager():
    if not may_manage():
        raise Unauthorized("Only managers may change the canned replies.")


def _reply(canned_id, record):
    return CannedReply(
        id=canned_id,
        title=record["title"],
        language=record["language"],
        text=record["text"],
    )


def canned_replies(language=None, text=""):
    """The canned replies by title, for the staff; with ``language`` those
    in it and those for every language; with ``text`` those whose title or
    text hold every word of it."""
    _require_staff()
    words = [word.lower() for word in (text or "").split()]
    found = []
    for canned_id, record in _storage().items():
        reply = _reply(canned_id, record)
        if language and reply.language not in ("", language):
            continue
        haystack = f"{reply.title} {reply.text}".lower()
        if any(word not in haystack for word in words):
            continue
        found.append(reply)
    return sorted(found, key=lambda reply: (reply.title.lower(), reply.id))


def get_canned(canned_id):
    """One canned reply, for the staff; None when there is none by that id."""
    _require_staff()
    record = _storage().get(canned_id or "")
    return _reply(canned_id, record) if record is not None else None


def _clean_title(title):
    title = " ".join((title or "").split())
    if not title:
        raise TicketInputError(
            _("error_canned_title_missing", default="Give the canned reply a title."),
            field="title",
        )
    if len(title) > MAX_TITLE:
        raise TicketInputError(
            _(
                "error_canned_title_long",
                default="The title is longer than ${max} characters.",
                mapping={"max": MAX_TITLE},
            ),
            field="title",
        )
    return title


def save_canned(title, text, language="", canned_id=None):
    """Add a canned reply, or change the one ``canned_id`` names; managers
    only. Returns its id."""
    _require_manager()
    record = {
        "title": _clean_title(title),
        "language": (language or "").strip().lower(),
        # Checked like a message (size, content); kept as written.
        "text": clean_text(text).raw,
    }
    storage = _storage(create=True)
    if canned_id is not None and canned_id not in storage:
        raise TicketInputError(
            _("error_canned_unknown", default="There is no such canned reply.")
        )
    canned_id = canned_id or uuid.uuid4().hex[:12]
    storage[canned_id] = record
    return canned_id


def delete_canned(canned_id):
    _require_manager()
    storage = _storage()
    if canned_id in storage:
        del storage[canned_id]


def fill(reply, ticket):
    """The canned reply's text for ``ticket``: its placeholders replaced by
    the ticket's values (escaped: they are the customer's words)."""
    require_ticket(ticket)
    _require_staff()
    values = {
        "customer_name": display_name(customer_of(ticket)),
        "ticket_number": number_label(getattr(ticket, "ticket_number", None)),
        "ticket_title": ticket.Title(),
        "staff_name": display_name(current_userid()),
    }
    text = reply.text
    for name in PLACEHOLDERS:
        text = text.replace("${%s}" % name, escape(values[name]))  # noqa: UP031
    return text
