"""The "Send ticket e-mail" content rule action.

One message per recipient (no one sees the others' addresses), with a text
and an HTML part, and what lets an answer find its way back: a Reply-To
that names the ticket with a signed code, and signed Message-IDs in
threading headers (every mail of a ticket refers to the ticket's first
message, so mail clients show one thread per ticket). See
``core.mailin.tokens``.

The mail is handed to the MailHost inside the transaction: with its queue
on (the add-on turns it on at install, ``core.mailqueue``) it is written to
the queue when the change commits and delivered by a background thread,
which retries while the mail server is down; nothing is sent for a change
that is rolled back.

The rule gives the subject and the message; the parts around the message
(a CC recipient's introduction and unsubscribe link) and the HTML come from
the page templates ``ticket-mail-text`` and ``ticket-mail-html``, in the
site's language, which a site overrides as any Plone template.
"""

from Acquisition import aq_get
from collective.tickets import _
from collective.tickets import logger
from collective.tickets.content.ticket import customer_of
from collective.tickets.content.ticket import ITicket
from collective.tickets.content.ticket import ticket_of
from collective.tickets.core.mailin.tokens import mail_domain
from collective.tickets.core.mailin.tokens import new_message_id
from collective.tickets.core.mailin.tokens import reply_address
from collective.tickets.core.mailin.tokens import root_message_id
from collective.tickets.core.outgoing import mark_automatic
from collective.tickets.core.outgoing import new_message
from collective.tickets.core.outgoing import queue
from collective.tickets.core.outgoing import sender_address
from collective.tickets.core.people import display_name
from collective.tickets.core.recipients import cc_introduction_due
from collective.tickets.core.recipients import cc_only_recipients
from collective.tickets.core.recipients import record_cc_introduction
from collective.tickets.core.text import text_to_html
from collective.tickets.core.unsubscribe import unsubscribe_url
from collective.tickets.interfaces import ITicketAssignedEvent
from collective.tickets.interfaces import ITicketCreatedEvent
from collective.tickets.interfaces import ITicketNoteAddedEvent
from collective.tickets.interfaces import ITicketOverdueEvent
from email.utils import formatdate
from email.utils import make_msgid
from OFS.SimpleItem import SimpleItem
from plone import api
from plone.app.contentrules.actions import ActionAddForm
from plone.app.contentrules.actions import ActionEditForm
from plone.app.contentrules.browser.formhelper import ContentRuleFormWrapper
from plone.contentrules.rule.interfaces import IExecutable
from plone.contentrules.rule.interfaces import IRuleElementData
from plone.stringinterp.interfaces import IStringInterpolator
from zope import schema
from zope.component import adapter
from zope.globalrequest import getRequest
from zope.interface import implementer
from zope.interface import Interface


ROOT_SENT_KEY = "collective.tickets.root_message_sent"


class ITicketMailAction(Interface):
    subject = schema.TextLine(
        title=_("label_mail_subject", default="Subject"),
        description=_(
            "help_mail_subject",
            default="You can use ${ticket_title} and the other substitutions.",
        ),
        required=True,
    )
    recipients = schema.TextLine(
        title=_("label_mail_recipients", default="Recipients"),
        description=_(
            "help_mail_recipients",
            default="E-mail addresses separated by commas, or substitutions such "
            "as ${ticket_recipients}, ${ticket_customer_email}, "
            "${ticket_cc_emails} or ${ticket_staff_emails}. Each recipient gets "
            "a message of their own.",
        ),
        required=True,
    )
    message = schema.Text(
        title=_("label_mail_message", default="Message"),
        description=_(
            "help_mail_message",
            default="Plain text; it is also sent as HTML, with its links made "
            "clickable.",
        ),
        required=True,
    )


@implementer(ITicketMailAction, IRuleElementData)
class TicketMailAction(SimpleItem):
    subject = ""
    recipients = ""
    message = ""
    element = "collective.tickets.actions.Mail"

    @property
    def summary(self):
        return _(
            "summary_mail_action",
            default="Ticket e-mail to ${recipients}",
            mapping={"recipients": self.recipients},
        )


def site_language():
    return (api.portal.get_default_language() or "en").split("-")[0]


def render(name, context, **options):
    """The mail template (a view) ``name`` rendered with ``options``, in the
    site's language: the language the rules' own texts were written in."""
    # A script (or a test) may run the rules outside a published request.
    request = getRequest() or aq_get(context, "REQUEST")
    view = api.content.get_view(name=name, context=context, request=request)
    return view(language=site_language(), **options).strip()


def cc_options(ticket, email):
    """What a CC recipient's mail says besides the message: who added them,
    in their first mail of the ticket, and the link that takes them off it."""
    introduce = cc_introduction_due(ticket, email)
    if introduce:
        record_cc_introduction(ticket, email)
    return {
        "introduce": introduce,
        "customer_name": display_name(customer_of(ticket)),
        "email": email,
        "unsubscribe_url": unsubscribe_url(ticket, email),
    }


