"""The notification rules the add-on installs, in the site's language.

They are ordinary content rules: editors change their wording and
recipients, or switch them off, in the rules control panel. Installing
again never overwrites a rule that exists.
"""

from collective.tickets import _
from collective.tickets.contentrules.mail import TicketMailAction
from collective.tickets.interfaces import ITicketAssignedEvent
from collective.tickets.interfaces import ITicketClosedEvent
from collective.tickets.interfaces import ITicketCreatedEvent
from collective.tickets.interfaces import ITicketNoteAddedEvent
from collective.tickets.interfaces import ITicketOverdueEvent
from collective.tickets.interfaces import ITicketReminderEvent
from collective.tickets.interfaces import ITicketReopenedEvent
from collective.tickets.interfaces import ITicketReplyAddedEvent
from plone import api
from plone.app.contentrules.api import assign_rule
from plone.app.contentrules.api import unassign_rule
from plone.app.contentrules.rule import Rule
from plone.contentrules.engine.interfaces import IRuleStorage
from zope.component import queryUtility
from zope.i18n import translate


SUBJECT = _("mail_subject_numbered", default="[${ticket_number}] ${ticket_title}")
SUBJECT_FOLLOW_UP = _(
    "mail_subject_numbered_follow_up", default="Re: [${ticket_number}] ${ticket_title}"
)
# The subjects of the rules installed before tickets had numbers (1004).
OLD_SUBJECTS = {
    "mail_subject_ticket": (
        _("mail_subject_ticket", default="[Ticket] ${ticket_title}"),
        SUBJECT,
    ),
    "mail_subject_follow_up": (
        _("mail_subject_follow_up", default="Re: [Ticket] ${ticket_title}"),
        SUBJECT_FOLLOW_UP,
    ),
}
FOOTER = _(
    "mail_footer",
    default="This is an automatic message from ${ticket_url}",
)

MAIL_CLOSED_BEFORE_RATING = _(
    "mail_closed",
    default='The ticket "${ticket_title}" is now completed.\n\n${ticket_url}',
)
MAIL_CLOSED = _(
    "mail_closed_rating",
    default='The ticket "${ticket_title}" is now completed.\n\n${ticket_url}\n\n'
    "How did we do? Rate it from 1 to 5, without logging in, within 7 days:\n"
    "${ticket_rating_url}",
)

RULES = (
    {
        "id": "collective-tickets-created-customer",
        "title": _(
            "rule_created_customer", default="Ticket created: confirm to the customer"
        ),
        "event": ITicketCreatedEvent,
        "recipients": "${ticket_customer_email}",
        "subject": SUBJECT,
        "message": _(
            "mail_created_customer",
            default="Hello ${ticket_customer_name},\n\n"
            'we have received your ticket "${ticket_title}". You can follow it '
            "and reply here:\n${ticket_url}\n\nYour message:\n\n${reply_text}",
        ),
    },
    {
        "id": "collective-tickets-created",
        "title": _(
            "rule_created",
            default="Ticket created: tell the staff and the CC recipients",
        ),
        "event": ITicketCreatedEvent,
        "recipients": "${ticket_recipients}",
        "subject": SUBJECT,
        "message": _(
            "mail_created",
            default='${ticket_customer_name} opened the ticket "${ticket_title}":'
            "\n\n${reply_text}\n\n${ticket_url}",
        ),
    },
    {
        "id": "collective-tickets-reply-added",
        "title": _(
            "rule_reply_added", default="Ticket reply added: tell the other side"
        ),
        "event": ITicketReplyAddedEvent,
        "recipients": "${ticket_recipients}",
        "subject": SUBJECT_FOLLOW_UP,
        # Only the new message: quoting the conversation made every mail as
        # big as the whole ticket, sent again to every recipient.
        "message": _(
            "mail_reply_added_message_only",
            default='${reply_author_name} replied to the ticket "${ticket_title}" '
            "(${ticket_state}):\n\n${reply_text}\n\n"
            "Read the whole conversation and reply here:\n${ticket_url}",
        ),
    },
    {
        "id": "collective-tickets-closed",
        "title": _(
            "rule_closed",
            default="Ticket completed: tell the customer and the CC recipients",
        ),
        "event": ITicketClosedEvent,
        "recipients": "${ticket_recipients}",
        "subject": SUBJECT_FOLLOW_UP,
        "message": MAIL_CLOSED,
    },
    {
        "id": "collective-tickets-reopened",
        "title": _(
            "rule_reopened",
            default="Ticket reopened: tell the customer and the CC recipients",
        ),
        "event": ITicketReopenedEvent,
        "recipients": "${ticket_recipients}",
        "subject": SUBJECT_FOLLOW_UP,
        "message": _(
            "mail_reopened",
            default='The ticket "${ticket_title}" is in progress again.\n\n'
            "${ticket_url}",
        ),
    },
    {
        "id": "collective-tickets-note-added",
        "title": _(
            "rule_note_added", default="Internal note added: tell the other staff"
        ),
        "event": ITicketNoteAddedEvent,
        "recipients": "${ticket_staff_recipients}",
        "subject": _(
            "mail_subject_note",
            default="[${ticket_number}] Internal note: ${ticket_title}",
        ),
        "message": _(
            "mail_note_added",
            default="${reply_author_name} wrote an internal note on the ticket "
            '"${ticket_title}" of ${ticket_customer_name}. The customer does not '
            "see it.\n\n${reply_text}\n\nAnswer on the ticket's page, not by "
            "replying to this e-mail:\n${ticket_url}",
        ),
    },
    {
        "id": "collective-tickets-assigned",
        "title": _("rule_assigned", default="Ticket assigned: tell the assignee"),
        "event": ITicketAssignedEvent,
        "recipients": "${ticket_staff_recipients}",
        "subject": _(
            "mail_subject_assigned",
            default="[${ticket_number}] Assigned to you: ${ticket_title}",
        ),
        "message": _(
            "mail_assigned",
            default="${ticket_actor_name} assigned you the ticket "
            '"${ticket_title}" of ${ticket_customer_name} (priority: '
            "${ticket_priority}).\n\n${ticket_url}",
        ),
    },
    {
        "id": "collective-tickets-overdue",
        "title": _(
            "rule_overdue",
            default="Ticket overdue: tell the assignee (or the staff)",
        ),
        "event": ITicketOverdueEvent,
        "recipients": "${ticket_staff_recipients}",
        "subject": _(
            "mail_subject_overdue",
            default="[${ticket_number}] Overdue: ${ticket_title}",
        ),
        "message": _(
            "mail_overdue",
            default='The ticket "${ticket_title}" of ${ticket_customer_name} '
            "(priority: ${ticket_priority}) missed its target: "
            "${ticket_overdue_target}, due ${ticket_due}.\n\n${ticket_url}",
        ),
    },
    {
        "id": "collective-tickets-reminder",
        "title": _(
            "rule_reminder",
            default="Waiting on the customer: remind them",
        ),
        "event": ITicketReminderEvent,
        "recipients": "${ticket_customer_email}",
        "subject": SUBJECT_FOLLOW_UP,
        "message": _(
            "mail_reminder",
            default="Hello ${ticket_customer_name},\n\n"
            'we are waiting for your answer on the ticket "${ticket_title}". '
            "If we do not hear from you, it will be completed in a few days. "
            "You can reply to this e-mail or on the ticket's page:\n${ticket_url}",
        ),
    },
)


