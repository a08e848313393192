"""The mail-in key: the shared secret of the mail server and the site.

Whoever delivers mail over HTTP (``@@mail-in``, the ``tickets-mail-in``
pipe, a webhook) sends it in the ``X-Mail-In-Key`` header. It is a
plone.registry record of its own, not a field of ``ITicketSettings``, so
that the settings form never shows it as an editable text and a profile
export of the settings does not carry it. It is generated at install (the
upgrade step and the setup handler call ``mail_in_key()``) and renewed in
the control panel.
"""

from plone.registry import field
from plone.registry import Record
from plone.registry.interfaces import IRegistry
from zope.component import getUtility

import hmac
import secrets


KEY_RECORD = "collective.tickets.mail_in_key"


def _registry():
    return getUtility(IRegistry)


def stored_key():
    """The key, or None while none was generated. Never writes, so that an
    anonymous request checking a key cannot change the database."""
    record = _registry().records.get(KEY_RECORD)
    return (record.value or None) if record is not None else None


def _store(value):
    registry = _registry()
    if KEY_RECORD in registry.records:
        registry[KEY_RECORD] = value
    else:
        registry.records[KEY_RECORD] = Record(
            field.TextLine(
                title="Mail-in key",
                description="Sent by the mail server in the X-Mail-In-Key "
                "header of every POST to @@mail-in and @@fetch-mail.",
                required=False,
            ),
            value,
        )
    return value


def mail_in_key():
    """The key, generated (and stored) on first use."""
    return stored_key() or _store(secrets.token_urlsafe(32))


def renew_mail_in_key():
    """Replace the key by a new one, and return it: the old one stops working
    at once."""
    return _store(secrets.token_urlsafe(32))


def key_matches(value):
    """Whether ``value`` is the key, compared in constant time. False for an
    empty value, and while no key exists."""
    key = stored_key()
    if not value or not key:
        return False
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    return hmac.compare_digest(value, key.encode("utf-8"))
