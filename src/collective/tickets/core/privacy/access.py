"""The record of the staff's access to a ticket: who opened its page, its
attachments or its original mails, and when (the GDPR's accountability).

One log per ticket in an annotation of the ticket (a name no URL reaches),
not a catalog entry per view: a ``LOBTree`` keyed by the microsecond of the
access, each value a ``(userid, kind, detail)`` tuple. Two staff members
reading the same ticket at once add different keys, which the BTree's own
conflict resolution merges. A page kept open and reloaded is one entry: the
same person's same access within ``WINDOW`` seconds is not recorded again.

Recording happens while a page is read (a GET): the few objects it writes
are marked as safe writes for plone.protect. Only the staff's access is
recorded; customers reading their own tickets are not. Managers (and Site
Administrators) read the log: the ``View access record`` permission.
"""

from AccessControl import Unauthorized
from BTrees.LOBTree import LOBTree
from collective.tickets.core.conversation import require_ticket
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import may
from collective.tickets.core.stored import stored
from collective.tickets.permissions import ViewAccessRecord
from dataclasses import dataclass
from datetime import datetime
from datetime import UTC
from plone.protect.utils import safeWrite
from zope.globalrequest import getRequest

import time


ACCESS_KEY = "collective.tickets.access"
# What was opened: the ticket's page, an attachment, an original mail, the
# ticket through the REST API, or the ticket went into a copy of the
# customer's tickets (``export``).
PAGE = "page"
FILE = "file"
MAIL = "mail"
API = "api"
EXPORT = "export"
KINDS = (PAGE, FILE, MAIL, API, EXPORT)
# The same access by the same person within this many seconds is one entry.
WINDOW = 15 * 60


@dataclass(frozen=True)
class Access:
    date: datetime
    userid: str
    kind: str
    # What in the ticket: "<message id>/<attachment index> <file name>" for
    # a file, the message id for a mail, "" for the page.
    detail: str

    @property
    def name(self):
        return display_name(self.userid) or self.userid


def _log(ticket, create=False):
    log = stored(ticket, ACCESS_KEY)
    if log is None and create:
        log = stored(ticket, ACCESS_KEY, LOBTree)
        request = getRequest()
        # The annotations' own storage, made now or changed by the new key.
        safeWrite(ticket, request)
        storage = getattr(ticket, "__annotations__", None)
        if storage is not None:
            safeWrite(storage, request)
    return log


def record_access(ticket, kind, detail="", staff=None):
    """Record that the current user, when staff, opened ``kind`` of
    ``ticket`` now (``detail`` says which file or mail). Nothing for anyone
    else, nothing twice within ``WINDOW``. ``staff``: whether the current
    user is staff on the ticket, when the caller knows it already."""
    require_ticket(ticket)
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is no kind of access")
    userid = current_userid()
    if staff is None:
        staff = is_staff(obj=ticket)
    if userid is None or not staff:
        return False
    now = int(time.time() * 1_000_000)
    entry = (userid, kind, detail)
    log = _log(ticket)
    if log is not None:
        for value in log.values(min=now - WINDOW * 1_000_000):
            if value == entry:
                return False
    log = _log(ticket, create=True)
    key = now
    while key in log:
        key += 1
    log[key] = entry
    safeWrite(log, getRequest())
    return True


def rewrite_details(ticket, change):
    """Each entry's detail becomes ``change(detail)`` (anonymising the
    ticket: file names, the ticket's old id)."""
    log = _log(ticket)
    for key, (userid, kind, detail) in list((log or {}).items()):
        new = change(detail) if detail else detail
        if new != detail:
            log[key] = (userid, kind, new)


def may_see_access(ticket):
    return may(ViewAccessRecord, ticket)


def access_record(ticket):
    """Every recorded access to ``ticket``, newest first, for those with the
    ``View access record`` permission on it (``Unauthorized`` for others)."""
    require_ticket(ticket)
    if not may_see_access(ticket):
        raise Unauthorized("Only managers may read the record of access.")
    log = _log(ticket)
    if log is None:
        return []
    return [
        Access(
            date=datetime.fromtimestamp(key / 1_000_000, UTC),
            userid=userid,
            kind=kind,
            detail=detail,
        )
        for key, (userid, kind, detail) in reversed(list(log.items()))
    ]
