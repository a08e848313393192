from collective.tickets import _
from plone.app.z3cform.widgets.text import TextLinesFieldWidget
from plone.autoform import directives
from plone.supermodel import model
from z3c.form.browser.password import PasswordFieldWidget
from zope import schema
from zope.interface import Attribute
from zope.interface import Invalid
from zope.interface.interfaces import IObjectEvent
from zope.publisher.interfaces.browser import IDefaultBrowserLayer

import re


# What happens to a customer's tickets when their data goes (core.privacy;
# the vocabulary "collective.tickets.ErasureActions" names them).
ANONYMISE = "anonymise"
DELETE = "delete"


class ICollectiveTicketsLayer(IDefaultBrowserLayer):
    """Marker for the requests of a site that has collective.tickets installed."""


DEFAULT_ALLOWED_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/zip",
)


_CATEGORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


def valid_category_id(value):
    if not _CATEGORY_ID.match(value or ""):
        raise Invalid(
            _(
                "error_category_id",
                default="'${value}' is not a valid short name: use lower-case "
                "letters, digits and hyphens (at most 50), for example "
                "'billing'.",
                mapping={"value": value},
            )
        )
    return True


def parse_translations(value):
    """``{"es": "Facturación"}`` for "es: Facturación"; raises ValueError
    naming the part it cannot read."""
    names = {}
    for part in (value or "").split(";"):
        if not part.strip():
            continue
        language, sep, name = part.partition(":")
        language = language.strip().lower()
        if (
            not sep
            or not re.match(r"^[a-z]{2}(-[a-z]{2})?$", language)
            or not (name.strip())
        ):
            raise ValueError(part.strip())
        names[language] = name.strip()
    return names


def valid_category_translations(value):
    try:
        parse_translations(value)
    except ValueError as error:
        raise Invalid(
            _(
                "error_category_translations",
                default="'${part}' is not a language code, a colon and a name, "
                "as in 'es: Facturación'.",
                mapping={"part": str(error)},
            )
        ) from None
    return True


def parse_category_line(line):
    """``{"id", "title", "titles"}`` of one line of the categories setting,
    "billing | Billing | es: Facturación"; raises Invalid saying what is
    wrong with it."""
    parts = [part.strip() for part in line.split("|")]
    if len(parts) not in (2, 3) or not parts[1]:
        raise Invalid(
            _(
                "error_category_line",
                default="'${line}' is not a category: write the short name, a "
                "bar and the name, and optionally a bar and the names in other "
                "languages, as in 'billing | Billing | es: Facturación'.",
                mapping={"line": line},
            )
        )
    valid_category_id(parts[0])
    translations = parts[2] if len(parts) == 3 else ""
    valid_category_translations(translations)
    return {
        "id": parts[0],
        "title": parts[1],
        "titles": parse_translations(translations),
    }


def valid_categories(lines):
    seen = set()
    for line in lines or ():
        category = parse_category_line(line)
        if category["id"] in seen:
            raise Invalid(
                _(
                    "error_category_twice",
                    default="The short name '${value}' is used twice: each "
                    "category needs its own.",
                    mapping={"value": category["id"]},
                )
            )
        seen.add(category["id"])
    return True


def valid_hours(value):
    from collective.tickets.core.businesshours import HoursError
    from collective.tickets.core.businesshours import parse_ranges

    try:
        parse_ranges(value)
    except HoursError as error:
        raise Invalid(
            _(
                "error_business_hours",
                default="'${part}' is not a range of opening hours: write them "
                "as '09:00-17:00', several separated by commas and not "
                "overlapping, as in '09:00-14:00, 15:30-18:00'; leave it empty "
                "for a closed day.",
                mapping={"part": error.text},
            )
        ) from None
    return True


def valid_holidays(lines):
    from collective.tickets.core.businesshours import HoursError
    from collective.tickets.core.businesshours import parse_holiday

    for line in lines or ():
        try:
            parse_holiday(line)
        except HoursError:
            raise Invalid(
                _(
                    "error_holiday",
                    default="'${line}' is not a holiday: write the date as "
                    "year-month-day, optionally followed by a name, as in "
                    "'2026-12-25 Christmas'.",
                    mapping={"line": line},
                )
            ) from None
    return True


