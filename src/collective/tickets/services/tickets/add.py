"""``POST @tickets``: open a ticket, with the checks and messages of the form."""

from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.services.base import ATTACHMENTS_FIELD
from collective.tickets.services.base import decode_attachments
from collective.tickets.services.base import TEXT_FIELD
from collective.tickets.services.base import TicketPostService


class TicketsPost(TicketPostService):
    fields = {
        "title": (str, _("error_api_title_type", default="'title' must be a string.")),
        "text": TEXT_FIELD,
        "cc": (
            list,
            _(
                "error_api_cc_type",
                default="'cc' must be a list of e-mail addresses (or of objects "
                "with 'email' and 'name'), not a single value.",
            ),
        ),
        "attachments": ATTACHMENTS_FIELD,
    }

    def create(self, body):
        return tickets.create(
            subject=body.get("title"),
            text=body.get("text"),
            cc=body.get("cc") or (),
            attachments=decode_attachments(body.get("attachments")),
        )
