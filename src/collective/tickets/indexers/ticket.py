"""What the listings need of a ticket, so that they never wake one up."""

from collective.tickets.content.ticket import ITicket
from plone import api
from plone.indexer import indexer


def _last_message(ticket):
    ids = ticket.objectIds()
    return ticket[ids[-1]] if ids else ticket


def _plain(html):
    if not html:
        return ""
    transforms = api.portal.get_tool("portal_transforms")
    data = transforms.convertTo("text/plain", html, mimetype="text/html")
    return data.getData() if data is not None else ""


@indexer(ITicket)
def ticket_customer(ticket):
    return ticket.getOwnerTuple()[1]


@indexer(ITicket)
def ticket_last_activity(ticket):
    return _last_message(ticket).created().timeTime()


def _last_author(ticket):
    creators = _last_message(ticket).creators
    return creators[0] if creators else ticket.getOwnerTuple()[1]


@indexer(ITicket)
def ticket_last_author(ticket):
    return _last_author(ticket)


@indexer(ITicket)
def ticket_awaiting_staff(ticket):
    """The customer wrote last: the staff owe an answer (while in progress)."""
    return _last_author(ticket) == ticket.getOwnerTuple()[1]


@indexer(ITicket)
def ticket_reply_count(ticket):
    return len(ticket.objectIds())


@indexer(ITicket)
def searchable_text(ticket):
    """The subject, the first message and every reply: staff search them all."""
    parts = [ticket.Title(), _plain(ticket.text.raw if ticket.text else "")]
    for reply in ticket.objectValues():
        text = getattr(reply, "text", None)
        parts.append(_plain(text.raw if text else ""))
    return " ".join(part for part in parts if part)
