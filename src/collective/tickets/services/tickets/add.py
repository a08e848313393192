"""``POST @tickets``: open a ticket, with the checks and messages of the form."""

from collective.tickets import api as tickets
from collective.tickets.services.base import decode_attachments
from collective.tickets.services.base import TicketPostService


class TicketsPost(TicketPostService):
    def create(self, body):
        return tickets.create(
            subject=body.get("title"),
            text=body.get("text"),
            cc=body.get("cc") or (),
            attachments=decode_attachments(body.get("attachments")),
        )
