"""``POST <ticket>/@notes``: add an internal note (staff only), with the
checks of the note form."""

from collective.tickets import api as tickets
from collective.tickets.restapi.services.base import ATTACHMENTS_FIELD
from collective.tickets.restapi.services.base import decode_attachments
from collective.tickets.restapi.services.base import TEXT_FIELD
from collective.tickets.restapi.services.base import TicketPostService


class NotesPost(TicketPostService):
    fields = {"text": TEXT_FIELD, "attachments": ATTACHMENTS_FIELD}

    def create(self, body):
        return tickets.add_note(
            self.context,
            text=body.get("text"),
            attachments=decode_attachments(body.get("attachments")),
        )
