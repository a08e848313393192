"""Bulk import: the tickets of another helpdesk, one JSON object per line.

Each line is one ticket with its whole conversation (see docs/integrators.rst,
"Importing tickets"). A ticket is checked as a form would check it (subject,
text, CC addresses, attachments, category, priority, people) before anything
of it is stored; a line that fails is reported with its number and reason and
the import goes on. Every ticket keeps the key it had in the other system:
importing the same file again imports nothing twice.

The import is a bulk path, not a hundred thousand customers opening tickets:

- no content rule runs (no mail to anyone) and no history line is written;
- each object is added without events and indexed once, after its ticket is
  complete (replies first, the ticket last, so that its activity, reply count
  and service figures are those of the whole conversation);
- a commit every ``batch`` tickets, with the object cache emptied after it,
  keeps memory flat.
"""

from AccessControl import Unauthorized
from AccessControl.Permission import pname
from Acquisition import aq_base
from collective.tickets import _
from collective.tickets import logger
from collective.tickets.core.attachments import new_thumbnail_store
from collective.tickets.core.cc import normalize_cc
from collective.tickets.core.desk import check_category
from collective.tickets.core.desk import PRIORITIES
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.lifecycle import member_folder
from collective.tickets.core.message import clean_attachments
from collective.tickets.core.message import clean_subject
from collective.tickets.core.message import clean_text
from collective.tickets.core.numbers import take_numbers
from collective.tickets.core.people import is_staff_member
from collective.tickets.core.people import may
from collective.tickets.core.people import user_email
from collective.tickets.core.people import users_with_email
from collective.tickets.core.satisfaction import MAX_COMMENT
from collective.tickets.core.satisfaction import SCORES
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS
from collective.tickets.core.stored import stored
from collective.tickets.core.text import without_control_characters
from dataclasses import dataclass
from dataclasses import field
from DateTime import DateTime
from datetime import datetime
from datetime import UTC
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from html import escape
from pathlib import Path
from plone import api
from plone.dexterity.utils import createContent
from ZODB.POSException import ConflictError
from zope.container.interfaces import INameChooser
from zope.i18n import translate

import base64
import binascii
import BTrees.OOBTree
import email.policy
import json
import mailbox
import random
import time
import transaction


IMPORTED_KEY = "collective.tickets.imported"
WORKFLOW = "ticket_workflow"
# The widest key another system may give a ticket.
KEY_MAX_LENGTH = 200
# Ticket numbers are taken this many at a time; a batch that conflicts with
# the site's own work is imported again, at most this many times.
NUMBER_BLOCK = 50
BATCH_ATTEMPTS = 5


# What a line's error is about ("customer: 'x' is no user of this site"),
# named as in the file (the keys stay English), in the site's language.
FIELD_CUSTOMER = _("import_field_customer", default="customer")
FIELD_ASSIGNEE = _("import_field_assignee", default="assignee")
FIELD_CREATED = _("import_field_created", default="created")
FIELD_CLOSED = _("import_field_closed", default="closed")
FIELD_CLOSED_BY = _("import_field_closed_by", default="closed_by")
FIELD_RATING = _("import_field_rating", default="rating")
FIELD_TICKET = _("import_field_ticket", default="ticket")


class ImportProblem(TicketInputError):
    """A line that cannot be imported (the reason is a translatable message)."""


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    failed: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def read(self):
        return self.imported + self.skipped + len(self.failed)

    def to_dict(self):
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "failed": [
                {"line": line, "reason": reason} for line, reason in self.failed
            ],
            "seconds": round(self.seconds, 2),
        }


def imported_keys(create=False):
    """key -> ticket UID of every ticket imported so far (a BTree on the site)."""
    return stored(
        api.portal.get(), IMPORTED_KEY, BTrees.OOBTree.OOBTree if create else None
    )


def require_manager():
    """An import writes in every customer's name: site managers only."""
    if not may("Manage portal", api.portal.get()):
        raise Unauthorized("Only site managers may import tickets.")


