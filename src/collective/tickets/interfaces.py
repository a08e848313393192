from collective.tickets import _
from zope import schema
from zope.interface import Attribute
from zope.interface import Interface
from zope.interface.interfaces import IObjectEvent
from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class ICollectiveTicketsLayer(IDefaultBrowserLayer):
    """Marker for the requests of a site that has collective.tickets installed."""


class ITicketSettings(Interface):
    """The add-on's settings, as plone.registry records."""

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
