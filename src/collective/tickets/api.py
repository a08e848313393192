"""The Python API of collective.tickets: everything the screens do, for code.

Every function checks the current user's permissions exactly as the forms do
and raises ``TicketInputError`` (a ``ValueError``) with a message that says
what was wrong, before anything is stored.
"""

from AccessControl import Unauthorized
from Acquisition import aq_base
from collective.tickets import _
from collective.tickets.attachments import check_policy
from collective.tickets.attachments import has_thumbnail
from collective.tickets.attachments import human_size
from collective.tickets.attachments import make_attachment
from collective.tickets.attachments import new_thumbnail_store
from collective.tickets.content.message import check_message_html
from collective.tickets.content.message import is_blank_html  # noqa: F401 - the API offers it
from collective.tickets.content.message import message_value
from collective.tickets.content.message import SUBJECT_MAX_LENGTH
from collective.tickets.content.message import SUBJECT_ONE_LINE
from collective.tickets.content.reply import ITicketReply
from collective.tickets.content.ticket import ITicket
from collective.tickets.contentrules.events import TicketCreatedEvent
from collective.tickets.contentrules.events import TicketReplyAddedEvent
from collective.tickets.errors import TicketInputError
from collective.tickets.errors import TicketStateError
from collective.tickets.limits import check_cc_domain
from collective.tickets.limits import check_rate_limits
from collective.tickets.permissions import AddTicket
from collective.tickets.permissions import AddTicketReply
from collective.tickets.permissions import CloseTicket
from collective.tickets.permissions import ReopenTicket
from collective.tickets.recipients import normalize_cc
from collective.tickets.remote_images import without_remote_images
from collective.tickets.settings import setting
from collective.tickets.textutils import without_control_characters
from collective.tickets.users import current_userid
from collective.tickets.users import display_name
from collective.tickets.users import is_staff
from collective.tickets.users import is_staff_member
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from plone import api
from plone.app.textfield.value import RichTextValue
from plone.dexterity.utils import addContentToContainer
from plone.dexterity.utils import createContent
from plone.namedfile.interfaces import INamedFile
from urllib.parse import quote
from zope.event import notify
from zope.globalrequest import getRequest
from zope.i18n import translate


IN_PROGRESS = "in_progress"
COMPLETED = "completed"


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
        return human_size(self.size)


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


# Validation


def clean_subject(subject):
    text = subject if isinstance(subject, str) else ""
    if any(ch in text for ch in "\r\n"):
        raise TicketInputError(SUBJECT_ONE_LINE, field="title")
    text = " ".join(without_control_characters(text).split())
    if not text:
        raise TicketInputError(
            _("error_subject_missing", default="Enter a subject for the ticket."),
            field="title",
        )
    if len(text) > SUBJECT_MAX_LENGTH:
        raise TicketInputError(
            _(
                "error_subject_too_long",
                default="The subject has ${length} characters; at most ${max} "
                "are allowed.",
                mapping={"length": len(text), "max": SUBJECT_MAX_LENGTH},
            ),
            field="title",
        )
    return text


def clean_text(text):
    """A RichTextValue for the message, or TicketInputError when there is none
    or it is larger than the ``max_message_size`` setting (KB of UTF-8)."""
    if isinstance(text, RichTextValue):
        raw = text.raw
    elif isinstance(text, str):
        raw = text
    else:
        raw = None
    if raw is None:
        raise TicketInputError(
            _("error_message_missing", default="Write a message."), field="text"
        )
    check_message_html(raw)
    return message_value(without_control_characters(raw))


def clean_attachments(attachments):
    """Blobs for the attachments, given as (filename, data, content_type) or files."""
    blobs = []
    for item in attachments or ():
        if INamedFile.providedBy(item):
            blobs.append(make_attachment(item.filename, item.data, item.contentType))
            continue
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise TicketInputError(
                _(
                    "error_attachment_format",
                    default="An attachment must be (filename, data, content_type).",
                ),
                field="attachments",
            )
        filename, data = item[0], item[1]
        content_type = item[2] if len(item) == 3 else None
        blobs.append(make_attachment(filename, data, content_type))
    check_policy(blobs)
    return blobs


