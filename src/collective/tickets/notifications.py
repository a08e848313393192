"""Who hears of a ticket's changes, and the plain text the mails carry."""

from collective.tickets import api as tickets
from collective.tickets.content.ticket import customer_of
from collective.tickets.interfaces import ITicketClosedEvent
from collective.tickets.interfaces import ITicketCreatedEvent
from collective.tickets.interfaces import ITicketReopenedEvent
from collective.tickets.interfaces import ITicketReplyAddedEvent
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.setuphandlers import STAFF_GROUP
from collective.tickets.textutils import plain_text
from collective.tickets.users import is_staff
from plone import api


def user_email(userid):
    user = api.user.get(userid=userid) if userid else None
    return (user.getProperty("email", "") or "").strip() if user else ""


def customer_email(ticket):
    return user_email(customer_of(ticket))


def cc_emails(ticket):
    return [row["email"] for row in ticket.cc_recipients or ()]


def staff_emails():
    """The members of ticket-staff, and the settings' staff address if any."""
    emails = [
        (user.getProperty("email", "") or "").strip()
        for user in api.user.get_users(groupname=STAFF_GROUP)
    ]
    extra = api.portal.get_registry_record(
        "staff_email", interface=ITicketSettings, default=""
    )
    emails.append((extra or "").strip())
    return unique(email for email in emails if email)


def unique(emails):
    seen = set()
    result = []
    for email in emails:
        if email.lower() not in seen:
            seen.add(email.lower())
            result.append(email)
    return result


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
    staff_acted = actor_is_staff(actor, ticket)
    customer = [customer_email(ticket)]
    cc = cc_emails(ticket)
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
    return unique(email for email in emails if email and email.lower() != actor_email)


def message_text(obj):
    return plain_text(obj.text.raw if obj.text else "")


def conversation_text(ticket):
    """The whole history as plain text, newest message first."""
    parts = []
    for message in reversed(tickets.conversation(ticket)):
        date = api.portal.get_localized_time(datetime=message.date, long_format=True)
        attachments = "".join(f"\n[{att.filename}]" for att in message.attachments)
        parts.append(
            f"-- {message.author_name}, {date}\n{message_text(message.obj)}{attachments}"
        )
    return "\n\n".join(parts)
