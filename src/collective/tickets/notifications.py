"""Who hears of a ticket's changes, and the plain text the mails carry."""

from Acquisition import aq_base
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.content.ticket import customer_of
from collective.tickets.interfaces import ITicketClosedEvent
from collective.tickets.interfaces import ITicketCreatedEvent
from collective.tickets.interfaces import ITicketReopenedEvent
from collective.tickets.interfaces import ITicketReplyAddedEvent
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.setuphandlers import STAFF_GROUP
from collective.tickets.textutils import plain_text
from collective.tickets.unsubscribe import unsubscribe_url
from collective.tickets.users import display_name
from collective.tickets.users import is_staff
from plone import api
from zope.i18n import translate
from zope.i18nmessageid import Message


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


def _belongs_to_staff(email):
    """Whether a site user with this address is staff (a Manager or Site
    Administrator need not be in the ticket-staff group)."""
    acl_users = api.portal.get_tool("acl_users")
    for found in acl_users.searchUsers(email=email, exact_match=True):
        user = api.user.get(userid=found.get("userid") or found.get("id"))
        if user is not None and is_staff(user=user):
            return True
    return False


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


CC_INTRODUCTION = _(
    "mail_cc_introduction",
    default="You receive this e-mail because ${customer_name} added you "
    "(${email}) as a CC recipient of a support ticket: you will receive its "
    "updates. If you do not want them, use the link at the end of this e-mail.",
)
CC_UNSUBSCRIBE = _(
    "mail_cc_unsubscribe",
    default="You receive this e-mail as a CC recipient of this ticket. To stop "
    "receiving e-mails about it, open:\n${url}",
)


def _in_site_language(message, **mapping):
    language = (api.portal.get_default_language() or "en").split("-")[0]
    return translate(Message(message, mapping=mapping), target_language=language)


def cc_mail_text(ticket, email, text):
    """The mail ``text`` as a CC recipient gets it, and their unsubscribe URL.

    Their first mail of the ticket says who added them and why; every mail
    ends with the link that takes them off the ticket.
    """
    url = unsubscribe_url(ticket, email)
    introduced = set(getattr(aq_base(ticket), "cc_introduced", ()))
    parts = []
    if email.lower() not in introduced:
        parts.append(
            _in_site_language(
                CC_INTRODUCTION,
                customer_name=display_name(customer_of(ticket)),
                email=email,
            )
        )
        ticket.cc_introduced = tuple(sorted(introduced | {email.lower()}))
    parts.append(text.rstrip())
    parts.append("-- \n" + _in_site_language(CC_UNSUBSCRIBE, url=url))
    return "\n\n".join(parts), url


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
