"""A customer's copy of their tickets (the GDPR's rights of access and to
data portability): one ZIP holding each conversation as a readable HTML page
with its attachments, an ``index.html`` listing them, and ``tickets.json``
with the same data for machines.

Only what the customer reads on their own ticket pages goes in: their
messages, the staff's replies and the files of both, never an internal note
or the staff's handling (assignee, priority, history).

The archive is written to a temporary file one ticket at a time: each
attachment is copied from its blob in chunks, the JSON records go to a
second temporary file, and each ticket leaves the ZODB cache once written,
so 1,000 tickets with files need the memory of one.
"""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets.content.ticket import customer_of
from collective.tickets.core.conversation import ATTACHMENT_VIEW
from collective.tickets.core.conversation import conversation
from collective.tickets.core.dates import localized
from collective.tickets.core.numbers import number as ticket_number
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.privacy import access
from collective.tickets.core.queries import base_query
from collective.tickets.core.states import state_title
from collective.tickets.core.states import workflow_state
from collective.tickets.core.text import fragment_html
from collective.tickets.core.text import parse_fragment
from datetime import datetime
from datetime import UTC
from html import escape
from plone import api
from plone.base.utils import human_readable_size
from plone.i18n.normalizer.interfaces import IFileNameNormalizer
from plone.i18n.normalizer.interfaces import IIDNormalizer
from urllib.parse import quote
from zope.component import queryUtility
from zope.globalrequest import getRequest
from zope.i18n import translate
from zope.i18nmessageid import Message

import json
import re
import shutil
import tempfile
import zipfile


CHUNK = 1 << 16
# Past this size the temporary files leave memory for the disk.
SPOOL = 1 << 20
# Folder and file names in the archive stay short: Windows still refuses
# paths of more than 260 characters when it unpacks one.
SLUG_LENGTH = 40
NAME_LENGTH = 80
# What Plone's file name normaliser lets through but a file name on some
# system cannot hold or a link would misread: blanks, control characters,
# "#". Dashes go too, so that a run of them becomes one.
_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9_.]+")
_NOT_IN_EXTENSIONS = re.compile(r"[^A-Za-z0-9_]+")

EXPORT_TITLE = _("export_title", default="Your support tickets")
EXPORT_INTRO = _(
    "export_intro",
    default="A copy of the support tickets of ${name}, made on ${date}: each "
    "conversation with its attachments. tickets.json holds the same data for "
    "programs.",
)
LABEL_ALL = _("export_all_tickets", default="All tickets")
LABEL_STATE = _("export_state", default="State")
LABEL_OPENED = _("export_opened", default="Opened")
LABEL_CC = _("label_cc_recipients", default="CC recipients")
LABEL_STAFF = _("export_staff", default="Support staff")
LABEL_NO_TICKETS = _("export_no_tickets", default="There are no tickets.")

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.5;color:#212529}"
    "article{border:1px solid #dee2e6;border-radius:.5rem;padding:1rem;"
    "margin:1rem 0}article.staff{background:#f1f6fd}"
    "header{color:#6c757d;margin-bottom:.5rem}dt{font-weight:bold}"
    "img{max-width:100%}"
)


def may_export(userid):
    """Whether the current user may export ``userid``'s tickets: the
    customer themselves, or the staff."""
    me = current_userid()
    return bool(userid) and me is not None and (me == userid or is_staff())