# Where tickets live


def member_folder(userid, create=True):
    """The member folder of ``userid``, created on demand."""
    membership = api.portal.get_tool("portal_membership")
    folder = membership.getHomeFolder(userid)
    if folder is None and create:
        with api.env.adopt_roles(["Manager"]):
            if not membership.getMemberareaCreationFlag():
                membership.setMemberareaCreationFlag()
            membership.createMemberarea(userid)
        folder = membership.getHomeFolder(userid)
    return folder


def _require_ticket(ticket):
    if not ITicket.providedBy(ticket):
        raise TicketInputError(
            _(
                "error_not_a_ticket",
                default="${obj} is not a ticket.",
                mapping={"obj": repr(ticket)},
            )
        )


def _set_author(obj, userid):
    obj.creators = (userid,)


def _store_thumbnails(obj):
    # Only the store: a thumbnail is made when first asked for (see
    # attachments.attachment_thumbnail), so an upload never pays for scaling.
    obj.attachment_thumbnails = new_thumbnail_store()


# The lifecycle


def _submitted_before(container, submission_id, author):
    """The message a form already created from this very submission, if any:
    a double click or a resent form must not add it twice."""
    if not submission_id:
        return None
    for obj_id in container.objectIds()[-10:]:
        obj = container[obj_id]
        if (
            getattr(aq_base(obj), "submission_id", None) == submission_id
            and message_author(obj) == author
        ):
            return obj
    return None


def create(subject, text, cc=(), attachments=(), customer=None, submission_id=None):
    """Open a ticket for ``customer`` (default: the current user) and return it.

    ``submission_id`` (the forms send one) makes a repeated submission return
    the ticket it created the first time.
    """
    author = current_userid()
    if author is None:
        raise Unauthorized("Log in to open a ticket.")
    customer = customer or author
    customer_user = api.user.get(userid=customer)
    if customer_user is None:
        raise TicketInputError(
            _(
                "error_unknown_customer",
                default="There is no user with the id '${userid}'.",
                mapping={"userid": customer},
            )
        )
    if customer != author and not is_staff():
        raise Unauthorized("Only the staff may open a ticket for another customer.")

    title = clean_subject(subject)
    cc_rows = normalize_cc(cc, owner_email=customer_user.getProperty("email", ""))
    staff_author = is_staff()
    if not staff_author:
        check_cc_domain(cc_rows, customer_user.getProperty("email", ""))
    value = clean_text(text)
    blobs = clean_attachments(attachments)

    folder = member_folder(customer)
    if folder is None or not api.user.has_permission(AddTicket, obj=folder):
        raise Unauthorized(f"{author} may not open tickets for {customer}.")
    earlier = _submitted_before(folder, submission_id, author)
    if earlier is not None:
        return earlier
    if not staff_author:
        check_rate_limits(customer, len(cc_rows))

    ticket = createContent(
        "Ticket",
        title=title,
        cc_recipients=cc_rows,
        text=value,
        attachments=blobs,
    )
    _set_author(ticket, author)
    ticket.submission_id = submission_id
    ticket.cc_added_count = len(cc_rows)
    _store_thumbnails(ticket)
    ticket = addContentToContainer(folder, ticket, checkConstraints=False)
    if customer != author:
        ticket.changeOwnership(customer_user.getUser())
        ticket.manage_delLocalRoles([author])
    ticket.manage_setLocalRoles(customer, ["Owner"])
    # Queued like the indexing of the addition and merged with it: the ticket
    # is indexed once, at the commit, with its owner and local roles final.
    ticket.reindexObject()
    notify(TicketCreatedEvent(ticket, actor=author))
    return ticket


REPLY_COMPLETED = _(
    "error_reply_completed",
    default="This ticket is completed: no more replies can be added.",
)


