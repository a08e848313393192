"""An incoming mail, read with the standard library's ``email`` package
(RFC 5322 and MIME, encoded words and charsets decoded by it)."""

from dataclasses import dataclass
from dataclasses import field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

import re


class NotAMessage(ValueError):
    """The bytes are not an RFC 5322 message."""


# Headers in which a mail server records the address it delivered to: the
# support address with a ticket's code may be in them and not in To or Cc
# (a Bcc, a forward, a mailing alias).
DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class MailPart:
    filename: str
    data: bytes
    content_type: str
    content_id: str | None = None


@dataclass
class IncomingMail:
    raw: bytes
    message: EmailMessage
    message_id: str | None
    sender_email: str
    sender_name: str
    subject: str
    recipients: list = field(default_factory=list)  # (name, email), To and Cc
    delivered_to: list = field(default_factory=list)  # addresses
    references: list = field(default_factory=list)  # In-Reply-To first
    text: str | None = None
    html: str | None = None
    parts: list = field(default_factory=list)

    def header(self, name):
        value = self.message.get(name)
        return "" if value is None else str(value)

    def headers(self, name):
        return [str(value) for value in self.message.get_all(name) or ()]


def message_ids(value):
    return _MESSAGE_ID.findall(value or "")


def _addresses(message, *names):
    values = []
    for name in names:
        for value in message.get_all(name) or ():
            values.append(str(value))
    return [(name, email.strip()) for name, email in getaddresses(values) if email]


def _header(message, name):
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a malformed header reads as absent
        return ""
    return "" if value is None else str(value)


def _body(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return None, None
    try:
        return part, part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        # An unknown charset: read it as UTF-8, replacing what is not.
        payload = part.get_payload(decode=True) or b""
        return part, payload.decode("utf-8", "replace")


def _parts(message, bodies):
    found = []
    for part in message.walk():
        if part.is_multipart() or any(part is body for body in bodies):
            continue
        content_type = part.get_content_type()
        filename = part.get_filename()
        content_id = (part.get("Content-ID") or "").strip().strip("<>") or None
        if not filename:
            if content_type.startswith("text/") and not content_id:
                # A second text alternative or a stray text part: not a file.
                continue
            if content_type.startswith("message/"):
                extension = ".eml" if content_type == "message/rfc822" else ".txt"
                filename = f"message{extension}"
            else:
                filename = "attachment"
        if content_type == "message/rfc822":
            payload = part.get_payload()
            data = (
                payload[0].as_bytes()
                if isinstance(payload, list) and payload
                else part.get_payload(decode=True) or b""
            )
        else:
            data = part.get_payload(decode=True) or b""
        found.append(MailPart(filename, data, content_type, content_id))
    return found


def parse(raw):
    """The mail in ``raw`` (bytes), or NotAMessage."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if not isinstance(raw, bytes) or not raw.strip():
        raise NotAMessage("The body is empty: send the raw message.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    senders = _addresses(message, "From")
    if not message.keys() or not senders:
        raise NotAMessage("This is not an e-mail message: it has no From header.")
    if len(senders) != 1 or "@" not in senders[0][1]:
        raise NotAMessage("The message must have exactly one sender address.")
    sender_name, sender_email = senders[0]
    ids = message_ids(_header(message, "Message-ID"))
    references = message_ids(_header(message, "In-Reply-To")) + message_ids(
        _header(message, "References")
    )
    text_part, text = _body(message, "plain")
    html_part, html = _body(message, "html")
    return IncomingMail(
        raw=raw,
        message=message,
        message_id=ids[0] if ids else None,
        sender_email=sender_email.lower(),
        sender_name=" ".join(sender_name.split()),
        subject=" ".join(_header(message, "Subject").split()),
        recipients=_addresses(message, "To", "Cc"),
        delivered_to=[email for _name, email in _addresses(message, *DELIVERY_HEADERS)],
        references=list(dict.fromkeys(references)),
        text=text,
        html=html,
        parts=_parts(message, [p for p in (text_part, html_part) if p is not None]),
    )
