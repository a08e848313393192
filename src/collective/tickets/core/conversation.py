"""A ticket's conversation: its messages, oldest first, ready to show."""

from Acquisition import aq_base
from collective.tickets import _
from collective.tickets.content.note import ITicketNote
from collective.tickets.content.reply import ITicketReply
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.attachments import has_thumbnail
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff_member
from collective.tickets.core.people import may
from collective.tickets.core.remote_images import without_remote_images
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from plone import api
from plone.base.utils import human_readable_size
from urllib.parse import quote
from zope.globalrequest import getRequest
from zope.i18n import translate

import re


# A message's own attachments, by an address relative to the message (the
# inline images of a mail): made absolute where the message is shown.
ATTACHMENT_VIEW = "@@attachment"
_OWN_ATTACHMENT = re.compile(rf'(<img\b[^>]*?\ssrc=")({ATTACHMENT_VIEW}/\d+/)')


@dataclass
class Attachment:
    index: int
    filename: str
    size: int
    content_type: str
    url: str
    is_image: bool
    thumbnail_url: str | None

    @property
    def size_label(self):
        return human_readable_size(self.size)


@dataclass
class Message:
    """One message of a conversation: the ticket's first message or a reply."""

    id: str
    obj: object
    author_id: str
    author_name: str
    date: datetime
    text: str
    attachments: list = field(default_factory=list)
    is_first: bool = False
    # Whether the author is staff, from their permissions: no name can fake it.
    author_is_staff: bool = False
    # Whether it came in by e-mail (staff may open the original mail).
    by_mail: bool = False
    # The address of an author without an account (a CC recipient).
    author_email: str | None = None
    # An internal note: only the staff can see it (its workflow says so).
    is_note: bool = False


def require_ticket(ticket):
    if not ITicket.providedBy(ticket):
        raise TicketInputError(
            _(
                "error_not_a_ticket",
                default="${obj} is not a ticket.",
                mapping={"obj": repr(ticket)},
            )
        )


def replies(ticket):
    return [obj for obj in ticket.objectValues() if ITicketReply.providedBy(obj)]


def last_message(ticket):
    """The newest reply, else the ticket: an internal note is no message of
    the conversation (and what the catalog says is readable by customers)."""
    for obj_id in reversed(ticket.objectIds()):
        obj = ticket[obj_id]
        if ITicketReply.providedBy(obj):
            return obj
    return ticket


def _may_view(obj):
    return may("View", obj)


def notes(ticket):
    """The ticket's internal notes the current user may see, oldest first:
    every note for the staff, none for anyone else (a note's workflow grants
    View to the staff roles alone)."""
    return [
        obj
        for obj in ticket.objectValues()
        if ITicketNote.providedBy(obj) and _may_view(obj)
    ]


def message_author(obj):
    creators = obj.creators or ()
    return creators[0] if creators else obj.getOwnerTuple()[1]


def mail_sender(obj):
    """``{"email", "name"}`` of a message written by someone without an
    account (a CC recipient answering by e-mail), else None."""
    return getattr(aq_base(obj), "mail_sender", None)


def author_name(obj):
    """The name shown for the message's author."""
    sender = mail_sender(obj)
    if sender:
        return sender["name"] or sender["email"]
    return display_name(message_author(obj))


def message_attachments(obj):
    base = obj.absolute_url()
    result = []
    for index, att in enumerate(obj.attachments or ()):
        filename = att.filename or "attachment"
        url = f"{base}/{ATTACHMENT_VIEW}/{index}/{quote(filename)}"
        shown = has_thumbnail(obj, index)
        result.append(
            Attachment(
                index=index,
                filename=filename,
                size=att.getSize(),
                content_type=att.contentType,
                url=url,
                is_image=shown,
                thumbnail_url=f"{base}/@@attachment/thumb/{index}" if shown else None,
            )
        )
    return result


REMOTE_IMAGE_LABEL = _("label_remote_image", default="Remote image (click to open)")


def filtered_html(obj):
    """The message's text through the safe-HTML filter, as Plone would show
    it: filtered once per text and address, then kept with the object in
    memory (a volatile attribute, never stored). The page and the mails both
    start from it, so a message is never filtered twice."""
    value = obj.text
    if not value:
        return ""
    key = (value.raw, obj.absolute_url())
    cached = getattr(aq_base(obj), "_v_filtered_html", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    html = _OWN_ATTACHMENT.sub(
        rf"\g<1>{obj.absolute_url()}/\g<2>", value.output_relative_to(obj)
    )
    obj._v_filtered_html = (key, html)
    return html


def _reading():
    """What every message of one reading shares: the remote-image label in
    the reader's language and the portal's address (asked once per
    conversation, not once per message)."""
    return (
        translate(REMOTE_IMAGE_LABEL, context=getRequest()),
        api.portal.get().absolute_url(),
    )


def message_html(obj, reading=None):
    """The message's text as safe HTML.

    Transformed once per text and address and then kept with the object in
    memory (a volatile attribute, never stored): a long conversation must not
    run the HTML filter for every message on every view. The address is part
    of the key because the filter writes absolute links, the label because
    it is in the reader's language.

    Images from other servers become links to them: loading them would tell
    their owner when, and from where, the ticket is read.
    """
    value = obj.text
    if not value:
        return ""
    label, portal_url = reading or _reading()
    key = (value.raw, obj.absolute_url(), label)
    cached = getattr(aq_base(obj), "_v_text_html", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    html = without_remote_images(filtered_html(obj), portal_url, label)
    obj._v_text_html = (key, html)
    return html


def to_message(obj, is_first=False, reading=None):
    author = message_author(obj)
    sender = mail_sender(obj)
    outsider = sender is not None
    return Message(
        id=obj.getId(),
        obj=obj,
        author_id=author,
        author_name=author_name(obj),
        author_is_staff=not outsider and is_staff_member(author),
        by_mail=bool(getattr(aq_base(obj), "mail_message_id", None)),
        author_email=sender["email"] if outsider else None,
        date=obj.created().asdatetime(),
        text=message_html(obj, reading),
        attachments=message_attachments(obj),
        is_first=is_first,
        is_note=ITicketNote.providedBy(obj),
    )


def conversation(ticket, with_notes=False):
    """The first message and every reply, oldest first.

    ``with_notes`` adds, in their place in time, the internal notes the
    current user may see (the ticket page and the staff's API); without it,
    never a note, whoever asks: what a mail quotes goes to the customer even
    when a staff member's action sends it.
    """
    require_ticket(ticket)
    reading = _reading()
    messages = [to_message(ticket, is_first=True, reading=reading)]
    for obj in ticket.objectValues():
        if ITicketReply.providedBy(obj) or (
            with_notes and ITicketNote.providedBy(obj) and _may_view(obj)
        ):
            messages.append(to_message(obj, reading=reading))
    return messages
