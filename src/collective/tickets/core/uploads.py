"""Files held for a message form that has to be shown again.

Browsers never refill a file input: when a form comes back with errors, the
files it carried are kept here, for the user who sent them, under a random
token the form sends back. They are used when the form is finally sent, and
expire after a few hours otherwise.

Storage: one ``OOBTree`` in an annotation of the portal, keyed by
``(userid, token)``. A token is only ever looked up under the current user's
id, so another user's token, or a guessed one, finds nothing. Each held form
is its own persistent object: changing its files does not touch the tree, and
the tree's buckets resolve concurrent additions and removals of different keys
by themselves.
"""

from BTrees.OOBTree import OOBTree
from collective.tickets import _
from collective.tickets.core.attachments import check_policy
from collective.tickets.core.attachments import clean_filename
from collective.tickets.core.attachments import make_attachment
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.settings import setting
from collective.tickets.core.stored import stored
from persistent import Persistent
from plone import api

import secrets
import time


ANNOTATION_KEY = "collective.tickets.held_uploads"
# Long enough to fix a form after a lunch break, short enough not to keep
# abandoned files around.
HOLD_SECONDS = 4 * 60 * 60
# Each form with errors may hold files: bound what one user can park here.
MAX_FORMS_PER_USER = 10
# Expired forms removed per call, so that clean-up stays cheap and touches
# few buckets at a time.
SWEEP_BATCH = 20


def now():
    return time.time()


class HeldForm(Persistent):
    """The files held for one form of one user."""

    def __init__(self, userid):
        self.userid = userid
        self.touched = now()
        self.files = []
        self.next_key = 0

    def expired(self, at=None):
        return (at or now()) - self.touched > HOLD_SECONDS

    def add(self, blob):
        self.files = [*self.files, (str(self.next_key), blob)]
        self.next_key += 1


def _storage(create=False):
    return stored(api.portal.get(), ANNOTATION_KEY, OOBTree if create else None)


def _user_range(storage, userid):
    """The keys of ``userid``'s held forms, oldest key order (not time)."""
    return storage.keys(min=(userid,), max=(userid + "\x00",), excludemax=True)


def _live_form(userid, token, storage=None):
    if not userid or not token or not isinstance(token, str):
        return None
    storage = storage if storage is not None else _storage()
    if storage is None:
        return None
    held = storage.get((userid, token))
    if held is None or held.expired():
        return None
    return held


def held_files(userid, token):
    """``[(key, blob)]`` held for ``userid`` under ``token``; none for
    anyone else, an unknown token or an expired one."""
    held = _live_form(userid, token)
    return list(held.files) if held is not None else []


def held_count(userid):
    """How many forms hold files for ``userid`` now."""
    storage = _storage()
    if storage is None or not userid:
        return 0
    at = now()
    return sum(
        1 for key in _user_range(storage, userid) if not storage[key].expired(at)
    )


def _sweep(storage):
    at = now()
    expired = [key for key, held in storage.items() if held.expired(at)]
    for key in expired[:SWEEP_BATCH]:
        del storage[key]


def _make_room(storage, userid):
    """Drop ``userid``'s oldest held forms beyond the limit."""
    keys = list(_user_range(storage, userid))
    if len(keys) < MAX_FORMS_PER_USER:
        return
    keys.sort(key=lambda key: storage[key].touched)
    for key in keys[: len(keys) - MAX_FORMS_PER_USER + 1]:
        del storage[key]


def hold(userid, token, files, remove=()):
    """Hold ``files`` (``(filename, data, content_type)``) for ``userid``
    next to what ``token`` already holds, minus the keys in ``remove``.

    Each file is checked as it will be on sending (type, size, and the number
    of files per message, counting those already held); a file that fails is
    not held. Returns ``(token, failures)``: the token of the held files (None
    when nothing is held) and a message naming each file not held.
    """
    if not userid:
        return None, []
    storage = _storage(create=True)
    _sweep(storage)
    held = _live_form(userid, token, storage)
    kept = [
        (key, blob) for key, blob in (held.files if held else ()) if key not in remove
    ]
    max_files = setting("max_files")
    failures = []
    blobs = []
    for filename, data, content_type in files:
        try:
            blob = make_attachment(filename, data, content_type)
            check_policy([blob])
        except TicketInputError as error:
            failures.append(error.message)
            continue
        if len(kept) + len(blobs) >= max_files:
            failures.append(
                _(
                    "error_file_not_held_too_many",
                    default="The file '${name}' was not attached: at most ${max} "
                    "files are allowed per message.",
                    mapping={"name": clean_filename(filename), "max": max_files},
                )
            )
            continue
        blobs.append(blob)
    if not kept and not blobs:
        if held is not None:
            del storage[(userid, token)]
        return None, failures
    if held is None:
        _make_room(storage, userid)
        token = secrets.token_urlsafe(32)
        held = storage[(userid, token)] = HeldForm(userid)
    if len(kept) != len(held.files):
        held.files = kept
    for blob in blobs:
        held.add(blob)
    held.touched = now()
    return token, failures


def forget_user(userid):
    """Forget every file held for ``userid`` (their data is erased)."""
    storage = _storage()
    if storage is not None and userid:
        for key in list(_user_range(storage, userid)):
            del storage[key]


def discard(userid, token):
    """Forget what ``token`` holds for ``userid`` (the message was sent)."""
    storage = _storage()
    if storage is not None and userid and isinstance(token, str):
        storage.pop((userid, token), None)
