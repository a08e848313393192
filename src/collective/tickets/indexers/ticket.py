"""What the listings need of a ticket, so that they never wake one up."""

from collective.tickets.content.ticket import customer_of
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.conversation import message_author
from collective.tickets.core.mailin.store import received_ids
from collective.tickets.core.text import searchable_words
from plone.indexer import indexer


def _last_message(ticket):
    ids = ticket.objectIds()
    return ticket[ids[-1]] if ids else ticket


@indexer(ITicket)
def ticket_customer(ticket):
    return customer_of(ticket)


@indexer(ITicket)
def ticket_last_activity(ticket):
    return _last_message(ticket).created().timeTime()


def _last_author(ticket):
    return message_author(_last_message(ticket))


@indexer(ITicket)
def ticket_last_author(ticket):
    return _last_author(ticket)


@indexer(ITicket)
def ticket_awaiting_staff(ticket):
    """The customer wrote last: the staff owe an answer (while in progress)."""
    return _last_author(ticket) == customer_of(ticket)


@indexer(ITicket)
def ticket_reply_count(ticket):
    return len(ticket.objectIds())


@indexer(ITicket)
def searchable_text(ticket):
    """The subject, the first message and every reply: staff search them all."""
    parts = [ticket.Title(), searchable_words(ticket.text.raw if ticket.text else "")]
    for reply in ticket.objectValues():
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
