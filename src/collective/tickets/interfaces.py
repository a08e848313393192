from collective.tickets import _
from plone.app.z3cform.widgets.text import TextLinesFieldWidget
from plone.autoform import directives
from plone.supermodel import model
from zope import schema
from zope.interface import Attribute
from zope.interface.interfaces import IObjectEvent
from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class ICollectiveTicketsLayer(IDefaultBrowserLayer):
    """Marker for the requests of a site that has collective.tickets installed."""


DEFAULT_ALLOWED_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/zip",
)


class ITicketSettings(model.Schema):
    """The add-on's settings, as plone.registry records ("Tickets settings")."""

    max_file_size = schema.Int(
        title=_("label_max_file_size", default="Maximum size of a file (MB)"),
        description=_(
            "help_max_file_size",
            default="Larger attachments are refused, naming the file and the limit.",
        ),
        min=1,
        default=10,
        required=True,
    )

    max_files = schema.Int(
        title=_("label_max_files", default="Maximum files per message"),
        min=1,
        default=10,
        required=True,
    )

    directives.widget("allowed_types", TextLinesFieldWidget)
    allowed_types = schema.List(
        title=_("label_allowed_types", default="Allowed file types"),
        description=_(
            "help_allowed_types",
            default="MIME types, one per line. The type is read from the file's "
            "content, not from its name: a program renamed to .pdf is refused.",
        ),
        value_type=schema.TextLine(),
        default=list(DEFAULT_ALLOWED_TYPES),
        required=True,
    )

    customers_may_close = schema.Bool(
        title=_(
            "label_customers_may_close", default="Customers may close their tickets"
        ),
        description=_(
            "help_customers_may_close",
            default="If not, only the staff close tickets.",
        ),
        default=True,
        required=False,
    )

    staff_email = schema.TextLine(
        title=_("label_staff_email", default="Staff notification address"),
        description=_(
            "help_staff_email",
            default="An extra address (a shared support mailbox) that gets the "
            "staff's notifications, besides the members of the ticket-staff "
            "group. Leave it empty for none.",
        ),
        required=False,
        default="",
    )

    reply_to = schema.TextLine(
        title=_("label_reply_to", default="Reply-To address of ticket e-mails"),
        description=_(
            "help_reply_to",
            default="Where answers to a notification go. Leave it empty to use "
            "the site's e-mail sender address.",
        ),
        required=False,
        default="",
    )


# Events: each is a content rules event type, so editors can add rules on them.


class ITicketEvent(IObjectEvent):
    """Something happened to a ticket. ``object`` is the ticket or the reply,
    ``ticket`` the ticket, ``actor`` the user id of who did it."""

    ticket = Attribute("The ticket")
    actor = Attribute("The user id of who did it")


class ITicketCreatedEvent(ITicketEvent):
    """A customer (or the staff for them) opened a ticket."""


class ITicketReplyAddedEvent(ITicketEvent):
    """A reply was added; ``object`` is the reply."""


class ITicketClosedEvent(ITicketEvent):
    """The ticket became completed."""


class ITicketReopenedEvent(ITicketEvent):
    """The staff put a completed ticket back in progress."""
