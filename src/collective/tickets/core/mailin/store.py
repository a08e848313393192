"""What of an incoming mail is stored: the new text, the files that pass
the attachment policy (inline images included), and the mail itself, as an
.eml file only the staff can open (``browser/original_mail.py``)."""

from Acquisition import aq_base
from collective.tickets import _
from collective.tickets.core.attachments import check_policy
from collective.tickets.core.attachments import make_attachment
from collective.tickets.core.conversation import ATTACHMENT_VIEW
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.mailin.quotes import new_html
from collective.tickets.core.mailin.quotes import new_text
from collective.tickets.core.message import is_blank_html
from collective.tickets.core.settings import setting
from collective.tickets.core.text import fragment_html
from collective.tickets.core.text import parse_fragment
from collective.tickets.core.text import size_in_kb
from collective.tickets.core.text import text_to_html
from dataclasses import dataclass
from dataclasses import field
from html import escape
from plone.namedfile.file import NamedBlobFile
from urllib.parse import quote
from zope.globalrequest import getRequest
from zope.i18n import translate


ORIGINAL_FILENAME = "original-message.eml"


@dataclass
class MailContent:
    """The message to store: HTML, files, and what was left out and why."""

    html: str
    files: list = field(default_factory=list)  # (filename, data, content_type)
    inline: dict = field(default_factory=dict)  # Content-ID -> index in files
    left_out: list = field(default_factory=list)  # translated reasons


def _say(message):
    return translate(message, context=getRequest())


def _accepted_files(parts):
    """The parts that pass the attachment policy, one by one, as the web
    form would take them; a reason for each one that does not."""
    files, inline, left_out = [], {}, []
    max_files = setting("max_files")
    for part in parts:
        if len(files) >= max_files:
            left_out.append(
                _say(
                    _(
                        "mail_file_over_count",
                        default="${name} (at most ${max} files per message)",
                        mapping={"name": part.filename, "max": max_files},
                    )
                )
            )
            continue
        try:
            blob = make_attachment(part.filename, part.data, part.content_type)
            check_policy([blob])
        except TicketInputError as error:
            left_out.append(_say(error.message))
            continue
        if part.content_id:
            inline[part.content_id] = len(files)
        files.append((blob.filename, part.data, blob.contentType))
    return files, inline, left_out


def _body_html(mail, strip):
    """The mail's HTML, else its text as HTML; with ``strip``, only the new
    part of it (a reply), else all of it (a new ticket, which may forward
    a whole conversation on purpose)."""
    if mail.html and not is_blank_html(mail.html):
        return new_html(mail.html) if strip else mail.html
    if mail.text and mail.text.strip():
        return text_to_html(new_text(mail.text) if strip else mail.text)
    return ""


def mail_content(mail, strip=True, left_out=()):
    """What to store of ``mail``; ``left_out`` adds reasons of the caller's."""
    files, inline, refused = _accepted_files(mail.parts)
    left_out = list(left_out) + refused
    html = _body_html(mail, strip)
    limit = setting("max_message_size")
    if size_in_kb(html) > limit:
        left_out.append(
            _say(
                _(
                    "mail_text_too_long",
                    default="the text, longer than ${max} KB: staff can read it "
                    "in the original message",
                    mapping={"max": limit},
                )
            )
        )
        html = ""
    if not html or is_blank_html(html):
        html = "<p>{}</p>".format(
            escape(
                _say(
                    _(
                        "mail_no_text",
                        default="(This e-mail had no text of its own.)",
                    )
                )
            )
        )
    if left_out:
        heading = _say(_("mail_left_out", default="Not stored from this e-mail:"))
        items = "".join(f"<li>{escape(reason)}</li>" for reason in left_out)
        html += f'<p class="mail-left-out">{escape(heading)}</p><ul>{items}</ul>'
    return MailContent(html=html, files=files, inline=inline, left_out=left_out)


def link_inline_images(content):
    """Point the message's ``cid:`` images at the attachments they became,
    by an address relative to the message that ``conversation`` completes
    when it shows the message (so it survives a move of the ticket); an
    image whose part was not stored goes."""
    if "cid:" not in content.html:
        return
    tree = parse_fragment(content.html)
    for image in tree.iter("img"):
        src = image.get("src") or ""
        if not src.lower().startswith("cid:"):
            continue
        index = content.inline.get(src[4:].strip("<>"))
        if index is None:
            image.drop_tree()
            continue
        filename = quote(content.files[index][0])
        image.set("src", f"{ATTACHMENT_VIEW}/{index}/{filename}")
    content.html = fragment_html(tree)


def keep_original(obj, mail):
    """Keep the mail with the message it became (never lose what was
    written), and its Message-ID, so the same mail is not stored twice."""
    obj.original_mail = NamedBlobFile(
        data=mail.raw, contentType="message/rfc822", filename=ORIGINAL_FILENAME
    )
    obj.mail_message_id = mail.message_id


def original_mail(obj):
    return getattr(aq_base(obj), "original_mail", None)


def received_ids(ticket):
    """The Message-IDs of the mails a ticket's messages came in as."""
    ids = [getattr(aq_base(ticket), "mail_message_id", None)]
    ids += [
        getattr(aq_base(obj), "mail_message_id", None) for obj in ticket.objectValues()
    ]
    return [value for value in ids if value]