def export_customer(userid):
    """The ZIP of ``userid``'s tickets, as a temporary file open for reading
    at its start (closing it deletes it).

    Raises ``Unauthorized`` unless the current user is that customer or the
    staff.
    """
    if not may_export(userid):
        raise Unauthorized("Only the customer themselves and the staff may export.")
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog(
        sort_on="created",
        sort_order="ascending",
        **dict(base_query(), ticket_customer=userid),
    )
    # Handed to the caller open: whoever sends it closes it.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
    try:
        _write_archive(out, userid, brains)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _write_archive(out, userid, brains):
    language = _language()
    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.SpooledTemporaryFile(
            max_size=SPOOL, mode="w+", encoding="utf-8"
        ) as records,
    ):
        rows = []
        # The staff's copy of a customer's tickets is an access to each of
        # them (the customer's own is not recorded).
        staff = is_staff()
        records.write("[")
        for position, brain in enumerate(brains, start=1):
            ticket = brain.getObject()
            if customer_of(ticket) != userid:
                continue
            record, row = _write_ticket(archive, ticket, position, language)
            access.record_access(ticket, access.EXPORT, staff=staff)
            if rows:
                records.write(",\n")
            json.dump(record, records, ensure_ascii=False)
            rows.append(row)
            # Its messages and blobs are not needed again.
            ticket._p_jar.cacheGC()
        records.write("]\n")
        records.seek(0)
        with archive.open("tickets.json", "w") as target:
            _copy_text(records, target)
        archive.writestr("index.html", _index_html(userid, rows, language))


def _language():
    request = getRequest()
    language = request.get("LANGUAGE") if request is not None else None
    return language or api.portal.get_default_language() or "en"


def _t(message, **mapping):
    if mapping:
        message = Message(message, mapping=mapping)
    return translate(message, context=getRequest())


def _copy_text(source, target):
    while True:
        text = source.read(CHUNK)
        if not text:
            return
        target.write(text.encode("utf-8"))


def _slug(title):
    """The ticket's folder name after its number: the subject in lowercase
    ASCII letters, digits and dashes, cut at a dash where it can be."""
    normalizer = queryUtility(IIDNormalizer)
    if normalizer is None:
        return "ticket"
    return normalizer.normalize(title or "", max_length=SLUG_LENGTH) or "ticket"


def _file_name(filename):
    """An attachment's name in the archive: ASCII that every system can
    unpack and every link can hold, with the file's extension.

    A mailed-in file is named by whoever sent it, so the name may hold
    quotes and angle brackets, characters Windows refuses (":", "?", "*", a
    backslash) or end in a dot. The number before it in the path keeps it apart
    from the message's other files and from names Windows reserves ("CON").
    """
    normalizer = queryUtility(IFileNameNormalizer)
    name = ""
    if normalizer is not None:
        name = normalizer.normalize(filename or "", max_length=NAME_LENGTH)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = _NOT_IN_NAMES.sub("-", stem).strip(".-") or "file"
    extension = _NOT_IN_EXTENSIONS.sub("", extension)[:16]
    return f"{stem}.{extension}" if extension else stem


def _write_ticket(archive, ticket, position, language):
    """Write one ticket's folder; its JSON record and its index row."""
    number = ticket_number(ticket)
    folder = f"{number or position:05d}-{_slug(ticket.Title())}"
    messages = []
    articles = []
    for index, message in enumerate(conversation(ticket)):
        files = []
        paths = {}
        for attachment in message.attachments:
            name = _file_name(attachment.filename)
            path = f"attachments/{index}-{attachment.index}-{name}"
            paths[attachment.index] = path
            blob = message.obj.attachments[attachment.index]
            with blob.open() as source, archive.open(f"{folder}/{path}", "w") as target:
                shutil.copyfileobj(source, target, CHUNK)
            files.append(
                {
                    "filename": attachment.filename,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "path": path,
                }
            )
        text = _local_links(message.text, message.obj.absolute_url(), paths)
        messages.append(
            {
                "author": message.author_name,
                "author_email": message.author_email,
                "author_is_staff": message.author_is_staff,
                "date": message.date.isoformat(),
                "html": text,
                "attachments": files,
            }
        )
        articles.append(_article_html(message, text, files))
    state = workflow_state(ticket)
    cc = [
        {"email": row.get("email") or "", "name": row.get("name") or ""}
        for row in ticket.cc_recipients or ()
    ]
    created = ticket.created().asdatetime()
    record = {
        "number": number,
        "subject": ticket.Title(),
        "state": state,
        "created": created.isoformat(),
        "customer": customer_of(ticket),
        "cc_recipients": cc,
        "folder": folder,
        "messages": messages,
    }
    title = f"{number_label(number)} {ticket.Title()}".strip()
    archive.writestr(
        f"{folder}/conversation.html",
        _page(
            language,
            title,
            f'<p><a href="../index.html">{escape(_t(LABEL_ALL))}</a></p>'
            f"<h1>{escape(title)}</h1>"
            f"<dl><dt>{escape(_t(LABEL_STATE))}</dt>"
            f"<dd>{escape(_t(state_title(state)))}</dd>"
            f"<dt>{escape(_t(LABEL_OPENED))}</dt>"
            f"<dd>{escape(localized(created))}</dd>"
            + (
                f"<dt>{escape(_t(LABEL_CC))}</dt><dd>"
                + ", ".join(escape(_cc_label(row)) for row in cc)
                + "</dd>"
                if cc
                else ""
            )
            + "</dl>"
            + "".join(articles),
        ),
    )
    row = {
        "title": title,
        "href": f"{folder}/conversation.html",
        "state": _t(state_title(state)),
        "created": localized(created),
    }
    return record, row


