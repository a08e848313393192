"""What the listings need of a ticket, so that they never wake one up."""

from collective.tickets.content.note import ITicketNote
from collective.tickets.content.ticket import customer_of
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.conversation import last_message
from collective.tickets.core.conversation import message_author
from collective.tickets.core.conversation import replies
from collective.tickets.core.cron import next_job
from collective.tickets.core.desk import assignee_token
from collective.tickets.core.desk import CATEGORY_INDEX
from collective.tickets.core.desk import priority
from collective.tickets.core.desk import priority_rank
from collective.tickets.core.mailin.store import received_ids
from collective.tickets.core.sla import closed_at
from collective.tickets.core.sla import measure
from collective.tickets.core.text import searchable_words
from plone.indexer import indexer


@indexer(ITicket)
def ticket_customer(ticket):
    return customer_of(ticket)


@indexer(ITicket)
def ticket_last_activity(ticket):
    return last_message(ticket).created().timeTime()


def _last_author(ticket):
    return message_author(last_message(ticket))


@indexer(ITicket)
def ticket_last_author(ticket):
    return _last_author(ticket)


@indexer(ITicket)
def ticket_awaiting_staff(ticket):
    """The customer wrote last: the staff owe an answer (while in progress)."""
    return _last_author(ticket) == customer_of(ticket)


@indexer(ITicket)
def ticket_reply_count(ticket):
    return len(replies(ticket))


@indexer(ITicket)
def searchable_text(ticket):
    """The subject, the first message and every reply (never an internal
    note: its words are indexed with the note, which only the staff find).
    Not the number: a word new with every ticket would make every two
    tickets opened at once conflict on the text index's lexicon; the
    overview finds numbers through the ``ticket_number`` index."""
    parts = [ticket.Title(), searchable_words(ticket.text.raw if ticket.text else "")]
    for reply in replies(ticket):
        text = getattr(reply, "text", None)
        parts.append(searchable_words(text.raw if text else ""))
    return " ".join(part for part in parts if part)


@indexer(ITicket)
def ticket_cc_count(ticket):
    """How many CC addresses the ticket added when it was opened (an
    unsubscribe later must not give the customer their quota back)."""
    count = getattr(ticket, "cc_added_count", None)
    return count if count is not None else len(ticket.cc_recipients or ())


@indexer(ITicket)
def ticket_mail_ids(ticket):
    """The Message-IDs of the mails the ticket's messages came in as: the
    same mail delivered twice is found here and stored once."""
    return received_ids(ticket)


@indexer(ITicket)
def ticket_number(ticket):
    return getattr(ticket, "ticket_number", None)


@indexer(ITicket)
def ticket_priority(ticket):
    """0 (low) to 3 (urgent), so that the overview sorts by it."""
    return priority_rank(priority(ticket))


@indexer(ITicket)
def ticket_category(ticket):
    return getattr(ticket, CATEGORY_INDEX, None) or ""


@indexer(ITicket)
def ticket_assignee(ticket):
    """A keyed token of the assignee, never the user id (see
    ``core.desk.assignee_token``)."""
    return assignee_token(getattr(ticket, "ticket_assignee", None))


@indexer(ITicket)
def ticket_due(ticket):
    """When the nearest pending target falls due (seconds since the epoch),
    while it is the staff's turn; None (not indexed) otherwise."""
    due = measure(ticket).due
    return due.timestamp() if due else None


@indexer(ITicket)
def ticket_next_job(ticket):
    """When the periodic job has work on the ticket (``core.cron``)."""
    return next_job(ticket)


@indexer(ITicket)
def ticket_sla(ticket):
    """The service figures the report and the listings read (``Clock.row``)."""
    return measure(ticket).row()


@indexer(ITicket)
def ticket_closed(ticket):
    """When the ticket was last completed (seconds since the epoch); None
    (not indexed) while it is in progress."""
    closed = closed_at(ticket)
    return closed.timestamp() if closed else None


@indexer(ITicket)
def ticket_rating(ticket):
    """The customer's satisfaction score, 1 to 5 (None: not rated)."""
    value = getattr(ticket, "ticket_rating", None)
    return value[0] if value else None


@indexer(ITicketNote)
def note_searchable_text(note):
    """A note's words, found by the staff only: the note's own catalog entry
    is as private as the note."""
    text = note.text
    return searchable_words(text.raw if text else "")
