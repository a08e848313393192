"""Who is who in a ticket: customers, staff and the names shown for them."""

from AccessControl import getSecurityManager
from BTrees.OOBTree import OOTreeSet
from collective.tickets import _
from collective.tickets.core.settings import setting
from collective.tickets.core.stored import stored
from collective.tickets.permissions import ManageTickets
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest
from zope.i18n import translate

import threading
import time
import transaction
import unicodedata
import uuid


# The roles that give "Manage tickets" on the site (rolemap.xml): whoever has
# one of them answers as the helpdesk, and customers may not look like them.
STAFF_ROLES = ("TicketManager", "Site Administrator", "Manager")
# The group the add-on creates, with the TicketManager role: its members are
# the helpdesk, and hear of every new ticket.
STAFF_GROUP = "ticket-staff"
STAFF_ROLE = "TicketManager"

# Joiners some scripts (Persian, Indic, emoji) need in a name; every other
# control, format (bidi overrides and isolates, zero widths), separator,
# private-use or unassigned character is refused.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}

NAME_HAS_CONTROL = _(
    "error_name_control_characters",
    default="The name contains invisible or text-direction control characters. "
    "Type it again without them.",
)
NAME_HAS_MARKUP = _(
    "error_name_markup",
    default="The name may not contain the characters < or >. Remove them.",
)


def _request_cache(key):
    request = getRequest()
    if request is None:
        return None
    try:
        return IAnnotations(request).setdefault(key, {})
    except TypeError:
        return None


def _cached(key, item, compute):
    cache = _request_cache(key)
    if cache is None:
        return compute()
    if item not in cache:
        cache[item] = compute()
    return cache[item]


# Who is staff, and what each person is called, asked of PAS on every ticket
# page (every message's author, the staff badge, the names no customer may
# take): PAS builds the whole user with its groups, roles and properties for
# each question, and finding who holds a role walks every principal. So the
# answers are kept in the process for a minute, in a cache that belongs to
# the ZODB database (a test's fresh database starts empty). What changes
# through PAS events (group membership, profile properties, new and deleted
# users) empties it at once on the instance that made the change; a role
# given in the control panel (PAS sends no event for it) shows within
# DIRECTORY_SECONDS. Answers computed by a transaction that has changed
# something are not kept: it may still be aborted.
DIRECTORY_SECONDS = 60
_DIRECTORY_LIMIT = 20000
_directory_lock = threading.Lock()


def _directory():
    site = api.portal.get()
    jar = getattr(site, "_p_jar", None)
    if jar is None:
        return None
    db = jar.db()
    cache = db.__dict__.get("_collective_tickets_directory")
    if cache is None:
        with _directory_lock:
            cache = db.__dict__.setdefault("_collective_tickets_directory", {})
    return cache, "/".join(site.getPhysicalPath())


def clean_transaction():
    """Whether the current transaction has changed nothing yet (what it
    read is the committed state: a result may be kept for other requests)."""
    try:
        return not transaction.get()._resources
    except AttributeError:
        return False


def _directory_cached(kind, item, compute):
    """``compute()``, kept per request and, for a clean transaction, for
    DIRECTORY_SECONDS in the process."""

    def shared():
        found = _directory()
        if found is None:
            return compute()
        cache, site = found
        key = (site, kind, item)
        now = time.monotonic()
        entry = cache.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = compute()
        if clean_transaction():
            if len(cache) > _DIRECTORY_LIMIT:
                cache.clear()
            cache[key] = (now + DIRECTORY_SECONDS, value)
        return value

    return _cached(f"{_CACHE_PREFIX}{kind}", item, shared)


def forget_directory(event=None):
    """Empty the cache of names and staff (a PAS event: something changed)."""
    try:
        found = _directory()
    except Exception:
        found = None
    if found is not None:
        found[0].clear()
    request = getRequest()
    if request is not None:
        try:
            annotations = IAnnotations(request)
        except TypeError:
            return
        for key in [k for k in annotations if str(k).startswith(_CACHE_PREFIX)]:
            del annotations[key]


# The request annotations of the directory (and nothing else of ours).
_CACHE_PREFIX = "collective.tickets.directory."