def in_site_language(message):
    """The text of ``message`` in the site's language, its ${...} left for the rule."""
    language = api.portal.get_default_language() or "en"
    # No mapping: the ${substitutions} are the content rule's, not ours.
    return translate(message, target_language=language.split("-")[0])


def install_rules():
    storage = queryUtility(IRuleStorage)
    portal = api.portal.get()
    for spec in RULES:
        if spec["id"] in storage:
            continue
        rule = Rule()
        rule.title = in_site_language(spec["title"])
        rule.description = ""
        rule.event = spec["event"]
        rule.enabled = True
        rule.stop = False
        action = TicketMailAction()
        action.subject = in_site_language(spec["subject"])
        action.recipients = spec["recipients"]
        action.message = "\n\n".join(
            (in_site_language(spec["message"]), in_site_language(FOOTER))
        )
        # The name the rules UI traverses to; set now, so that opening the
        # action's edit form does not write (and ask for a CSRF confirmation).
        action.__name__ = action.id = "++action++0"
        rule.actions.append(action)
        storage[spec["id"]] = rule
        assign_rule(portal, spec["id"], enabled=True, bubbles=True)


def drop_conversation_from_mails():
    """For sites installed before: a shipped rule that still quotes the whole
    conversation gets the shipped text that carries the new message only
    (the quoting is what made every mail as big as the ticket). Rules that
    do not quote it, and the editors' own rules, are left alone."""
    storage = queryUtility(IRuleStorage)
    for spec in RULES:
        rule = storage.get(spec["id"]) if storage is not None else None
        if rule is None:
            continue
        for action in rule.actions:
            if "${ticket_conversation}" in (getattr(action, "message", "") or ""):
                action.message = "\n\n".join(
                    (in_site_language(spec["message"]), in_site_language(FOOTER))
                )


def number_mail_subjects():
    """For sites installed before tickets had numbers (upgrade to 1004): a
    shipped rule whose subject is still the shipped one, in any of our
    languages, gets the numbered subject. Subjects an editor changed are
    left alone."""
    storage = queryUtility(IRuleStorage)
    if storage is None:
        return
    old = {}
    for message, new in OLD_SUBJECTS.values():
        for language in ("en", "es"):
            old[translate(message, target_language=language)] = new
    for spec in RULES:
        rule = storage.get(spec["id"])
        if rule is None:
            continue
        for action in rule.actions:
            new = old.get(getattr(action, "subject", None))
            if new is not None:
                action.subject = in_site_language(new)


def add_rating_link():
    """For sites installed before satisfaction ratings (upgrade to 1005):
    the shipped closing rule, while its text is still the shipped one in
    any of our languages, gets the text with the rating link. Texts an
    editor changed are left alone."""
    storage = queryUtility(IRuleStorage)
    rule = storage.get("collective-tickets-closed") if storage is not None else None
    if rule is None:
        return False
    shipped = {
        "\n\n".join(
            (
                translate(MAIL_CLOSED_BEFORE_RATING, target_language=language),
                translate(FOOTER, target_language=language),
            )
        )
        for language in ("en", "es")
    }
    changed = False
    for action in rule.actions:
        if getattr(action, "message", None) in shipped:
            action.message = "\n\n".join(
                (in_site_language(MAIL_CLOSED), in_site_language(FOOTER))
            )
            changed = True
    return changed


def uninstall_rules():
    storage = queryUtility(IRuleStorage)
    portal = api.portal.get()
    for spec in RULES:
        if spec["id"] in storage:
            unassign_rule(portal, spec["id"])
            del storage[spec["id"]]
