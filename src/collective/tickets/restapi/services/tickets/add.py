"""``POST @tickets``: open a ticket, with the checks and messages of the form."""

from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.core.errors import TicketInputError
from collective.tickets.restapi.services.base import ATTACHMENTS_FIELD
from collective.tickets.restapi.services.base import decode_attachments
from collective.tickets.restapi.services.base import TEXT_FIELD
from collective.tickets.restapi.services.base import TicketPostService


CC_ITEM = _(
    "error_api_cc_item",
    default="Each entry of 'cc' must be an e-mail address, or an object with "
    "a string 'email' and an optional string 'name'.",
)


def cc_rows(value):
    """The ``cc`` list, each entry an address or an object of strings."""
    for row in value or ():
        if isinstance(row, dict):
            name = row.get("name")
            if not isinstance(row.get("email"), str) or not isinstance(
                name, (str, type(None))
            ):
                raise TicketInputError(CC_ITEM, field="cc")
    return value or ()


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
        "category": (
            str,
            _("error_api_category_type", default="'category' must be a string."),
        ),
    }

    def create(self, body):
        return tickets.create(
            subject=body.get("title"),
            text=body.get("text"),
            cc=cc_rows(body.get("cc")),
            attachments=decode_attachments(body.get("attachments")),
            category=body.get("category"),
        )
