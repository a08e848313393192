"""Signed unsubscribe links for a ticket's CC recipients.

A CC recipient has no account and no password: the link in their mail is
their only proof. It carries the ticket's UID and the address, signed with
HMAC-SHA256 by a key of the site's plone.keyring in a ring of our own. That
ring is never rotated (``_system`` is rotated weekly and would break the
links of every ticket older than a few weeks); it holds several keys so an
administrator can rotate it by hand while old links keep working until
their key drops out.
"""

from collective.tickets.content.ticket import ITicket
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.keyring.interfaces import IKeyManager
from plone.keyring.keyring import Keyring
from plone.uuid.interfaces import IUUID
from zope.component import getUtility

import base64
import binascii
import hashlib
import hmac


RING = "collective.tickets.unsubscribe"
VIEW = "ticket-unsubscribe"


class InvalidToken(ValueError):
    """The link was cut, changed, or signed by another site."""


def _ring(create=False):
    manager = getUtility(IKeyManager)
    if RING not in manager:
        if not create:
            return []
        manager[RING] = Keyring(5)
        manager[RING].fill()
    return [key for key in manager[RING] if key]


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key, uid, email):
    payload = f"{uid}\n{email.lower()}".encode()
    return _b64(hmac.new(key.encode(), payload, hashlib.sha256).digest())


def make_token(ticket, email):
    uid = IUUID(ticket)
    key = _ring(create=True)[0]
    return ".".join((uid, _b64(email.encode()), _signature(key, uid, email)))


def read_token(token):
    """The ticket UID and the address of a genuine token, or InvalidToken."""
    try:
        uid, encoded, signature = (token or "").split(".")
        email = _unb64(encoded).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidToken(token) from None
    for key in _ring():
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
