"""What names a ticket in the mail the site sends, so that an answer finds
its way back: a signed code in the Reply-To address, and signed Message-IDs.

Both are HMAC-SHA256 signatures by a site secret (a plone.keyring ring of
their own, ``core.keys``) over the ticket's UID: whoever does not hold the
secret can neither make a code for a ticket nor turn a code of one ticket
into another's. A code proves which ticket a mail answers, never who wrote
it: the sender is checked separately (``receive.allowed_author``).

- Reply-To: ``soporte+<uid>-<signature>@example.com``. Lower case only,
  since some mail servers lower-case the local part; 49 characters, so the
  whole local part stays under the 64 that RFC 5321 allows.
- Message-IDs: ``<ticket.<uid>.<signature>@domain>`` for a ticket's first
  mail, which every later mail names in References, and
  ``<ticket.<uid>.<random>.<signature>@domain>`` for each later one.
"""

from collective.tickets.content.ticket import ITicket
from collective.tickets.core.keys import digest
from collective.tickets.core.keys import ring_keys
from collective.tickets.core.settings import setting
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.uuid.interfaces import IUUID

import base64
import hmac
import re
import secrets


RING = "collective.tickets.mail"

_UID = r"[0-9a-f]{32}"
_SIGNATURE = r"[a-z2-7]{16}"
_CODE = re.compile(rf"^({_UID})-({_SIGNATURE})$")
_MESSAGE_ID = re.compile(
    rf"^<?ticket\.({_UID})(?:\.([a-z0-9]{{12}}))?\.({_SIGNATURE})@[^>\s]+>?$"
)


def _signature(key, payload):
    # 80 bits of the HMAC in base32: unguessable, and safe in an address.
    return base64.b32encode(digest(key, payload)[:10]).decode("ascii").lower()


def _verified(payload, signature):
    return any(
        hmac.compare_digest(_signature(key, payload), signature)
        for key in ring_keys(RING)
    )


def _sign(payload):
    return _signature(ring_keys(RING, create=True)[0], payload)


def support_address():
    """The address customers write to: the setting, else the Reply-To of
    ticket e-mails, else the site's sender address ("" when none is set)."""
    return (
        setting("support_address")
        or setting("reply_to")
        or api.portal.get_registry_record("plone.email_from_address", default="")
        or ""
    ).strip()


def mail_domain():
    sender = api.portal.get_registry_record("plone.email_from_address", default="")
    return sender.rpartition("@")[2] or "localhost"


def ticket_code(ticket):
    uid = IUUID(ticket)
    return f"{uid}-{_sign('reply-to:' + uid)}"


def reply_address(ticket):
    """The Reply-To of the ticket's mails: the support address with the
    ticket's code, or the plain support address when plus addressing is off."""
    address = support_address()
    if not address or not setting("plus_addressing"):
        return address
    local, _at, domain = address.rpartition("@")
    local = local.split("+", 1)[0]
    return f"{local}+{ticket_code(ticket)}@{domain}"


def code_of_address(address):
    """The code after the plus sign of ``address`` if it is the support
    address with a code (whatever the code's validity), else None."""
    support = support_address().lower()
    if "@" not in support or "@" not in (address or ""):
        return None
    local, _at, domain = address.lower().rpartition("@")
    support_local, _at, support_domain = support.rpartition("@")
    base, plus, code = local.partition("+")
    if not plus or domain != support_domain or base != support_local.split("+")[0]:
        return None
    return code


def uid_of_code(code):
    """The ticket UID a genuine code names, else None."""
    match = _CODE.match(code or "")
    if match is None:
        return None
    uid, signature = match.groups()
    return uid if _verified("reply-to:" + uid, signature) else None


def root_message_id(ticket):
    """The Message-ID of the ticket's first mail, which every later mail refers to."""
    uid = IUUID(ticket)
    return f"<ticket.{uid}.{_sign('root:' + uid)}@{mail_domain()}>"


def new_message_id(ticket):
    uid = IUUID(ticket)
    nonce = secrets.token_hex(6)
    return f"<ticket.{uid}.{nonce}.{_sign(f'mid:{uid}.{nonce}')}@{mail_domain()}>"


# The unsigned Message-ID of the first mail of a ticket before 1.0's reply by
# e-mail (upgrade step 1003): proof of nothing, so it names no ticket.
_UNSIGNED_MESSAGE_ID = re.compile(rf"^<?ticket\.{_UID}@[^>\s]+>?$")


def is_unsigned_message_id(message_id):
    return _UNSIGNED_MESSAGE_ID.match((message_id or "").strip().lower()) is not None


def uid_of_message_id(message_id):
    """The ticket UID of a Message-ID this site made, else None."""
    match = _MESSAGE_ID.match((message_id or "").strip().lower())
    if match is None:
        return None
    uid, nonce, signature = match.groups()
    payload = f"mid:{uid}.{nonce}" if nonce else f"root:{uid}"
    return uid if _verified(payload, signature) else None


def ticket_by_uid(uid):
    """The ticket with this UID, whoever asks, or None if it is gone."""
    obj = uuidToObject(uid, unrestricted=True) if uid else None
    return obj if ITicket.providedBy(obj) else None