def reply(ticket, text, attachments=(), submission_id=None):
    """Add a reply by the current user to ``ticket`` and return it.

    A repeated ``submission_id`` returns the reply it created the first time.
    """
    _require_ticket(ticket)
    if state(ticket) != IN_PROGRESS:
        raise TicketStateError(REPLY_COMPLETED)
    if not api.user.has_permission(AddTicketReply, obj=ticket):
        raise Unauthorized("You may not reply to this ticket.")
    value = clean_text(text)
    blobs = clean_attachments(attachments)
    author = current_userid()
    earlier = _submitted_before(ticket, submission_id, author)
    if earlier is not None:
        return earlier

    message = createContent("TicketReply", text=value, attachments=blobs)
    message.submission_id = submission_id
    message.id = f"reply-{len(ticket.objectIds()) + 1}"
    _set_author(message, author)
    _store_thumbnails(message)
    message = addContentToContainer(ticket, message, checkConstraints=True)
    notify(TicketReplyAddedEvent(message, actor=author))
    return message


def state(ticket):
    """``in_progress`` or ``completed``."""
    _require_ticket(ticket)
    return api.content.get_state(obj=ticket)


def may_close(ticket):
    """Whether the current user may close ``ticket``: staff always, the owner
    while the settings let customers close their tickets."""
    if not api.user.has_permission(CloseTicket, obj=ticket):
        return False
    return bool(setting("customers_may_close")) or is_staff(obj=ticket)


def close(ticket):
    """Mark the ticket completed (the owner and the staff)."""
    _require_ticket(ticket)
    if state(ticket) == COMPLETED:
        raise TicketStateError(
            _("error_already_completed", default="This ticket is already completed.")
        )
    if not may_close(ticket):
        raise Unauthorized("You may not close this ticket.")
    api.content.transition(obj=ticket, transition="complete")
    return ticket


def reopen(ticket):
    """Put a completed ticket back in progress (the staff only)."""
    _require_ticket(ticket)
    if state(ticket) == IN_PROGRESS:
        raise TicketStateError(
            _(
                "error_already_in_progress",
                default="This ticket is already in progress.",
            )
        )
    if not api.user.has_permission(ReopenTicket, obj=ticket):
        raise Unauthorized("Only the staff may reopen a ticket.")
    api.content.transition(obj=ticket, transition="reopen")
    return ticket


# Reading


def replies(ticket):
    return [obj for obj in ticket.objectValues() if ITicketReply.providedBy(obj)]


def message_author(obj):
    creators = obj.creators or ()
    return creators[0] if creators else obj.getOwnerTuple()[1]


def message_attachments(obj):
    base = obj.absolute_url()
    result = []
    for index, att in enumerate(obj.attachments or ()):
        filename = att.filename or "attachment"
        url = f"{base}/@@attachment/{index}/{quote(filename)}"
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


def message_html(obj):
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
    label = translate(REMOTE_IMAGE_LABEL, context=getRequest())
    key = (value.raw, obj.absolute_url(), label)
    cached = getattr(aq_base(obj), "_v_text_html", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    html = without_remote_images(
        value.output_relative_to(obj), api.portal.get().absolute_url(), label
    )
    obj._v_text_html = (key, html)
    return html


def to_message(obj, is_first=False):
    author = message_author(obj)
    return Message(
        id=obj.getId(),
        obj=obj,
        author_id=author,
        author_name=display_name(author),
        author_is_staff=is_staff_member(author),
        date=obj.created().asdatetime(),
        text=message_html(obj),
        attachments=message_attachments(obj),
        is_first=is_first,
    )


def conversation(ticket):
    """The first message and every reply, oldest first."""
    _require_ticket(ticket)
    return [to_message(ticket, is_first=True)] + [
        to_message(obj) for obj in replies(ticket)
    ]


def tickets_of(userid, state=None):
    """Catalog brains of ``userid``'s tickets the current user may see, newest activity first."""
    query = {
        "portal_type": "Ticket",
        "ticket_customer": userid,
        "sort_on": "ticket_last_activity",
        "sort_order": "descending",
    }
    if state:
        query["review_state"] = state
    return api.portal.get_tool("portal_catalog")(**query)