def mail_bodies(context, body, body_html, **options):
    """The text and the HTML of a mail whose message is ``body`` (and, as
    HTML, ``body_html``)."""
    text = render("ticket-mail-text", context, body=body, **options)
    html = render("ticket-mail-html", context, body_html=body_html, **options)
    return text, html


def one_line(text):
    return " ".join(str(text).split())


def is_internal(event):
    """Mail for the staff about their own work: no way back into the
    conversation (an answer would reach the customer)."""
    return any(
        interface.providedBy(event)
        for interface in (
            ITicketNoteAddedEvent,
            ITicketAssignedEvent,
            ITicketOverdueEvent,
        )
    )


def build_message(
    subject, text, html, sender, recipient, reply_to, message_id, root_id, headers=()
):
    # CRLF line ends: strict SMTP servers refuse bare LF lines as too long.
    message = new_message()
    message["Subject"] = one_line(subject)
    message["From"] = sender
    message["To"] = recipient
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    if root_id and message_id != root_id:
        message["In-Reply-To"] = root_id
        message["References"] = root_id
    # Tells vacation responders and mail loops to stay quiet.
    mark_automatic(message)
    for name, value in headers:
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


@implementer(IExecutable)
@adapter(Interface, ITicketMailAction, Interface)
class TicketMailActionExecutor:
    def __init__(self, context, element, event):
        self.context = context
        self.element = element
        self.event = event

    def __call__(self):
        obj = self.event.object
        sender = sender_address()
        if not sender:
            logger.error(
                "No ticket e-mail sent: set the site's e-mail sender address "
                "in the mail control panel."
            )
            return False
        interpolate = IStringInterpolator(obj)
        recipients = [
            address.strip()
            for address in interpolate(self.element.recipients).split(",")
            if address.strip()
        ]
        if not recipients:
            return True
        subject = interpolate(self.element.subject)
        text = interpolate(self.element.message)
        ticket = ticket_of(obj)
        if is_internal(self.event):
            # For the staff about the staff's work (a note, an assignment):
            # nothing in it may lead an answer back into the conversation,
            # where the customer would read it.
            reply_to = ""
            message_id = make_msgid(domain=mail_domain())
            root_id = None
        else:
            reply_to = reply_address(ticket) if ITicket.providedBy(ticket) else ""
            message_id = self.message_id(ticket)
            root_id = root_message_id(ticket)
        cc_only = (
            cc_only_recipients(ticket, recipients) if ITicket.providedBy(ticket) else ()
        )
        text_as_html = text_to_html(text)
        # Everyone but a CC-only recipient reads the same mail: rendered once.
        common_bodies = None
        messages = []
        for recipient in dict.fromkeys(recipients):
            headers = ()
            if recipient.lower() in cc_only:
                options = cc_options(ticket, recipient)
                bodies = mail_bodies(ticket, text, text_as_html, **options)
                # RFC 8058: mail clients offer an "Unsubscribe" button that
                # POSTs to the same link.
                headers = (
                    ("List-Unsubscribe", f"<{options['unsubscribe_url']}>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                )
            else:
                if common_bodies is None:
                    common_bodies = mail_bodies(ticket, text, text_as_html)
                bodies = common_bodies
            messages.append(
                build_message(
                    subject,
                    *bodies,
                    sender,
                    recipient,
                    reply_to,
                    message_id,
                    root_id,
                    headers,
                )
            )
        for message in messages:
            queue(message)
        return True

    def message_id(self, ticket):
        """The ticket's root id for the first mail about a new ticket, else a new one."""
        root_id = root_message_id(ticket)
        request = getRequest()
        if ITicketCreatedEvent.providedBy(self.event) and request is not None:
            sent = request.get(ROOT_SENT_KEY) or set()
            if root_id not in sent:
                request.set(ROOT_SENT_KEY, sent | {root_id})
                return root_id
        return new_message_id(ticket)


class TicketMailAddForm(ActionAddForm):
    schema = ITicketMailAction
    label = _("heading_add_mail_action", default="Add ticket e-mail action")
    description = _(
        "help_mail_action",
        default="Sends a ticket notification, threaded with the ticket's other "
        "e-mails, to each recipient separately.",
    )
    form_name = _("form_name_configure_element", default="Configure element")
    Type = TicketMailAction


class TicketMailAddFormView(ContentRuleFormWrapper):
    form = TicketMailAddForm


class TicketMailEditForm(ActionEditForm):
    schema = ITicketMailAction
    label = _("heading_edit_mail_action", default="Edit ticket e-mail action")
    description = TicketMailAddForm.description
    form_name = TicketMailAddForm.form_name


class TicketMailEditFormView(ContentRuleFormWrapper):
    form = TicketMailEditForm
