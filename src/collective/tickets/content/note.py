"""An internal note: a message in a ticket's conversation for the staff only.

What keeps it from customers is its workflow (``ticket_note_workflow``): its
one state grants View and "Access contents information" to the staff roles
alone, so the page, the catalog, the REST API and its attachment URLs all
refuse it to anyone else by themselves.
"""

from Acquisition import aq_parent
from collective.tickets import _
from collective.tickets.content.message import attachments_field
from collective.tickets.content.message import message_text_field
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.supermodel import model
from z3c.form.interfaces import IEditForm
from zope.interface import implementer


class ITicketNote(model.Schema):
    """A note by the staff on a ticket, never shown to its customer."""

    text = message_text_field(
        _(
            "help_note",
            default="Only the staff see this note: never the customer or the CC "
            "recipients.",
        )
    )

    directives.widget(
        attachments="collective.tickets.browser.widgets.MultiFileFieldWidget"
    )
    directives.omitted(IEditForm, "attachments")
    attachments = attachments_field()


@implementer(ITicketNote)
class TicketNote(Item):
    exclude_from_nav = True

    def Title(self):
        ticket = aq_parent(self)
        return ticket.Title() if ticket is not None else ""
