"""Signed unsubscribe links for a ticket's CC recipients.

A CC recipient has no account and no password: the link in their mail is
their only proof. It carries the ticket's UID and the address, signed with
HMAC-SHA256 by a key of a ring of our own in the site's plone.keyring
(see ``core.keys``).
"""

from collective.tickets.content.ticket import ITicket
from collective.tickets.core.keys import b64
from collective.tickets.core.keys import digest
from collective.tickets.core.keys import ring_keys
from collective.tickets.core.keys import unb64
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.uuid.interfaces import IUUID

import binascii
import hmac


RING = "collective.tickets.unsubscribe"
VIEW = "ticket-unsubscribe"


class InvalidToken(ValueError):
    """The link was cut, changed, or signed by another site."""


def _signature(key, uid, email):
    return b64(digest(key, f"{uid}\n{email.lower()}"))


def make_token(ticket, email):
    uid = IUUID(ticket)
    key = ring_keys(RING, create=True)[0]
    return ".".join((uid, b64(email.encode()), _signature(key, uid, email)))


def read_token(token):
    """The ticket UID and the address of a genuine token, or InvalidToken."""
    try:
        uid, encoded, signature = (token or "").split(".")
        email = unb64(encoded).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidToken(token) from None
    for key in ring_keys(RING):
        if hmac.compare_digest(_signature(key, uid, email), signature):
            return uid, email
    raise InvalidToken(token)


def unsubscribe_url(ticket, email):
    return f"{api.portal.get().absolute_url()}/@@{VIEW}/{make_token(ticket, email)}"


def ticket_for(uid):
    """The ticket of a verified token, whoever asks, or None if it is gone."""
    obj = uuidToObject(uid, unrestricted=True)
    return obj if ITicket.providedBy(obj) else None


def is_cc(ticket, email):
    return any(
        row["email"].lower() == email.lower() for row in ticket.cc_recipients or ()
    )


def remove_cc(ticket, email):
    """Take ``email`` off the ticket's CC list; whether it was on it."""
    rows = list(ticket.cc_recipients or ())
    kept = [row for row in rows if row["email"].lower() != email.lower()]
    if len(kept) == len(rows):
        return False
    ticket.cc_recipients = kept
    return True
