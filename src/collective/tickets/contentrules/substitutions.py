"""``${ticket_...}`` and ``${reply_...}`` for content rule mails.

They work on a ticket and on a reply (its ticket is meant), and give an
empty string anywhere else.
"""

from Acquisition import aq_inner
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.content.note import ITicketNote
from collective.tickets.content.reply import ITicketReply
from collective.tickets.content.ticket import customer_of
from collective.tickets.content.ticket import ITicket
from collective.tickets.content.ticket import ticket_of
from collective.tickets.contentrules.mail import render
from collective.tickets.core import desk
from collective.tickets.core import recipients as notifications
from collective.tickets.core import satisfaction
from collective.tickets.core import sla
from collective.tickets.core.conversation import author_name
from collective.tickets.core.dates import localized
from collective.tickets.core.events import current_event
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import display_name
from collective.tickets.core.states import state_title
from plone.stringinterp.adapters import BaseSubstitution
from zope.component import adapter
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.interface import Interface


@adapter(Interface)
class TicketSubstitution(BaseSubstitution):
    category = _("substitution_category", default="Tickets")

    @property
    def ticket(self):
        context = aq_inner(self.context)
        if (
            ITicket.providedBy(context)
            or ITicketReply.providedBy(context)
            or ITicketNote.providedBy(context)
        ):
            return ticket_of(context)
        return None

    @property
    def message(self):
        """The reply or note the rule runs for, else the ticket's first message."""
        context = aq_inner(self.context)
        if ITicketReply.providedBy(context) or ITicketNote.providedBy(context):
            return context
        return self.ticket

    def safe_call(self):
        return self.value(self.ticket) if self.ticket is not None else ""


class TicketTitle(TicketSubstitution):
    description = _("substitution_ticket_title", default="Ticket subject")

    def value(self, ticket):
        return ticket.Title()


class TicketUrl(TicketSubstitution):
    description = _("substitution_ticket_url", default="Ticket URL")

    def value(self, ticket):
        return ticket.absolute_url()


class TicketState(TicketSubstitution):
    description = _("substitution_ticket_state", default="Ticket state")

    def value(self, ticket):
        return translate(state_title(tickets.state(ticket)), context=getRequest())


class TicketCustomerName(TicketSubstitution):
    description = _("substitution_ticket_customer_name", default="Customer's name")

    def value(self, ticket):
        return display_name(customer_of(ticket))


class TicketCustomerEmail(TicketSubstitution):
    description = _("substitution_ticket_customer_email", default="Customer's e-mail")

    def value(self, ticket):
        return notifications.customer_email(ticket)


class TicketCCEmails(TicketSubstitution):
    description = _("substitution_ticket_cc_emails", default="CC recipients' e-mails")

    def value(self, ticket):
        return ", ".join(notifications.cc_emails(ticket))


class TicketStaffEmails(TicketSubstitution):
    description = _("substitution_ticket_staff_emails", default="Staff e-mails")

    def value(self, ticket):
        return ", ".join(notifications.staff_emails())


class TicketRecipients(TicketSubstitution):
    description = _(
        "substitution_ticket_recipients",
        default="Everyone who should hear of this change, minus its author",
    )

    def value(self, ticket):
        return ", ".join(notifications.ticket_recipients(ticket, current_event()))


class ReplyAuthorName(TicketSubstitution):
    description = _("substitution_reply_author_name", default="Message author's name")

    def value(self, ticket):
        return author_name(self.message)


class ReplyText(TicketSubstitution):
    description = _("substitution_reply_text", default="Message text (plain)")

    def value(self, ticket):
        return notifications.message_text(self.message)


class TicketConversation(TicketSubstitution):
    description = _(
        "substitution_ticket_conversation",
        default="The whole conversation as plain text, newest first",
    )

    def value(self, ticket):
        messages = [
            {
                "author": message.author_name,
                "date": localized(message.date),
                "text": notifications.message_text(message.obj),
                "attachments": [att.filename for att in message.attachments],
            }
            for message in reversed(tickets.conversation(ticket))
        ]
        return render("ticket-conversation-text", ticket, messages=messages)


class TicketNumber(TicketSubstitution):
    description = _("substitution_ticket_number", default="Ticket number (#1042)")

    def value(self, ticket):
        return number_label(getattr(ticket, "ticket_number", None))


class TicketPriority(TicketSubstitution):
    description = _("substitution_ticket_priority", default="Ticket priority")

    def value(self, ticket):
        return translate(
            desk.priority_title(desk.priority(ticket)), context=getRequest()
        )


class TicketOverdueTarget(TicketSubstitution):
    description = _(
        "substitution_ticket_overdue_target",
        default="The service-level target that is overdue (first response or "
        "resolution)",
    )

    def value(self, ticket):
        target = getattr(current_event(), "target", None)
        if target not in sla.TARGET_TITLES:
            return ""
        return translate(sla.TARGET_TITLES[target], context=getRequest())


class TicketDue(TicketSubstitution):
    description = _(
        "substitution_ticket_due",
        default="When the ticket's next service-level target falls (or fell) due",
    )

    def value(self, ticket):
        due = getattr(current_event(), "due", None) or sla.measure(ticket).due
        return localized(due) if due else ""


class TicketRatingUrl(TicketSubstitution):
    description = _(
        "substitution_ticket_rating_url",
        default="Link to rate a completed ticket, without logging in (valid "
        "for 7 days; empty while the ticket is in progress)",
    )

    def value(self, ticket):
        return satisfaction.rating_url(ticket)


class TicketCategory(TicketSubstitution):
    description = _("substitution_ticket_category", default="Ticket category")

    def value(self, ticket):
        return desk.category_title(desk.category(ticket))


class TicketAssigneeName(TicketSubstitution):
    description = _(
        "substitution_ticket_assignee_name",
        default="Name of the staff member the ticket is assigned to",
    )

    def value(self, ticket):
        userid = getattr(ticket, "ticket_assignee", None)
        return display_name(userid) if userid else ""


class TicketActorName(TicketSubstitution):
    description = _(
        "substitution_ticket_actor_name", default="Name of who made the change"
    )

    def value(self, ticket):
        event = current_event()
        return display_name(getattr(event, "actor", None) or "")


class TicketStaffRecipients(TicketSubstitution):
    description = _(
        "substitution_ticket_staff_recipients",
        default="The staff who should hear of the staff's work (a note: the "
        "staff; an assignment: the assignee), minus its author; never the "
        "customer",
    )

    def value(self, ticket):
        return ", ".join(notifications.staff_recipients(ticket, current_event()))
