"""A ticket's life: opened, answered, closed and reopened.

Every function checks the current user's permissions exactly as the forms
do and raises ``TicketInputError`` (a ``ValueError``) with a message that
says what was wrong, before anything is stored.
"""

from AccessControl import Unauthorized
from Acquisition import aq_base
from collective.tickets import _
from collective.tickets.core.attachments import new_thumbnail_store
from collective.tickets.core.cc import normalize_cc
from collective.tickets.core.conversation import message_author
from collective.tickets.core.conversation import require_ticket
from collective.tickets.core.desk import check_category
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.events import TicketCreatedEvent
from collective.tickets.core.events import TicketNoteAddedEvent
from collective.tickets.core.events import TicketReplyAddedEvent
from collective.tickets.core.limits import check_cc_domain
from collective.tickets.core.limits import check_rate_limits
from collective.tickets.core.message import clean_attachments
from collective.tickets.core.message import clean_subject
from collective.tickets.core.message import clean_text
from collective.tickets.core.numbers import next_number
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import may
from collective.tickets.core.people import user_email
from collective.tickets.core.settings import setting
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS
from collective.tickets.core.states import workflow_state
from collective.tickets.permissions import AddTicket
from collective.tickets.permissions import AddTicketNote
from collective.tickets.permissions import AddTicketReply
from collective.tickets.permissions import CloseTicket
from collective.tickets.permissions import ReopenTicket
from plone import api
from plone.dexterity.utils import addContentToContainer
from plone.dexterity.utils import createContent
from zope.event import notify


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


def create(
    subject,
    text,
    cc=(),
    attachments=(),
    customer=None,
    submission_id=None,
    before_add=None,
    category=None,
):
    """Open a ticket for ``customer`` (default: the current user) and return it.

    ``category``, when given, is the short name of one of the categories of
    the settings.

    ``submission_id`` (the forms send one) makes a repeated submission return
    the ticket it created the first time. ``before_add(ticket)``, when given,
    completes the new ticket before it is added and announced (mail-in keeps
    the original mail with it).
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
    customer_email = user_email(customer)
    cc_rows = normalize_cc(cc, owner_email=customer_email)
    staff_author = is_staff()
    if not staff_author:
        check_cc_domain(cc_rows, customer_email)
    value = clean_text(text)
    blobs = clean_attachments(attachments)
    category = check_category(category or "")

    folder = member_folder(customer)
    if folder is None or not may(AddTicket, folder):
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
    ticket.ticket_number = next_number()
    ticket.ticket_category = category
    _store_thumbnails(ticket)
    if before_add is not None:
        before_add(ticket)
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


def _next_id(ticket, prefix):
    """``reply-3`` for the third reply: replies and notes are counted apart,
    so that a customer's replies run without the gaps that would betray an
    internal note between them."""
    ids = set(ticket.objectIds())
    number = sum(1 for obj_id in ids if obj_id.startswith(f"{prefix}-")) + 1
    while f"{prefix}-{number}" in ids:
        number += 1
    return f"{prefix}-{number}"


def _add_message(
    ticket, portal_type, prefix, text, attachments, submission_id, complete=None
):
    """Check and add a message (a reply or a note) by the current user to
    ``ticket``: ``(message, author, added)``, where ``added`` is false when
    the same submission had added it before. ``complete(message)`` finishes
    it before it is added."""
    value = clean_text(text)
    blobs = clean_attachments(attachments)
    author = current_userid()
    earlier = _submitted_before(ticket, submission_id, author)
    if earlier is not None:
        return earlier, author, False
    message = createContent(portal_type, text=value, attachments=blobs)
    message.submission_id = submission_id
    message.id = _next_id(ticket, prefix)
    _set_author(message, author)
    _store_thumbnails(message)
    if complete is not None:
        complete(message)
    message = addContentToContainer(ticket, message, checkConstraints=True)
    return message, author, True


REPLY_COMPLETED = _(
    "error_reply_completed",
    default="This ticket is completed: no more replies can be added.",
)


def reply(
    ticket, text, attachments=(), submission_id=None, sender=None, before_add=None
):
    """Add a reply by the current user to ``ticket`` and return it.

    A repeated ``submission_id`` returns the reply it created the first time.
    ``sender``, an ``(email, name)`` pair, names who wrote it when that is
    not a site user: a CC recipient answering by e-mail, on the authority of
    the ticket's customer (the current user then). ``before_add(reply)``
    completes the reply before it is added and announced.
    """
    require_ticket(ticket)
    if state(ticket) != IN_PROGRESS:
        raise TicketStateError(REPLY_COMPLETED)
    if not may_reply(ticket):
        raise Unauthorized("You may not reply to this ticket.")
    actor_email = None
    mail_sender = None
    if sender is not None:
        actor_email, name = sender
        mail_sender = {"email": actor_email, "name": name or ""}

    def complete(message):
        if mail_sender is not None:
            message.mail_sender = mail_sender
        if before_add is not None:
            before_add(message)

    message, author, new = _add_message(
        ticket, "TicketReply", "reply", text, attachments, submission_id, complete
    )
    if new:
        notify(TicketReplyAddedEvent(message, actor=author, actor_email=actor_email))
    return message


def may_add_note(ticket):
    """Whether the current user may add internal notes to ``ticket`` (the
    staff, whatever its state)."""
    return may(AddTicketNote, ticket)


def add_note(ticket, text, attachments=(), submission_id=None):
    """Add an internal note by the current staff member to ``ticket`` (open
    or closed) and return it. Only the staff hear of it."""
    require_ticket(ticket)
    if not may_add_note(ticket):
        raise Unauthorized("Only the staff may add internal notes.")
    # Adding content modifies its container (plone.dexterity reindexes it
    # and sets its modification date); the ticket's customer reads that
    # date, so a note must leave it as it was.
    modified = ticket.modification_date
    note, author, new = _add_message(
        ticket, "TicketNote", "note", text, attachments, submission_id
    )
    if ticket.modification_date != modified:
        ticket.setModificationDate(modified)
        ticket.reindexObject(idxs=["modified"])
    if new:
        notify(TicketNoteAddedEvent(note, actor=author))
    return note


def state(ticket):
    """``in_progress`` or ``completed``."""
    require_ticket(ticket)
    return workflow_state(ticket)


def may_reply(ticket):
    """Whether the current user may reply to ``ticket`` now: it is in
    progress and they may add replies to it (its customer and the staff)."""
    return state(ticket) == IN_PROGRESS and may(AddTicketReply, ticket)


def may_close(ticket):
    """Whether the current user may close ``ticket`` now: it is in progress,
    and they are staff, or its customer while the settings let customers
    close their tickets."""
    if state(ticket) != IN_PROGRESS:
        return False
    if not may(CloseTicket, ticket):
        return False
    return bool(setting("customers_may_close")) or is_staff(obj=ticket)


def may_reopen(ticket):
    """Whether the current user may reopen ``ticket`` now: it is completed
    and they are staff."""
    return state(ticket) == COMPLETED and may(ReopenTicket, ticket)


def close(ticket):
    """Mark the ticket completed (the owner and the staff)."""
    require_ticket(ticket)
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
    require_ticket(ticket)
    if state(ticket) == IN_PROGRESS:
        raise TicketStateError(
            _(
                "error_already_in_progress",
                default="This ticket is already in progress.",
            )
        )
    if not may_reopen(ticket):
        raise Unauthorized("Only the staff may reopen a ticket.")
    api.content.transition(obj=ticket, transition="reopen")
    return ticket
