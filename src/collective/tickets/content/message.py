"""The fields a ticket's first message and every reply share."""

from collective.tickets import _
from collective.tickets.errors import as_validation_error
from collective.tickets.errors import TicketInputError
from collective.tickets.errors import TicketValidationError
from collective.tickets.settings import setting
from collective.tickets.textutils import shows_nothing
from collective.tickets.textutils import size_in_kb
from collective.tickets.textutils import without_control_characters
from plone.app.textfield import RichText
from plone.app.textfield.interfaces import TransformError
from plone.app.textfield.value import RichTextValue
from plone.namedfile.interfaces import INamedFile
from zope import schema


# Above this, a subject stops being a subject.
SUBJECT_MAX_LENGTH = 200

SUBJECT_ONE_LINE = _(
    "error_subject_one_line", default="The subject must be a single line."
)


def single_line_subject(value):
    """The subject field's constraint, in place of TextLine's own, whose
    error only says "Constraint not satisfied"."""
    if "\n" in value or "\r" in value:
        raise TicketValidationError(SUBJECT_ONE_LINE)
    return True


def message_value(raw):
    """The stored form of a message: HTML, shown through the safe-HTML filter."""
    return RichTextValue(raw, "text/html", "text/x-html-safe")


def is_blank_html(html):
    """True when the message would show empty: judged on what the safe-HTML
    filter leaves of it, so an <iframe>, <video>, <object> or <script> alone
    is no message."""
    if not html or not html.strip():
        return True
    return shows_nothing(message_value(without_control_characters(html)).output)


def check_message_html(raw):
    """TicketInputError unless ``raw`` (the HTML as sent) is within the
    ``max_message_size`` setting (KB of UTF-8) and shows something."""
    # The size first: a huge text must not cost the filter's time.
    size, limit = size_in_kb(raw), setting("max_message_size")
    if size > limit:
        raise TicketInputError(
            _(
                "error_message_too_large",
                default="The message is ${size} KB; at most ${max} KB are "
                "allowed. Attach long texts as a file.",
                mapping={"size": size, "max": limit},
            ),
            field="text",
        )
    try:
        blank = is_blank_html(raw)
    except TransformError:
        # Plone's filters fail on some markup (a <picture> without <img>).
        raise TicketInputError(
            _(
                "error_message_unreadable",
                default="The message could not be read as HTML: remove unusual "
                "elements (such as <picture>) or paste it as plain text.",
            ),
            field="text",
        ) from None
    if blank:
        raise TicketInputError(
            _("error_message_missing", default="Write a message."), field="text"
        )


def valid_message(value):
    """The text field's constraint: the forms that edit a message, and
    plone.restapi's PATCH, refuse what the Python API refuses."""
    raw = value.raw if isinstance(value, RichTextValue) else value
    try:
        check_message_html(raw or "")
    except TicketInputError as error:
        raise as_validation_error(error) from error
    return True


def message_text_field(description):
    return RichText(
        title=_("label_message", default="Message"),
        description=description,
        required=True,
        constraint=valid_message,
        default_mime_type="text/html",
        output_mime_type="text/x-html-safe",
        allowed_mime_types=("text/html",),
    )


def attachments_field():
    return schema.List(
        title=_("label_attachments", default="Attachments"),
        description=_(
            "help_attachments",
            default="Files or images that help us understand the request.",
        ),
        value_type=schema.Object(schema=INamedFile),
        required=False,
        default=[],
        missing_value=[],
    )