def name_key(value):
    """How a name is compared: NFKC, without format characters, case- and
    whitespace-insensitive ("Ｓａｍ  STAFF" and "sam staff" are one name)."""
    text = unicodedata.normalize("NFKC", value or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())


def _has_control_characters(value):
    for ch in value:
        category = unicodedata.category(ch)
        if ch in _ALLOWED_FORMAT:
            continue
        if category[0] == "C" or category in ("Zl", "Zp"):
            return True
    return False


def staff_userids():
    """The user ids of everyone with a staff role, directly or by a group."""
    return set(_directory_cached("staff", "all", _staff_userids))


def _staff_userids():
    acl_users = api.portal.get_tool("acl_users")
    role_manager = acl_users.portal_role_manager
    userids = set()
    for role in STAFF_ROLES:
        for principal_id, _title in role_manager.listAssignedPrincipals(role):
            group = api.group.get(groupname=principal_id)
            if group is None:
                userids.add(principal_id)
            else:
                userids.update(user.getId() for user in group.getGroupMembers())
    return frozenset(userids)


def staff_by_name():
    """The staff's user ids, in the order of their display names."""
    return sorted(staff_userids(), key=lambda userid: display_name(userid).lower())


def _reserved_keys():
    """The names no customer may appear as: each staff member's full name and
    display name for tickets, the site's title and the mail sender name."""
    names = [
        api.portal.get().Title(),
        api.portal.get_registry_record("plone.email_from_name", default=""),
    ]
    for userid in staff_userids():
        user = api.user.get(userid=userid)
        if user is not None:
            names += [
                user.getProperty(p, "") for p in ("fullname", "ticket_display_name")
            ]
    return {name_key(n) for n in names if isinstance(n, str) and name_key(n)}


def reserved_name_keys():
    return _directory_cached("reserved", "keys", _reserved_keys)


def name_problem(value, userid, staff=None):
    """Why ``value`` may not be the name of user ``userid``, or None.

    Nobody's name may carry control or bidi characters or markup; only the
    staff may be called like the staff, the site or its mail sender.
    ``staff`` says whether the user is staff when they do not exist yet.
    """
    if not value:
        return None
    if _has_control_characters(value):
        return NAME_HAS_CONTROL
    if "<" in value or ">" in value:
        return NAME_HAS_MARKUP
    if name_key(value) not in reserved_name_keys():
        return None
    if staff is None:
        staff = is_staff_member(userid)
    if not staff:
        return _(
            "error_name_reserved",
            default="'${name}' is the name of the support team or of one of its "
            "members. Choose a name of your own, for example your company's name.",
            mapping={"name": " ".join(value.split())},
        )
    return None


def _lookup_display_name(userid):
    user = api.user.get(userid=userid)
    if user is None:
        return userid
    for prop in ("ticket_display_name", "fullname"):
        value = user.getProperty(prop, None)
        # A name stored before it was checked (or by a script) that breaks
        # the rules is not shown: the next one in line is.
        if (
            isinstance(value, str)
            and value.strip()
            and name_problem(value, userid) is None
        ):
            return value.strip()
    return userid


# The help desk itself, acting in the periodic job (``core.cron``).
SYSTEM_USERID = "collective.tickets.system"
SYSTEM_NAME = _("name_system", default="The help desk")
# Who an anonymised ticket's customer became (``core.privacy.erasure``):
# a pseudonym per erasure, shown with one name. The pseudonyms given are
# kept on the site: a user id that merely looks like one is a user like any.
ANONYMISED_PREFIX = "anonymised-"
ANONYMISED_NAME = _("name_anonymised", default="Anonymised customer")
PSEUDONYMS_KEY = "collective.tickets.pseudonyms"


def pseudonyms():
    """The pseudonyms given on the site (a set; empty before the first)."""
    given = stored(api.portal.get(), PSEUDONYMS_KEY)
    return given if given is not None else frozenset()


def is_pseudonym(userid):
    """Whether ``userid`` is the pseudonym of an anonymised customer."""
    return bool(userid) and userid in pseudonyms()


def new_pseudonym():
    """A new pseudonym, kept as given: no user and no pseudonym has it."""
    while True:
        userid = f"{ANONYMISED_PREFIX}{uuid.uuid4().hex[:12]}"
        if not is_pseudonym(userid) and api.user.get(userid=userid) is None:
            break
    stored(api.portal.get(), PSEUDONYMS_KEY, OOTreeSet).insert(userid)
    return userid


