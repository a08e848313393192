from Acquisition import aq_inner
from Acquisition import aq_parent
from collective.tickets import _
from collective.tickets.content.message import attachments_field
from collective.tickets.content.message import message_text_field
from collective.tickets.core.cc import check_email
from collective.tickets.core.cc import MAX_CC_RECIPIENTS
from collective.tickets.core.message import single_line_subject
from collective.tickets.core.message import SUBJECT_MAX_LENGTH
from collective.z3cform.datagridfield.row import DictRow
from plone.autoform import directives
from plone.dexterity.content import Container
from plone.supermodel import model
from z3c.form.interfaces import IEditForm
from zope import schema
from zope.interface import implementer


def valid_cc_email(value):
    check_email(value)
    return True


class ICCRecipient(model.Schema):
    """One row of a ticket's CC list."""

    email = schema.TextLine(
        title=_("label_cc_email", default="E-mail address"),
        # The grid always shows an empty row to type in; a row with a name
        # and no address is refused by the ticket's own CC check.
        required=False,
        constraint=valid_cc_email,
    )
    name = schema.TextLine(
        title=_("label_cc_name", default="Name"),
        required=False,
    )


class ITicket(model.Schema):
    """A customer's support request: a subject, CC recipients and a first message."""

    title = schema.TextLine(
        title=_("label_subject", default="Subject"),
        description=_(
            "help_subject", default="A short summary of the problem or the request."
        ),
        required=True,
        max_length=SUBJECT_MAX_LENGTH,
        constraint=single_line_subject,
    )

    # Widgets by dotted name: the content types load without the UI.
    directives.widget(
        cc_recipients="collective.tickets.browser.widgets.CCRecipientsFieldWidget"
    )
    cc_recipients = schema.List(
        title=_("label_cc_recipients", default="CC recipients"),
        description=_(
            "help_cc_recipients",
            default="Other e-mail addresses that receive every update of this "
            "ticket (at most ${max}).",
            mapping={"max": MAX_CC_RECIPIENTS},
        ),
        value_type=DictRow(title="CC", schema=ICCRecipient),
        required=False,
        default=[],
        missing_value=[],
    )

    text = message_text_field(
        _(
            "help_message",
            default="Describe your request. You can use bold, lists and links.",
        )
    )

    directives.widget(
        attachments="collective.tickets.browser.widgets.MultiFileFieldWidget"
    )
    # A message's files are added with it; an edit form would replace them.
    directives.omitted(IEditForm, "attachments")
    attachments = attachments_field()


def ticket_of(obj):
    """The ticket itself, or the ticket a reply belongs to."""
    return obj if ITicket.providedBy(obj) else aq_parent(aq_inner(obj))


def customer_of(ticket):
    """The user id of the customer: the ticket's owner."""
    return ticket.getOwnerTuple()[1]


@implementer(ITicket)
class Ticket(Container):
    """A ticket; its replies are its children, in the order they were written."""

    # Tickets are reached through "My tickets" and the staff screens, never
    # through the navigation.
    exclude_from_nav = True
