"""The one automatic answer mail-in ever sends: "this ticket is closed",
to a person who answered a completed ticket. At most one per address per
hour, so that a robot that slipped through (one that marks its mail as
from a person) and this site can never keep each other busy."""

from BTrees.OOBTree import OOBTree
from collective.tickets import _
from collective.tickets.core.outgoing import mark_automatic
from collective.tickets.core.outgoing import new_message
from collective.tickets.core.outgoing import queue
from collective.tickets.core.outgoing import sender_address
from collective.tickets.core.stored import stored
from collective.tickets.core.text import text_to_html
from email.utils import formatdate
from email.utils import make_msgid
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.i18n import translate

import time


_KEY = "collective.tickets.automatic_answers"
INTERVAL = 3600


def _record():
    return stored(api.portal.get(), _KEY, OOBTree)


def forget_answers():
    """Drop the record of automatic answers (uninstall)."""
    annotations = IAnnotations(api.portal.get())
    if _KEY in annotations:
        del annotations[_KEY]


def forget_address(email):
    """Forget when ``email`` was last answered (its owner's data is erased)."""
    record = stored(api.portal.get(), _KEY)
    if record is not None and email:
        record.pop(email, None)
        record.pop(email.lower(), None)


def answer_due(email, now=None):
    """Whether ``email`` may get an automatic answer now; records it if so."""
    now = time.time() if now is None else now
    record = _record()
    if now - record.get(email, 0) < INTERVAL:
        return False
    record[email] = now
    # Forget addresses answered long ago: the record stays small.
    for old in [key for key, when in record.items() if now - when > 86400]:
        del record[old]
    return True


def ticket_language(ticket):
    return (
        getattr(ticket, "language", None) or api.portal.get_default_language() or "en"
    ).split("-")[0]


def closed_ticket_answer(ticket, mail):
    """Queue the "ticket is closed" answer to the sender of ``mail``; whether
    it was sent (not when the address had one within the hour)."""
    sender = sender_address()
    if not sender or not answer_due(mail.sender_email):
        return False
    language = ticket_language(ticket)
    portal_url = api.portal.get().absolute_url()
    text = translate(
        _(
            "mail_closed_ticket_answer",
            default='The ticket "${title}" is completed, so your e-mail was not '
            "added to it.\n\nIf you need more help, open a new ticket:\n${url}\n\n"
            "This is an automatic message.",
            mapping={"title": ticket.Title(), "url": f"{portal_url}/@@new-ticket"},
        ),
        target_language=language,
    )
    message = new_message()
    subject = mail.subject or ticket.Title()
    message["Subject"] = (
        subject if subject.lower().startswith("re:") else f"Re: {subject}"
    )
    message["From"] = sender
    message["To"] = mail.sender_email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">"))
    if mail.message_id:
        message["In-Reply-To"] = mail.message_id
        message["References"] = mail.message_id
    mark_automatic(message, "auto-replied")
    message.set_content(text)
    message.add_alternative(text_to_html(text), subtype="html")
    queue(message)
    return True