def display_name(userid):
    """The name a person is shown with as the sender of ticket messages.

    Their "display name for tickets" if set, else their full name, else their
    user id; a name that impersonates the staff or carries control characters
    or markup is skipped. Looked up once per request: a listing names the
    same few people on every row.
    """
    if not userid:
        return ""
    if userid == SYSTEM_USERID:
        return translate(SYSTEM_NAME, context=getRequest())
    name = _directory_cached("name", userid, lambda: _lookup_display_name(userid))
    # Nobody's name: a pseudonym's is translated for each reader.
    if name == userid and is_pseudonym(userid):
        return translate(ANONYMISED_NAME, context=getRequest())
    return name


def may(permission, obj):
    """Whether the current user has ``permission`` on ``obj``: what
    plone.api's ``has_permission`` answers for the current user, without
    its argument checks (for every "no" it lists the site's permissions to
    tell a misspelt name from a refusal; a ticket page asks a dozen times)."""
    return bool(getSecurityManager().checkPermission(permission, obj))


def current_userid():
    user = getSecurityManager().getUser()
    if user is None or user.getUserName() == "Anonymous User":
        return None
    return user.getId()


def is_staff(user=None, obj=None):
    """Staff answer every ticket: TicketManager, Site Administrator or Manager."""
    obj = obj or api.portal.get()
    if user is None:
        # The current security context, as every permission check of the
        # request makes it (roles adopted by code included).
        return may(ManageTickets, obj)
    return bool(api.user.has_permission(ManageTickets, user=user, obj=obj))


def is_staff_member(userid):
    """Whether the user ``userid`` (not the current user) is staff."""
    if not userid:
        return False

    def compute():
        user = api.user.get(userid=userid)
        return user is not None and is_staff(user=user)

    return _directory_cached("is_staff", userid, compute)


def user_email(userid):
    """The e-mail address of ``userid``'s profile, or "" when there is none."""
    user = api.user.get(userid=userid) if userid else None
    return (user.getProperty("email", "") or "").strip() if user else ""


def users_with_email(email):
    """The site users whose profile's address is ``email`` (compared
    case-insensitively): usually one, none for a stranger."""
    email = (email or "").strip().lower()
    if not email:
        return []
    acl_users = api.portal.get_tool("acl_users")
    users = {}
    # Not exact_match: the properties plugin compares that case-sensitively.
    for found in acl_users.searchUsers(email=email):
        userid = found.get("userid") or found.get("id")
        user = api.user.get(userid=userid) if userid else None
        if user is not None and user_email(userid).lower() == email:
            users[userid] = user
    return list(users.values())


def unique_emails(emails):
    """``emails`` without repeats (compared case-insensitively), in order."""
    seen = set()
    result = []
    for email in emails:
        if email.lower() not in seen:
            seen.add(email.lower())
            result.append(email)
    return result


def staff_emails():
    """The members of the staff group, and the settings' staff address if any."""
    emails = [
        user_email(user.getId()) for user in api.user.get_users(groupname=STAFF_GROUP)
    ]
    emails.append((setting("staff_email") or "").strip())
    return unique_emails(email for email in emails if email)


def find_customers(text, limit=20):
    """Site users whose full name, display name for tickets, login or e-mail
    address contains ``text`` (case-insensitive), as ``{"id", "name",
    "email"}``, by name; at most ``limit``."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    acl_users = api.portal.get_tool("acl_users")
    userids = {}
    for criterion in ("fullname", "email", "login", "ticket_display_name"):
        for found in acl_users.searchUsers(**{criterion: text}):
            userid = found.get("userid") or found.get("id")
            if userid:
                userids[userid] = None
    wanted = text.lower()
    result = []
    for userid in userids:
        user = api.user.get(userid=userid)
        if user is None:
            continue
        email = user_email(userid)
        name = display_name(userid)
        haystack = " ".join(
            [
                name,
                user.getProperty("fullname", "") or "",
                email,
                user.getUserName() or "",
            ]
        ).lower()
        if wanted in haystack:
            result.append({"id": userid, "name": name, "email": email})
    result.sort(key=lambda person: (person["name"].lower(), person["id"]))
    return result[:limit]
