"""``POST <ticket>/@notes``: add an internal note (staff only), with the
checks of the note form."""

from collective.tickets import api as tickets
from collective.tickets.restapi.services.base import ATTACHMENTS_FIELD
from collective.tickets.restapi.services.base import decode_attachments
from collective.tickets.restapi.services.base import TEXT_FIELD
from collective.tickets.restapi.services.base import TicketPostService
from zExceptions import Unauthorized


class NotesPost(TicketPostService):
    fields = {"text": TEXT_FIELD, "attachments": ATTACHMENTS_FIELD}

    def check_allowed(self):
        # A customer's bad body gets the 401 too, not a 400 about its fields.
        if not tickets.may_add_note(self.context):
            raise Unauthorized("Only the staff may add internal notes.")

    def create(self, body):
        return tickets.add_note(
            self.context,
            text=body.get("text"),
            attachments=decode_attachments(body.get("attachments")),
        )

    def answer(self, created):
        # The note itself: its JSON links to the ticket.
        return created
