"""A message (a ticket's first one or a reply): its subject, text and files,
checked before anything is stored."""

from collective.tickets import _
from collective.tickets.core.attachments import check_policy
from collective.tickets.core.attachments import make_attachment
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.settings import setting
from collective.tickets.core.text import run_output_filters
from collective.tickets.core.text import safe_html
from collective.tickets.core.text import shows_nothing
from collective.tickets.core.text import size_in_kb
from collective.tickets.core.text import without_control_characters
from plone.app.textfield.interfaces import TransformError
from plone.app.textfield.value import RichTextValue
from plone.namedfile.interfaces import INamedFile


# Above this, a subject stops being a subject.
SUBJECT_MAX_LENGTH = 200

SUBJECT_ONE_LINE = _(
    "error_subject_one_line", default="The subject must be a single line."
)


def single_line_subject(value):
    """The subject field's constraint, in place of TextLine's own, whose
    error only says "Constraint not satisfied"."""
    if "\n" in value or "\r" in value:
        raise TicketInputError(SUBJECT_ONE_LINE, field="title")
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
    # The filter by name (``text._transform``): a RichTextValue's output
    # would also look up the transform path, run the output filters and ask
    # the catalog for its counter (which indexes whatever is queued).
    try:
        shown = safe_html(without_control_characters(html))
        # Only to know that a page could show it: what is blank is judged
        # on the filter's result (the image filter would give an <img>
        # without address the site's own).
        run_output_filters(shown)
    except TransformError:
        raise
    except Exception as error:  # noqa: BLE001 - as plone.app.textfield reports it
        raise TransformError(f"safe_html failed: {error}") from error
    return shows_nothing(shown)


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
    check_message_html(raw or "")
    return True


def clean_subject(subject):
    text = subject if isinstance(subject, str) else ""
    if any(ch in text for ch in "\r\n"):
        raise TicketInputError(SUBJECT_ONE_LINE, field="title")
    text = " ".join(without_control_characters(text).split())
    if not text:
        raise TicketInputError(
            _("error_subject_missing", default="Enter a subject for the ticket."),
            field="title",
        )
    if len(text) > SUBJECT_MAX_LENGTH:
        raise TicketInputError(
            _(
                "error_subject_too_long",
                default="The subject has ${length} characters; at most ${max} "
                "are allowed.",
                mapping={"length": len(text), "max": SUBJECT_MAX_LENGTH},
            ),
            field="title",
        )
    return text


def clean_text(text):
    """A RichTextValue for the message, or TicketInputError when there is none
    or it is larger than the ``max_message_size`` setting (KB of UTF-8)."""
    if isinstance(text, RichTextValue):
        raw = text.raw
    elif isinstance(text, str):
        raw = text
    else:
        raw = None
    if raw is None:
        raise TicketInputError(
            _("error_message_missing", default="Write a message."), field="text"
        )
    check_message_html(raw)
    return message_value(without_control_characters(raw))


def clean_attachments(attachments):
    """Blobs for the attachments, given as (filename, data, content_type) or files."""
    blobs = []
    for item in attachments or ():
        if INamedFile.providedBy(item):
            blobs.append(make_attachment(item.filename, item.data, item.contentType))
            continue
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise TicketInputError(
                _(
                    "error_attachment_format",
                    default="An attachment must be (filename, data, content_type).",
                ),
                field="attachments",
            )
        filename, data = item[0], item[1]
        content_type = item[2] if len(item) == 3 else None
        blobs.append(make_attachment(filename, data, content_type))
    check_policy(blobs)
    return blobs