class ITicketSettings(model.Schema):
    """The add-on's settings, as plone.registry records ("Tickets settings")."""

    max_file_size = schema.Int(
        title=_("label_max_file_size", default="Maximum size of a file (MB)"),
        description=_(
            "help_max_file_size",
            default="Larger attachments are refused, naming the file and the limit.",
        ),
        min=1,
        default=10,
        required=True,
    )

    max_files = schema.Int(
        title=_("label_max_files", default="Maximum files per message"),
        min=1,
        default=10,
        required=True,
    )

    directives.widget("allowed_types", TextLinesFieldWidget)
    allowed_types = schema.List(
        title=_("label_allowed_types", default="Allowed file types"),
        description=_(
            "help_allowed_types",
            default="MIME types, one per line. The type is read from the file's "
            "content, not from its name: a program renamed to .pdf is refused.",
        ),
        value_type=schema.TextLine(),
        default=list(DEFAULT_ALLOWED_TYPES),
        required=True,
    )

    customers_may_close = schema.Bool(
        title=_(
            "label_customers_may_close", default="Customers may close their tickets"
        ),
        description=_(
            "help_customers_may_close",
            default="If not, only the staff close tickets.",
        ),
        default=True,
        required=False,
    )

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

    # Reply by e-mail: how mail from outside reaches the tickets.
    model.fieldset(
        "mail_in",
        label=_("fieldset_mail_in", default="Reply by e-mail"),
        fields=[
            "support_address",
            "plus_addressing",
            "unknown_senders_may_open",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_password",
            "imap_folder",
            "imap_processed_folder",
            "imap_refused_folder",
        ],
    )

    support_address = schema.TextLine(
        title=_("label_support_address", default="Support address"),
        description=_(
            "help_support_address",
            default="The address customers write to (soporte@example.com). "
            "Notifications name it as their Reply-To, and mail to it opens or "
            "answers tickets. Leave it empty to use the Reply-To address above, "
            "or else the site's e-mail sender address.",
        ),
        required=False,
        default="",
    )

    plus_addressing = schema.Bool(
        title=_(
            "label_plus_addressing",
            default="Name the ticket in the Reply-To address (soporte+code@...)",
        ),
        description=_(
            "help_plus_addressing",
            default="Each notification's Reply-To carries a signed code of its "
            "ticket after a plus sign. The mail server must deliver "
            "soporte+anything@ to soporte@ (most do). If it cannot, replies are "
            "matched by their In-Reply-To and References headers only.",
        ),
        default=True,
        required=False,
    )

    unknown_senders_may_open = schema.Bool(
        title=_(
            "label_unknown_senders_may_open",
            default="Senders without an account may open tickets by e-mail",
        ),
        description=_(
            "help_unknown_senders_may_open",
            default="If set, a mail from an unknown address creates an account "
            "for its sender and opens a ticket in it. If not, such mail is "
            "refused and nothing of it is stored.",
        ),
        default=False,
        required=False,
    )

    imap_host = schema.TextLine(
        title=_("label_imap_host", default="Mailbox server (IMAP)"),
        description=_(
            "help_imap_host",
            default="Leave it empty when mail arrives through the mail server's "
            "pipe or a webhook (@@mail-in) instead.",
        ),
        required=False,
        default="",
    )

    imap_port = schema.Int(
        title=_("label_imap_port", default="Port"),
        description=_("help_imap_port", default="993 for TLS, 143 otherwise."),
        min=1,
        max=65535,
        default=993,
        required=True,
    )

    imap_security = schema.Choice(
        title=_("label_imap_security", default="Connection security"),
        vocabulary="collective.tickets.ImapSecurity",
        default="tls",
        required=True,
    )

    imap_user = schema.TextLine(
        title=_("label_imap_user", default="Mailbox user"),
        required=False,
        default="",
    )

    directives.widget("imap_password", PasswordFieldWidget)
    imap_password = schema.TextLine(
        title=_("label_imap_password", default="Mailbox password"),
        description=_(
            "help_imap_password",
            default="Stored in the site's registry, readable by its managers.",
        ),
        required=False,
        default="",
    )

    imap_folder = schema.TextLine(
        title=_("label_imap_folder", default="Folder to read"),
        default="INBOX",
        required=True,
    )

    imap_processed_folder = schema.TextLine(
        title=_("label_imap_processed_folder", default="Folder for processed mail"),
        description=_(
            "help_imap_processed_folder",
            default="Mail that was stored or deliberately dropped is moved here.",
        ),
        default="Processed",
        required=True,
    )

    imap_refused_folder = schema.TextLine(
        title=_("label_imap_refused_folder", default="Folder for refused mail"),
        description=_(
            "help_imap_refused_folder",
            default="Mail that was refused (a stranger, a forged code) is moved "
            "here. Mail that failed with an error stays in the folder read, for "
            "the next run.",
        ),
        default="Refused",
        required=True,
    )

    # Abuse limits: a customer account must not become a spam relay.
    model.fieldset(
        "limits",
        label=_("fieldset_limits", default="Limits"),
        fields=[
            "max_tickets_per_hour",
            "max_tickets_per_day",
            "max_cc_per_hour",
            "max_cc_per_day",
            "cc_own_domain_only",
            "max_message_size",
            "max_image_megapixels",
        ],
    )

    max_tickets_per_hour = schema.Int(
        title=_(
            "label_max_tickets_per_hour", default="Tickets a customer may open per hour"
        ),
        description=_(
            "help_max_tickets_per_hour",
            default="Staff are not limited. 0 means no limit.",
        ),
        min=0,
        default=10,
        required=True,
    )

    max_tickets_per_day = schema.Int(
        title=_(
            "label_max_tickets_per_day", default="Tickets a customer may open per day"
        ),
        description=_(
            "help_max_tickets_per_day",
            default="Staff are not limited. 0 means no limit.",
        ),
        min=0,
        default=30,
        required=True,
    )

    max_cc_per_hour = schema.Int(
        title=_(
            "label_max_cc_per_hour",
            default="CC addresses a customer may add per hour",
        ),
        description=_(
            "help_max_cc_per_hour",
            default="Counted over all of the customer's new tickets. 0 means no limit.",
        ),
        min=0,
        default=20,
        required=True,
    )

    max_cc_per_day = schema.Int(
        title=_(
            "label_max_cc_per_day",
            default="CC addresses a customer may add per day",
        ),
        description=_(
            "help_max_cc_per_day",
            default="Counted over all of the customer's new tickets. 0 means no limit.",
        ),
        min=0,
        default=50,
        required=True,
    )

    cc_own_domain_only = schema.Bool(
        title=_(
            "label_cc_own_domain_only",
            default="CC addresses only in the customer's own e-mail domain",
        ),
        description=_(
            "help_cc_own_domain_only",
            default="If set, a customer whose address is ana@example.com may only "
            "copy addresses @example.com. Staff are not limited.",
        ),
        default=False,
        required=False,
    )

    max_message_size = schema.Int(
        title=_("label_max_message_size", default="Maximum size of a message (KB)"),
        description=_(
            "help_max_message_size",
            default="The text of one message, as written in the editor. Files "
            "have their own limit.",
        ),
        min=1,
        default=200,
        required=True,
    )

    max_image_megapixels = schema.Int(
        title=_(
            "label_max_image_megapixels",
            default="Maximum size of an image (megapixels)",
        ),
        description=_(
            "help_max_image_megapixels",
            default="Larger images are refused: a small file can hold a huge "
            "picture that costs the server seconds to scale.",
        ),
        min=1,
        default=50,
        required=True,
    )

    # Privacy and hardening.
    model.fieldset(
        "security",
        label=_("fieldset_security", default="Privacy and security"),
        fields=[
            "restrict_user_listing",
            "protect_widget_traversal",
            "on_member_deleted",
            "erasure_remove_attachments",
            "retention_months",
            "retention_action",
        ],
    )

    restrict_user_listing = schema.Bool(
        title=_(
            "label_restrict_user_listing",
            default="Only staff may list or search the site's users",
        ),
        description=_(
            "help_restrict_user_listing",
            default="A helpdesk must not give one customer the list of the "
            "others: user searches, vocabularies, the sharing page and author "
            "pages answer only to staff.",
        ),
        default=True,
        required=False,
    )

    protect_widget_traversal = schema.Bool(
        title=_(
            "label_protect_widget_traversal",
            default="Protect form widget URLs on the whole site",
        ),
        description=_(
            "help_protect_widget_traversal",
            default="Checks the form's permission before any ++widget++ URL "
            "answers, for every content type, not only tickets. Tickets are "
            "always protected.",
        ),
        default=True,
        required=False,
    )

    on_member_deleted = schema.Choice(
        title=_(
            "label_on_member_deleted",
            default="When a member is deleted in Plone's user management",
        ),
        description=_(
            "help_on_member_deleted",
            default="Their tickets are either kept for the help desk's records "
            "and anonymised (names, addresses and CC recipients cut out; mail "
            "from their address refused), or deleted with them.",
        ),
        vocabulary="collective.tickets.ErasureActions",
        default=ANONYMISE,
        required=True,
    )

    erasure_remove_attachments = schema.Bool(
        title=_(
            "label_erasure_remove_attachments",
            default="Delete the attachments of tickets anonymised automatically",
        ),
        description=_(
            "help_erasure_remove_attachments",
            default="For a deleted member and for the retention below. Files "
            "can hold names, addresses and signatures.",
        ),
        default=False,
        required=False,
    )

    retention_months = schema.Int(
        title=_(
            "label_retention_months", default="Keep completed tickets for (months)"
        ),
        description=_(
            "help_retention_months",
            default="Tickets completed longer ago are anonymised or deleted by "
            "the periodic job, as chosen below. 0 keeps them for ever.",
        ),
        min=0,
        default=0,
        required=True,
    )

    retention_action = schema.Choice(
        title=_(
            "label_retention_action", default="What happens to them after that time"
        ),
        vocabulary="collective.tickets.ErasureActions",
        default=ANONYMISE,
        required=True,
    )

    # The staff desk.
    model.fieldset(
        "desk",
        label=_("fieldset_desk", default="Staff desk"),
        fields=["categories"],
    )

    directives.widget("categories", TextLinesFieldWidget)
    categories = schema.List(
        title=_("label_categories", default="Categories"),
        description=_(
            "help_categories",
            default="One per line: a short name (kept with the tickets: do not "
            "change it once used), a bar, the name, and optionally a bar and "
            "the names in other languages, as in 'billing | Billing | es: "
            "Facturación'. The customer picks one when opening a ticket (none "
            "is asked while the list is empty); the staff filter the overview "
            "by them.",
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
        missing_value=[],
        constraint=valid_categories,
    )

    model.fieldset(
        "service",
        label=_("fieldset_service", default="Service levels"),
        description=_(
            "help_fieldset_service",
            default="Targets for the staff's first answer and for closing a "
            "ticket, in business hours: only the opening hours below count, "
            "in the site's time zone (Date and Time settings), and the clock "
            "stops while a ticket waits on the customer. Leave a target empty "
            "for none.",
        ),
        fields=[
            "hours_monday",
            "hours_tuesday",
            "hours_wednesday",
            "hours_thursday",
            "hours_friday",
            "hours_saturday",
            "hours_sunday",
            "holidays",
            "first_response_low",
            "first_response_normal",
            "first_response_high",
            "first_response_urgent",
            "resolution_low",
            "resolution_normal",
            "resolution_high",
            "resolution_urgent",
        ],
    )

    hours_monday = schema.TextLine(
        title=_("label_hours_monday", default="Monday"),
        required=False,
        default="09:00-17:00",
        missing_value="",
        constraint=valid_hours,
    )

    hours_tuesday = schema.TextLine(
        title=_("label_hours_tuesday", default="Tuesday"),
        required=False,
        default="09:00-17:00",
        missing_value="",
        constraint=valid_hours,
    )

    hours_wednesday = schema.TextLine(
        title=_("label_hours_wednesday", default="Wednesday"),
        required=False,
        default="09:00-17:00",
        missing_value="",
        constraint=valid_hours,
    )

    hours_thursday = schema.TextLine(
        title=_("label_hours_thursday", default="Thursday"),
        required=False,
        default="09:00-17:00",
        missing_value="",
        constraint=valid_hours,
    )

    hours_friday = schema.TextLine(
        title=_("label_hours_friday", default="Friday"),
        required=False,
        default="09:00-17:00",
        missing_value="",
        constraint=valid_hours,
    )

    hours_saturday = schema.TextLine(
        title=_("label_hours_saturday", default="Saturday"),
        required=False,
        default="",
        missing_value="",
        constraint=valid_hours,
    )

    hours_sunday = schema.TextLine(
        title=_("label_hours_sunday", default="Sunday"),
        required=False,
        default="",
        missing_value="",
        constraint=valid_hours,
    )

    directives.widget("holidays", TextLinesFieldWidget)
    holidays = schema.List(
        title=_("label_holidays", default="Holidays"),
        description=_(
            "help_holidays",
            default="Days without business hours, one per line as "
            "year-month-day, optionally followed by a name: '2026-12-25 "
            "Christmas'.",
        ),
        value_type=schema.TextLine(),
        required=False,
        default=[],
        missing_value=[],
        constraint=valid_holidays,
    )

    first_response_low = schema.Float(
        title=_(
            "label_first_response_low",
            default="First response target, low priority (hours)",
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    first_response_normal = schema.Float(
        title=_(
            "label_first_response_normal",
            default="First response target, normal priority (hours)",
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    first_response_high = schema.Float(
        title=_(
            "label_first_response_high",
            default="First response target, high priority (hours)",
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    first_response_urgent = schema.Float(
        title=_(
            "label_first_response_urgent",
            default="First response target, urgent priority (hours)",
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    resolution_low = schema.Float(
        title=_(
            "label_resolution_low", default="Resolution target, low priority (hours)"
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    resolution_normal = schema.Float(
        title=_(
            "label_resolution_normal",
            default="Resolution target, normal priority (hours)",
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    resolution_high = schema.Float(
        title=_(
            "label_resolution_high", default="Resolution target, high priority (hours)"
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    resolution_urgent = schema.Float(
        title=_(
            "label_resolution_urgent",
            default="Resolution target, urgent priority (hours)",
        ),
        required=False,
        min=0.01,
        missing_value=None,
    )

    model.fieldset(
        "autoclose",
        label=_("fieldset_autoclose", default="Automatic closing"),
        fields=["remind_after_days", "close_after_days"],
    )

    remind_after_days = schema.Int(
        title=_(
            "label_remind_after_days",
            default="Remind the customer after this many days without an answer",
        ),
        description=_(
            "help_remind_after_days",
            default="When a ticket has waited on the customer this long, they "
            'get a reminder (the rule "Waiting on the customer: remind them"). '
            "0 turns reminders and automatic closing off. Staff can exempt a "
            "ticket on its page.",
        ),
        required=True,
        default=0,
        min=0,
        max=365,
    )

    close_after_days = schema.Int(
        title=_(
            "label_close_after_days",
            default="Close it after this many more days",
        ),
        description=_(
            "help_close_after_days",
            default="Days after the reminder without an answer from the "
            "customer, after which the ticket is completed, with a line in its "
            "conversation and the usual notification.",
        ),
        required=True,
        default=7,
        min=1,
        max=365,
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


class ITicketNoteAddedEvent(ITicketEvent):
    """A staff member wrote an internal note; ``object`` is the note. Only
    the staff may hear of it."""


class ITicketAssignedEvent(ITicketEvent):
    """A staff member assigned the ticket to someone (``assignee``, a user
    id) or took it."""

    assignee = Attribute("The user id the ticket is assigned to now")


class ITicketOverdueEvent(ITicketEvent):
    """A service-level target of the ticket passed its due time without
    being met (found by the periodic job; once per ticket and target)."""

    target = Attribute("'first_response' or 'resolution'")
    due = Attribute("When it fell due (an aware datetime)")


class ITicketReminderEvent(ITicketEvent):
    """The ticket has waited on its customer for the days of the settings:
    remind them (found by the periodic job)."""
