"""Who hears of a ticket's changes, and the plain text the mails carry.

What the mails look like is the mail action's (``contentrules.mail``).
"""

from Acquisition import aq_base
from collective.tickets.content.ticket import customer_of
from collective.tickets.core.conversation import filtered_html
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import staff_emails
from collective.tickets.core.people import unique_emails
from collective.tickets.core.people import user_email
from collective.tickets.core.people import users_with_email
from collective.tickets.core.text import plain_text
from collective.tickets.interfaces import ITicketAssignedEvent
from collective.tickets.interfaces import ITicketClosedEvent
from collective.tickets.interfaces import ITicketCreatedEvent
from collective.tickets.interfaces import ITicketNoteAddedEvent
from collective.tickets.interfaces import ITicketOverdueEvent
from collective.tickets.interfaces import ITicketReopenedEvent
from collective.tickets.interfaces import ITicketReplyAddedEvent
from plone import api


def customer_email(ticket):
    return user_email(customer_of(ticket))


def cc_emails(ticket):
    return [row["email"] for row in ticket.cc_recipients or ()]


def actor_is_staff(actor, ticket):
    user = api.user.get(userid=actor) if actor else None
    return user is not None and is_staff(user=user, obj=ticket)


def ticket_recipients(ticket, event=None):
    """Everyone who should hear of this change, minus the one who made it.

    Created: the CC recipients and the staff (the customer gets a
    confirmation of their own). A reply by the customer: the staff and the
    CC recipients; by the staff: the customer and the CC recipients. Closed
    or reopened: the customer and the CC recipients, and the staff when the
    customer closed it.
    """
    actor = getattr(event, "actor", None) or api.user.get_current().getId()
    if ITicketNoteAddedEvent.providedBy(event) or ITicketAssignedEvent.providedBy(
        event
    ):
        # Whatever a rule's editor asks for: the staff's work is the staff's.
        return staff_recipients(ticket, event)
    staff_acted = actor_is_staff(actor, ticket)
    customer = [customer_email(ticket)]
    cc = cc_emails(ticket)
    outsider = getattr(event, "actor_email", None)
    if outsider:
        # A CC recipient answered by e-mail: everyone else hears of it.
        emails = customer + staff_emails() + cc
        return unique_emails(
            email for email in emails if email and email.lower() != outsider.lower()
        )
    if ITicketCreatedEvent.providedBy(event):
        emails = cc + staff_emails()
    elif ITicketReplyAddedEvent.providedBy(event):
        emails = customer + cc if staff_acted else staff_emails() + cc
    elif ITicketClosedEvent.providedBy(event):
        emails = customer + cc + ([] if staff_acted else staff_emails())
    elif ITicketReopenedEvent.providedBy(event):
        emails = customer + cc
    else:
        emails = customer + cc + staff_emails()
    actor_email = user_email(actor).lower()
    return unique_emails(
        email for email in emails if email and email.lower() != actor_email
    )


def staff_recipients(ticket, event=None):
    """The staff who should hear of the staff's own work, minus its author:
    for an assignment the assignee, for a note the staff (group and address
    of the settings; an overdue target: the assignee, else the staff).
    Never the customer or a CC recipient."""
    actor = getattr(event, "actor", None) or api.user.get_current().getId()
    if ITicketAssignedEvent.providedBy(event):
        emails = [user_email(event.assignee)]
    elif ITicketOverdueEvent.providedBy(event) and getattr(
        ticket, "ticket_assignee", None
    ):
        emails = [user_email(ticket.ticket_assignee)]
    else:
        emails = staff_emails()
    outside = {customer_email(ticket).lower()} | {e.lower() for e in cc_emails(ticket)}
    actor_email = user_email(actor).lower()
    return unique_emails(
        email
        for email in emails
        if email
        and email.lower() != actor_email
        and (email.lower() not in outside or _belongs_to_staff(email))
    )


def _belongs_to_staff(email):
    """Whether a site user with this address is staff (a Manager or Site
    Administrator need not be in the ticket-staff group)."""
    return any(is_staff(user=user) for user in users_with_email(email))


def cc_only_recipients(ticket, recipients):
    """Those of ``recipients`` (lower-cased) who are on the ticket only as CC,
    neither the customer nor staff: only they get the CC notice and an
    unsubscribe link (the customer and the staff hear of the ticket anyway)."""
    wanted = {email.lower() for email in recipients}
    candidates = [email for email in cc_emails(ticket) if email.lower() in wanted]
    if not candidates:
        return set()
    others = {email.lower() for email in staff_emails()}
    others.add(customer_email(ticket).lower())
    return {
        email.lower()
        for email in candidates
        if email.lower() not in others and not _belongs_to_staff(email)
    }


def cc_introduction_due(ticket, email):
    """Whether ``email``, a CC recipient, is yet to be told who added them
    and why: their first mail of the ticket says so, the next ones do not."""
    return email.lower() not in getattr(aq_base(ticket), "cc_introduced", ())


def record_cc_introduction(ticket, email):
    introduced = set(getattr(aq_base(ticket), "cc_introduced", ()))
    ticket.cc_introduced = tuple(sorted(introduced | {email.lower()}))


def message_text(obj):
    """A message's text as plain text, from what the safe-HTML filter left of
    it: what the reader sees on the ticket's page."""
    return plain_text(filtered_html(obj))
