from Acquisition import aq_base
from Acquisition import aq_parent
from collective.tickets import _
from collective.tickets.content.message import attachments_field
from collective.tickets.content.message import message_text_field
from collective.tickets.content.ticket import ITicket
from plone.autoform import directives
from plone.dexterity.content import Item
from plone.supermodel import model
from z3c.form.interfaces import IEditForm
from zope.interface import implementer


class ITicketReply(model.Schema):
    """A message added to a ticket's conversation by the customer or the staff."""

    text = message_text_field(
        _("help_reply", default="Your answer. You can use bold, lists and links.")
    )

    # The widget by dotted name: the content types load without the UI.
    directives.widget(
        attachments="collective.tickets.browser.widgets.MultiFileFieldWidget"
    )
    # A message's files are added with it; an edit form would replace them.
    directives.omitted(IEditForm, "attachments")
    attachments = attachments_field()


@implementer(ITicketReply)
class TicketReply(Item):
    """Not in the catalog: a reply is always reached through its ticket,
    whose catalog entry carries the reply's words, its date (the ticket's
    last activity) and the Message-ID it came in as. An entry of its own
    would double what every reply writes to the catalog, and with it the
    write conflicts of a busy cluster, for nothing searched: replies are not
    in Plone's search (``types_not_searched``)."""

    exclude_from_nav = True

    def indexObject(self):
        pass

    def unindexObject(self):
        pass

    def reindexObject(self, idxs=None):
        if not idxs:
            # What CMF's reindexObject() does besides the catalog: an edit
            # dates the object.
            self.notifyModified()

    def reindexObjectSecurity(self, skip_self=False):
        pass

    def Title(self):
        ticket = aq_parent(self)
        return ticket.Title() if ticket is not None else ""


def reindex_ticket_text(reply, event):
    """A reply edited (by a manager, through Plone's edit form): its words are
    the ticket's."""
    ticket = aq_parent(reply)
    if ITicket.providedBy(ticket):
        ticket.reindexObject(idxs=["SearchableText"])


def reindex_ticket_activity(reply, event):
    """A ticket's listing row shows its last activity: keep the catalog current."""
    if event.object is not reply:
        # The whole ticket is being added or removed with its replies.
        return
    ticket = event.newParent if event.newParent is not None else event.oldParent
    if ITicket.providedBy(ticket):
        # Imported here: the clock reads the replies from this module.
        from collective.tickets.core.sla import CLOCK_INDEXES

        idxs = [
            "ticket_last_activity",
            "ticket_awaiting_staff",
            "SearchableText",
            *CLOCK_INDEXES,
        ]
        # Only a message that came in by mail changes the ticket's mail IDs.
        if getattr(aq_base(reply), "mail_message_id", None):
            idxs.append("ticket_mail_ids")
        ticket.reindexObject(idxs=idxs)