def _own_attachment(message_url):
    """Matches an address of one of the message's own attachments, absolute
    or relative to the message (as ``conversation`` knows them), its group
    the attachment's number."""
    return re.compile(
        rf"(?:{re.escape(message_url)}/)?{re.escape(ATTACHMENT_VIEW)}/([0-9]+)"
        r"(?:[/?#]|$)"
    )


def _local_links(html, message_url, paths):
    """``html`` with its inline images of, and links to, the message's own
    attachments pointing to their copies in the archive (``paths``, by
    attachment number): the archive's pages open without the site.

    The HTML is parsed and written again, never searched and replaced, so a
    path cannot leave its attribute whatever the file was called.
    """
    if not paths or not html or ATTACHMENT_VIEW not in html:
        return html
    own = _own_attachment(message_url)
    root = parse_fragment(html)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("src", "href"):
            found = own.match((element.get(attribute) or "").strip())
            path = paths.get(int(found.group(1))) if found else None
            if path is not None:
                element.set(attribute, quote(path))
    return fragment_html(root)


def _cc_label(row):
    return f"{row['name']} <{row['email']}>" if row["name"] else row["email"]


def _article_html(message, text, files):
    who = escape(message.author_name)
    if message.author_is_staff:
        who += f" ({escape(_t(LABEL_STAFF))})"
    items = "".join(
        f'<li><a href="{escape(quote(item["path"]))}">{escape(item["filename"])}</a> '
        f"({escape(human_readable_size(item['size']))})</li>"
        for item in files
    )
    return (
        f'<article class="{"staff" if message.author_is_staff else "customer"}">'
        f"<header><strong>{who}</strong> · "
        f'<time datetime="{message.date.isoformat()}">'
        f"{escape(localized(message.date))}</time></header>"
        f"<div>{text}</div>" + (f"<ul>{items}</ul>" if items else "") + "</article>"
    )


def _index_html(userid, rows, language):
    intro = _t(
        EXPORT_INTRO,
        name=display_name(userid) or userid,
        date=localized(datetime.now(UTC)),
    )
    if rows:
        listing = (
            "<ul>"
            + "".join(
                f'<li><a href="{escape(row["href"])}">{escape(row["title"])}</a> '
                f"— {escape(row['state'])}, {escape(row['created'])}</li>"
                for row in rows
            )
            + "</ul>"
        )
    else:
        listing = f"<p>{escape(_t(LABEL_NO_TICKETS))}</p>"
    return _page(
        language,
        _t(EXPORT_TITLE),
        f"<h1>{escape(_t(EXPORT_TITLE))}</h1><p>{escape(intro)}</p>{listing}",
    )


def _page(language, title, body):
    return (
        f'<!DOCTYPE html><html lang="{escape(language)}"><head>'
        f'<meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>\n"
    )
