"""``POST <ticket>/@reply``: add a reply, with the checks of the reply form."""

from collective.tickets import api as tickets
from collective.tickets.restapi.services.base import ATTACHMENTS_FIELD
from collective.tickets.restapi.services.base import decode_attachments
from collective.tickets.restapi.services.base import TEXT_FIELD
from collective.tickets.restapi.services.base import TicketPostService


class ReplyPost(TicketPostService):
    fields = {"text": TEXT_FIELD, "attachments": ATTACHMENTS_FIELD}

    def create(self, body):
        return tickets.reply(
            self.context,
            text=body.get("text"),
            attachments=decode_attachments(body.get("attachments")),
        )