def parse_date(value, what):
    """An aware UTC datetime from ISO 8601 text (a date without a zone is
    taken as UTC)."""
    if not isinstance(value, str) or not value.strip():
        raise ImportProblem(
            _(
                "error_import_date_missing",
                default="${what}: a date is missing.",
                mapping={"what": what},
            )
        )
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ImportProblem(
            _(
                "error_import_date",
                default="${what}: '${value}' is not a date (use ISO 8601, 2024-03-01T09:15:00+01:00).",
                mapping={"what": what, "value": value[:40]},
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class Importer:
    """Imports records (dicts) into the current site, as the current user
    (a Manager: the command runs as the Zope admin)."""

    def __init__(self, base=None, batch=500, progress=None, on_commit=None):
        require_manager()
        self.base = Path(base) if base is not None else None
        self.batch = batch
        self.progress = progress
        self.on_commit = on_commit
        self.report = ImportReport()
        self._users = {}
        self._folders = {}
        self._staff = {}
        self._owners = {}
        self._emails = {}
        self._mappings = {}
        self.keys = imported_keys(create=True)
        self.workflow = api.portal.get_tool("portal_workflow")
        self.definition = self.workflow.getWorkflowById(WORKFLOW)
        self._numbers = []
        self.language = api.portal.get_default_language() or "en"

    def translate(self, message):
        """Errors in the site's language: the operator's report."""
        return translate(message, target_language=self.language)

    # People

    def user(self, value, what):
        """The user id for a user id or an e-mail address of a site user."""
        if not isinstance(value, str) or not value.strip():
            raise ImportProblem(
                _(
                    "error_import_person_missing",
                    default="${what}: nobody is named.",
                    mapping={"what": what},
                )
            )
        value = value.strip()
        if value not in self._users:
            userid = None
            if "@" in value:
                found = users_with_email(value)
                if len(found) == 1:
                    userid = found[0].getId()
            elif api.user.get(userid=value) is not None:
                userid = value
            self._users[value] = userid
        userid = self._users[value]
        if userid is None:
            raise ImportProblem(
                _(
                    "error_import_unknown_person",
                    default="${what}: '${value}' is no user of this site (give a user id or the e-mail address of one account).",
                    mapping={"what": what, "value": value[:100]},
                )
            )
        return userid

    def is_staff(self, userid):
        if userid not in self._staff:
            self._staff[userid] = is_staff_member(userid)
        return self._staff[userid]

    def folder(self, userid):
        if userid not in self._folders:
            self._folders[userid] = member_folder(userid)
        return self._folders[userid]

    # Messages

    def attachments(self, items, what):
        files = []
        for index, item in enumerate(items or (), start=1):
            if not isinstance(item, dict) or not item.get("filename"):
                raise ImportProblem(
                    _(
                        "error_import_attachment",
                        default="${what}, attachment ${number}: give 'filename' and 'path' or 'data'.",
                        mapping={"what": what, "number": index},
                    )
                )
            if "data" in item:
                try:
                    data = base64.b64decode(item["data"], validate=True)
                except (binascii.Error, TypeError, ValueError):
                    raise ImportProblem(
                        _(
                            "error_import_attachment_data",
                            default="${what}: the data of '${name}' is not base64.",
                            mapping={"what": what, "name": item["filename"]},
                        )
                    ) from None
            else:
                data = self.read_file(item.get("path"), item["filename"], what)
            files.append((item["filename"], data, item.get("content_type")))
        return clean_attachments(files)

    def read_file(self, path, name, what):
        """A file named relative to the imported file's folder, never outside it."""
        base = (self.base or Path.cwd()).resolve()
        target = (base / str(path or "")).resolve() if path else None
        if target is None or base not in target.parents or not target.is_file():
            raise ImportProblem(
                _(
                    "error_import_attachment_file",
                    default="${what}: the file of '${name}' is not in the import's folder.",
                    mapping={"what": what, "name": name},
                )
            )
        return target.read_bytes()

    def text(self, message, what):
        if isinstance(message.get("html"), str):
            raw = message["html"]
        elif isinstance(message.get("text"), str):
            paragraphs = [p for p in message["text"].split("\n\n") if p.strip()]
            raw = "".join(
                "<p>{}</p>".format(escape(p).replace("\n", "<br />"))
                for p in paragraphs
            )
        else:
            raise ImportProblem(
                _(
                    "error_import_text",
                    default="${what}: give 'html' or 'text'.",
                    mapping={"what": what},
                )
            )
        try:
            return clean_text(raw)
        except TicketInputError as error:
            raise ImportProblem(
                _(
                    "error_import_in",
                    default="${what}: ${reason}",
                    mapping={"what": what, "reason": self.translate(error.message)},
                )
            ) from None

    def author(self, message, customer, what):
        """(userid, mail_sender): a site user (the customer or staff), or
        someone without an account, written on the customer's authority as
        a CC recipient answering by mail is."""
        value = message.get("author") or customer
        if isinstance(value, str) and "@" in value:
            found = users_with_email(value)
            if len(found) == 1:
                return found[0].getId(), None
            name = message.get("name") if isinstance(message.get("name"), str) else ""
            return customer, {"email": value.strip(), "name": name.strip()}
        userid = self.user(value, what)
        if userid != customer and not self.is_staff(userid):
            raise ImportProblem(
                _(
                    "error_import_author",
                    default="${what}: '${value}' is neither the customer nor staff.",
                    mapping={"what": what, "value": value},
                )
            )
        return userid, None

    # Tickets

    def check(self, record):
        """Everything of ``record`` checked and converted, or ImportProblem."""
        if not isinstance(record, dict):
            raise ImportProblem(
                _("error_import_object", default="The line is no JSON object.")
            )
        key = record.get("id")
        if isinstance(key, int):
            key = str(key)
        if not isinstance(key, str) or not key.strip() or len(key) > KEY_MAX_LENGTH:
            raise ImportProblem(
                _(
                    "error_import_key",
                    default="Each ticket needs an 'id' (its key in the other system, at most 200 characters).",
                )
            )
        customer = self.user(record.get("customer"), FIELD_CUSTOMER)
        messages = record.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ImportProblem(
                _(
                    "error_import_messages",
                    default="'messages' must list at least one message.",
                )
            )
        try:
            subject = clean_subject(record.get("subject"))
            if customer not in self._emails:
                self._emails[customer] = user_email(customer)
            cc = normalize_cc(
                record.get("cc") or (), owner_email=self._emails[customer]
            )
            category = check_category(record.get("category") or "")
        except TicketInputError as error:
            raise ImportProblem(
                _(
                    "error_import_in",
                    default="${what}: ${reason}",
                    mapping={
                        "what": FIELD_TICKET,
                        "reason": self.translate(error.message),
                    },
                )
            ) from None
        priority = record.get("priority") or "normal"
        if priority not in PRIORITIES:
            raise ImportProblem(
                _(
                    "error_unknown_priority",
                    default="'${value}' is not a priority: use one of ${choices}.",
                    mapping={
                        "value": str(priority)[:40],
                        "choices": ", ".join(PRIORITIES),
                    },
                )
            )
        assignee = None
        if record.get("assignee"):
            assignee = self.user(record["assignee"], FIELD_ASSIGNEE)
            if not self.is_staff(assignee):
                raise ImportProblem(
                    _(
                        "error_import_assignee",
                        default="The assignee '${value}' is not staff.",
                        mapping={"value": assignee},
                    )
                )
        checked = []
        previous = None
        for number, message in enumerate(messages, start=1):
            what = _(
                "import_message",
                default="message ${number}",
                mapping={"number": number},
            )
            if not isinstance(message, dict):
                raise ImportProblem(
                    _(
                        "error_import_message",
                        default="${what} is no object.",
                        mapping={"what": what},
                    )
                )
            if message.get("date"):
                date = parse_date(message["date"], what)
            elif number == 1 and record.get("created"):
                date = parse_date(record["created"], FIELD_CREATED)
            else:
                raise ImportProblem(
                    _(
                        "error_import_date_missing",
                        default="${what}: a date is missing.",
                        mapping={"what": what},
                    )
                )
            if previous is not None and date < previous:
                raise ImportProblem(
                    _(
                        "error_import_order",
                        default="${what} is older than the message before it: list the messages oldest first.",
                        mapping={"what": what},
                    )
                )
            previous = date
            author, sender = self.author(message, customer, what)
            if number == 1 and sender is not None:
                raise ImportProblem(
                    _(
                        "error_import_first_author",
                        default="The first message must be by the customer or the staff.",
                    )
                )
            checked.append(
                {
                    "date": date,
                    "author": author,
                    "sender": sender,
                    "text": self.text(message, what),
                    "attachments": self.attachments(message.get("attachments"), what),
                }
            )
        state = record.get("state") or IN_PROGRESS
        if state not in (IN_PROGRESS, COMPLETED):
            raise ImportProblem(
                _(
                    "error_import_state",
                    default="'${value}' is no state: use in_progress or completed.",
                    mapping={"value": str(state)[:40]},
                )
            )
        closed = None
        if state == COMPLETED:
            closed = (
                parse_date(record["closed"], FIELD_CLOSED)
                if record.get("closed")
                else checked[-1]["date"]
            )
            if closed < checked[-1]["date"]:
                raise ImportProblem(
                    _(
                        "error_import_closed",
                        default="The ticket is closed before its last message.",
                    )
                )
        rating = None
        if record.get("rating") is not None:
            rating = self.rating(record["rating"], closed)
        return {
            "rating": rating,
            "key": key.strip(),
            "customer": customer,
            "subject": subject,
            "cc": cc,
            "category": category,
            "priority": priority,
            "assignee": assignee,
            "messages": checked,
            "state": state,
            "closed": closed,
            "closed_by": self.user(record["closed_by"], FIELD_CLOSED_BY)
            if record.get("closed_by")
            else None,
        }

    def rating(self, value, closed):
        """(score, comment, timestamp) of the customer's rating: only for a
        completed ticket, 1 to 5, dated at or after the closing."""
        if closed is None:
            raise ImportProblem(
                _(
                    "error_import_rating_open",
                    default="Only a completed ticket has a rating.",
                )
            )
        score = value.get("score") if isinstance(value, dict) else None
        if score not in SCORES:
            raise ImportProblem(
                _("error_import_rating", default="A rating is a 'score' from 1 to 5.")
            )
        comment = value.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            raise ImportProblem(
                _(
                    "error_import_rating_comment",
                    default="The rating's comment must be text of at most ${max} characters.",
                    mapping={"max": MAX_COMMENT},
                )
            )
        date = parse_date(value["date"], FIELD_RATING) if value.get("date") else closed
        return (score, without_control_characters(comment).strip(), date.timestamp())

    def _add(self, container, obj, owner):
        """Add ``obj`` without events (no rules, no indexing, no container
        reindex) and give it the workflow state and owner an addition gives."""
        name = obj.id or INameChooser(container).chooseName(None, obj)
        obj.id = name
        container._setObject(name, obj, suppress_events=True, set_owner=False)
        obj = container._getOb(name)
        if owner not in self._owners:
            user = api.user.get(userid=owner)
            self._owners[owner] = user.getUser() if user is not None else None
        if self._owners[owner] is not None:
            obj.changeOwnership(self._owners[owner], recursive=False)
        obj.__ac_local_roles__ = {owner: ["Owner"]}
        return obj

    def set_state(self, ticket, status):
        """Record the workflow ``status`` and give the ticket its state's
        permissions. The first ticket of a state has them worked out by the
        workflow (which walks every permission Zope knows, about 3 ms); the
        others get a copy of the result, which is the same for every ticket
        of the state (the workflow maps roles, not users)."""
        self.workflow.setStatusOf(WORKFLOW, ticket, status)
        state = status["review_state"]
        mapping = self._mappings.get(state)
        if mapping is None:
            self.definition.updateRoleMappingsFor(ticket)
            if not self.definition.groups:
                self._mappings[state] = {
                    name: getattr(aq_base(ticket), name)
                    for name in map(pname, self.definition.permissions)
                    if name in aq_base(ticket).__dict__
                }
            return
        for name, roles in mapping.items():
            setattr(ticket, name, list(roles) if isinstance(roles, list) else roles)

    def create(self, data):
        """The ticket of ``data`` (checked), added and queued for indexing."""
        first = data["messages"][0]
        customer = data["customer"]
        folder = self.folder(customer)
        opened = DateTime(first["date"])
        ticket = createContent(
            "Ticket",
            title=data["subject"],
            cc_recipients=data["cc"],
            text=first["text"],
            attachments=first["attachments"],
        )
        ticket.creators = (first["author"],)
        ticket.creation_date = opened
        ticket.cc_added_count = len(data["cc"])
        ticket.ticket_number = self.number()
        ticket.ticket_category = data["category"]
        ticket.ticket_priority = data["priority"]
        ticket.ticket_assignee = data["assignee"]
        ticket.ticket_import_key = data["key"]
        ticket.attachment_thumbnails = new_thumbnail_store()
        ticket = self._add(folder, ticket, customer)
        # The initial state and its permissions, as the workflow gives them
        # to added content, dated as the ticket (the workflow tool's own
        # notifyCreated would also reindex the ticket's security at once).
        self.set_state(
            ticket,
            {
                "action": None,
                "review_state": IN_PROGRESS,
                "actor": first["author"],
                "time": opened,
                "comments": "",
            },
        )
        counters = {"reply": 0}
        for message in data["messages"][1:]:
            counters["reply"] += 1
            reply = createContent(
                "TicketReply", text=message["text"], attachments=message["attachments"]
            )
            reply.id = f"reply-{counters['reply']}"
            reply.creators = (message["author"],)
            reply.creation_date = reply.modification_date = DateTime(message["date"])
            if message["sender"] is not None:
                reply.mail_sender = message["sender"]
            reply.attachment_thumbnails = new_thumbnail_store()
            reply = self._add(ticket, reply, customer)
            reply.indexObject()
        if data["state"] == COMPLETED:
            self.set_state(
                ticket,
                {
                    "action": "complete",
                    "review_state": COMPLETED,
                    "actor": data["closed_by"] or data["messages"][-1]["author"],
                    "time": DateTime(data["closed"]),
                    "comments": "",
                },
            )
            if data["rating"] is not None:
                ticket.ticket_rating = data["rating"]
        last = data["closed"] or data["messages"][-1]["date"]
        ticket.modification_date = DateTime(last)
        # Indexed once, with its whole conversation (the catalog's queue
        # merges this with nothing: no event has queued it before).
        ticket.indexObject()
        self.keys[data["key"]] = ticket.UID()
        return ticket

    def add(self, line_number, record):
        """Import one record (in the current batch); counts it in the report."""
        key = record.get("id") if isinstance(record, dict) else None
        if isinstance(key, int):
            key = str(key)
        if isinstance(key, str) and key.strip() in self.keys:
            self.report.skipped += 1
            return None
        # Everything is checked before anything is stored: a line that fails
        # leaves nothing behind (no savepoint needed).
        try:
            data = self.check(record)
        except TicketInputError as error:
            self.report.failed.append((line_number, self.translate(error.message)))
            return None
        if data["key"] in self.keys:
            self.report.skipped += 1
            return None
        ticket = self.create(data)
        self.report.imported += 1
        return ticket

    def number(self):
        """The next ticket number, from a block taken apart from the batch's
        transaction (``numbers.take_numbers``): the import does not conflict
        with tickets opened meanwhile on the site; what is left of the last
        block at the end is skipped."""
        if not self._numbers:
            size = max(1, min(NUMBER_BLOCK, self.batch))
            last = take_numbers(size)
            self._numbers = list(range(last - size + 1, last + 1))
        return self._numbers.pop(0)

    def parse(self, line_number, line):
        try:
            return json.loads(line)
        except ValueError as error:
            reason = _(
                "error_import_json",
                default="The line is no JSON: ${reason}.",
                mapping={"reason": error.msg},
            )
            self.report.failed.append((line_number, self.translate(reason)))
            return None

    def run_batch(self, batch):
        """Import ``batch`` (line numbers and lines) in one transaction. On a
        write conflict with the site's own work (a ticket opened or answered
        meanwhile), the batch is undone and imported again, up to
        ``BATCH_ATTEMPTS`` times."""
        for attempt in range(1, BATCH_ATTEMPTS + 1):
            before = (
                self.report.imported,
                self.report.skipped,
                len(self.report.failed),
            )
            self.keys = imported_keys(create=True)
            for line_number, line in batch:
                record = self.parse(line_number, line)
                if record is not None:
                    self.add(line_number, record)
                if self.progress is not None:
                    self.progress(self.report)
            try:
                self.commit()
                return
            except ConflictError:
                transaction.abort()
                self._folders.clear()
                if attempt == BATCH_ATTEMPTS:
                    raise
                imported, skipped, failed = before
                self.report.imported, self.report.skipped = imported, skipped
                del self.report.failed[failed:]
                logger.info("Import batch conflicted with the site's work: again")
                time.sleep(random.uniform(0, attempt))

    def commit(self):
        transaction.commit()
        api.portal.get()._p_jar.cacheMinimize()
        # The folders of the batch before are ghosts now: looked up anew.
        self._folders.clear()
        if self.on_commit is not None:
            self.on_commit(self.report)

    def run(self, lines):
        """Import ``lines`` (text lines of JSON, one ticket each), a commit
        every ``batch`` lines. Returns the ImportReport."""
        started = time.perf_counter()
        batch = []
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            batch.append((line_number, line))
            if len(batch) >= self.batch:
                self.run_batch(batch)
                batch = []
        self.run_batch(batch)
        self.report.seconds = time.perf_counter() - started
        return self.report


def import_tickets(path_or_lines, batch=500, progress=None, base=None):
    """Import a JSON-lines file (a path) or an iterable of lines; attachment
    paths are relative to the file's folder (or ``base``)."""
    if isinstance(path_or_lines, str | Path):
        path = Path(path_or_lines)
        importer = Importer(base=base or path.parent, batch=batch, progress=progress)
        with path.open(encoding="utf-8") as lines:
            return importer.run(lines)
    importer = Importer(base=base, batch=batch, progress=progress)
    return importer.run(path_or_lines)


def imported_ticket(key):
    """The ticket imported under ``key``, or None."""
    keys = imported_keys()
    uid = keys.get(key) if keys is not None else None
    return api.content.get(UID=uid) if uid else None


# An old support mailbox


@dataclass
class MailboxReport:
    created: int = 0
    added: int = 0
    ignored: int = 0
    refused: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def read(self):
        return self.created + self.added + self.ignored + len(self.refused)

    def to_dict(self):
        return {
            "tickets_opened": self.created,
            "replies_added": self.added,
            "ignored": self.ignored,
            "refused": [
                {"mail": key, "reason": reason} for key, reason in self.refused
            ],
            "seconds": round(self.seconds, 2),
        }


def is_mailbox(path):
    """Whether ``path`` is a mailbox this import reads: a Maildir, a folder
    of .eml files or an mbox file (anything but JSON lines)."""
    path = Path(path)
    if path.is_dir():
        return True
    return path.suffix.lower() not in (".jsonl", ".ndjson", ".json")


def mailbox_messages(path):
    """``(count, messages)``: the mails of a Maildir, a folder of ``.eml``
    files or an mbox file, oldest first (by their Date header, then their
    place in the mailbox), each as ``(name, bytes)``; read one at a time."""
    path = Path(path)
    if path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
        box = mailbox.Maildir(str(path), factory=None, create=False)
        keys = list(box.keys())

        def read(key):
            return box.get_bytes(key)

    elif path.is_dir():
        box = None
        keys = sorted(
            str(p.relative_to(path))
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() == ".eml"
        )

        def read(key):
            return (path / key).read_bytes()

    else:
        box = mailbox.mbox(str(path), factory=None, create=False)
        keys = list(box.keys())

        def read(key):
            return box.get_bytes(key)

    headers = BytesHeaderParser(policy=email.policy.compat32)
    order = []
    for place, key in enumerate(keys):
        try:
            date = parsedate_to_datetime(headers.parsebytes(read(key))["Date"] or "")
            if date.tzinfo is None:
                date = date.replace(tzinfo=UTC)
            stamp = date.timestamp()
        except (TypeError, ValueError, IndexError):
            stamp = float("inf")
        order.append((stamp, place, key))
    order.sort()

    def messages():
        for _stamp, _place, key in order:
            yield str(key), read(key)

    return len(order), messages()


def import_mailbox(path, batch=200, progress=None, read=None):
    """Every mail of the mailbox at ``path`` through the reply-by-e-mail
    code (``receive_mail(past=True)``), oldest first, with the content rules
    quiet: customers' mails open tickets or answer them, the staff's answers
    land in the tickets they answer, robots are ignored, a mail stored
    before is not stored again. A commit every ``batch`` mails. ``read``:
    what ``mailbox_messages(path)`` returned, when the caller has read the
    mailbox's dates already (to count them)."""
    from collective.tickets.core.events import rules_quiet
    from collective.tickets.core.mailin.parse import NotAMessage
    from collective.tickets.core.mailin.receive import ADDED
    from collective.tickets.core.mailin.receive import CREATED
    from collective.tickets.core.mailin.receive import IGNORED
    from collective.tickets.core.mailin.receive import receive_mail

    require_manager()
    started = time.perf_counter()
    report = MailboxReport()
    _count, messages = read if read is not None else mailbox_messages(path)

    def receive(name, raw):
        try:
            with rules_quiet():
                outcome = receive_mail(raw, past=True)
        except NotAMessage as error:
            report.refused.append((name, str(error)))
            return
        if outcome.status == CREATED:
            report.created += 1
        elif outcome.status == ADDED:
            report.added += 1
        elif outcome.status == IGNORED:
            report.ignored += 1
        else:
            report.refused.append((name, outcome.reason))

    def run_batch(mails):
        # As for JSON lines: a batch that conflicts with the site's own work
        # is undone and received again (a mail stored is never stored twice).
        for attempt in range(1, BATCH_ATTEMPTS + 1):
            before = (report.created, report.added, report.ignored, len(report.refused))
            for name, raw in mails:
                receive(name, raw)
                if progress is not None:
                    progress(report)
            try:
                transaction.commit()
            except ConflictError:
                transaction.abort()
                if attempt == BATCH_ATTEMPTS:
                    raise
                report.created, report.added, report.ignored = before[:3]
                del report.refused[before[3] :]
                time.sleep(random.uniform(0, attempt))
                continue
            api.portal.get()._p_jar.cacheMinimize()
            return

    mails = []
    for name, raw in messages:
        mails.append((name, raw))
        if len(mails) >= batch:
            run_batch(mails)
            mails = []
    run_batch(mails)
    report.seconds = time.perf_counter() - started
    return report
