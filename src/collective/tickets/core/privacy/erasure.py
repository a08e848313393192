"""Erasure on request: a ticket, or every ticket of a customer, kept for the
help desk's records but no longer about anybody (the GDPR's right to
erasure).

Anonymising a ticket:

- its customer becomes a pseudonym (``anonymised-`` and a random part, one
  per erasure, so a customer's tickets stay together), shown as
  "Anonymised customer": owner, creator and author of their messages;
- the ticket leaves the customer's member folder for a folder named by the
  pseudonym: the customer (if their account is kept) no longer sees it,
  its address no longer names them, and deleting their member folder no
  longer deletes it;
- the customer's and the CC recipients' names and addresses are cut out of
  the subject, every message and note and the rating's comment, the CC list
  is emptied, the names of CC recipients who answered by mail are replaced,
  and the original mails are deleted (their headers name everybody);
- the attachments are kept, or deleted with ``remove_attachments``;
- the ticket's history records who anonymised it and when.

An erased customer's addresses are remembered as SHA-256 digests only, so
that mail from them is refused (``is_erased_address``) without keeping the
addresses themselves.
"""

from AccessControl import Unauthorized
from Acquisition import aq_base
from Acquisition import aq_inner
from Acquisition import aq_parent
from BTrees.OOBTree import OOTreeSet
from collective.tickets import logger
from collective.tickets.content.note import ITicketNote
from collective.tickets.content.ticket import customer_of
from collective.tickets.core import history
from collective.tickets.core.conversation import mail_sender
from collective.tickets.core.conversation import require_ticket
from collective.tickets.core.people import ANONYMISED_PREFIX
from collective.tickets.core.people import display_name
from collective.tickets.core.people import forget_directory
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import user_email
from collective.tickets.core.queries import base_query
from collective.tickets.core.settings import setting
from collective.tickets.core.sla import CLOSED_INDEX
from collective.tickets.core.states import COMPLETED
from collective.tickets.interfaces import DELETE
from html import escape
from OFS.event import ObjectWillBeMovedEvent
from plone import api
from plone.app.redirector.interfaces import IRedirectionStorage
from plone.app.textfield.value import RichTextValue
from plone.dexterity.utils import createContent
from zope.annotation.interfaces import IAnnotations
from zope.component import queryUtility
from zope.container.contained import notifyContainerModified
from zope.event import notify
from zope.lifecycleevent import ObjectMovedEvent

import hashlib
import re
import time
import transaction
import uuid


ERASED_KEY = "collective.tickets.erased_addresses"
# What a name or an address cut out of a text becomes.
REDACTED = "[…]"
# Shorter strings (initials, "Jo") would cut words out of every text.
SHORTEST = 3
# Tickets anonymised between two savepoints (memory stays flat).
BATCH = 100


def new_pseudonym():
    return f"{ANONYMISED_PREFIX}{uuid.uuid4().hex[:12]}"


def is_anonymised(ticket):
    return customer_of(ticket).startswith(ANONYMISED_PREFIX)


def _require_staff(obj=None):
    if not is_staff(obj=obj):
        raise Unauthorized("Only the staff may anonymise tickets.")


def _digest(email):
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _erased(create=False):
    annotations = IAnnotations(api.portal.get())
    erased = annotations.get(ERASED_KEY)
    if erased is None and create:
        erased = annotations[ERASED_KEY] = OOTreeSet()
    return erased


def is_erased_address(email):
    """Whether ``email`` belonged to a customer whose data was erased."""
    erased = _erased()
    return bool(email) and erased is not None and _digest(email) in erased


def _messages(ticket):
    """The ticket and every message in it (replies and notes)."""
    return [ticket, *ticket.objectValues()]


def _stored_properties(userid):
    """What PlonePAS keeps of a user's properties, also for a user just
    deleted: the property sheets go after the user (``deleteMemberData``),
    so while PAS announces the deletion they are there, the user no longer."""
    plugin = getattr(api.portal.get().acl_users, "mutable_properties", None)
    storage = getattr(plugin, "_storage", None)
    data = storage.get(userid) if storage is not None else None
    return dict(data or {})


def _identities(ticket, customer):
    """The names and addresses to cut out of the ticket's texts."""
    found = {customer, display_name(customer), user_email(customer) or ""}
    user = api.user.get(userid=customer)
    if user is not None:
        found.add(user.getProperty("fullname", "") or "")
    stored = _stored_properties(customer)
    found.update(
        str(stored.get(name) or "")
        for name in ("email", "fullname", "ticket_display_name")
    )
    for row in ticket.cc_recipients or ():
        found.update((row.get("email") or "", row.get("name") or ""))
    for obj in _messages(ticket):
        sender = mail_sender(obj)
        if sender:
            found.update((sender.get("email") or "", sender.get("name") or ""))
    found = {value.strip() for value in found if isinstance(value, str)}
    return {value for value in found if len(value) >= SHORTEST}


def _alternatives(values):
    return "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))


# A tag of the HTML, left as it is but for the addresses in it (mailto:).
_TAG = re.compile(r"(<[^>]*>)")


def _scrubber(identities):
    """A function cutting ``identities`` out of a text or an HTML fragment:
    whole words only ("Ana" stays in "Banana"), in the text between tags;
    inside tags only e-mail addresses (a ``mailto:`` link), so the markup
    itself is never touched."""
    variants = set()
    for value in identities:
        variants.update((value, escape(value, quote=False)))
    if not variants:
        return lambda text: text
    words = re.compile(rf"(?<!\w)(?:{_alternatives(variants)})(?!\w)", re.IGNORECASE)
    addresses = [v for v in variants if "@" in v]
    in_tags = (
        re.compile(rf"(?<![\w.+-])(?:{_alternatives(addresses)})(?!\w)", re.IGNORECASE)
        if addresses
        else None
    )

    def scrub(text):
        if not text:
            return text
        parts = _TAG.split(text)
        for index, part in enumerate(parts):
            if index % 2:
                if in_tags is not None:
                    parts[index] = in_tags.sub(REDACTED, part)
            else:
                parts[index] = words.sub(REDACTED, part)
        return "".join(parts)

    return scrub


def _anonymous_folder(pseudonym):
    """The folder of a pseudonym's tickets, beside the member folders (a
    member folder may be deleted with its member; the tickets must not)."""
    members = api.portal.get_tool("portal_membership").getMembersFolder()
    folder = members.get(pseudonym)
    if folder is None:
        folder = createContent("Folder", id=pseudonym, title=pseudonym)
        folder.exclude_from_nav = True
        members._setObject(pseudonym, folder)
        folder = members[pseudonym]
        # Whoever made it owns nothing in it.
        folder.manage_delLocalRoles(
            [userid for userid, _roles in folder.get_local_roles()]
        )
        folder.reindexObjectSecurity()
    return folder


def _move(obj, target):
    """Move ``obj`` into ``target`` as OFS's cut and paste does (events,
    catalog, ownership kept), without the check of the types ``target``
    allows: tickets are added only where the add-on puts them."""
    source = aq_parent(aq_inner(obj))
    name = obj.getId()
    old_path = "/".join(obj.getPhysicalPath())
    notify(ObjectWillBeMovedEvent(obj, source, name, target, name))
    source._delObject(name, suppress_events=True)
    target._setObject(name, aq_base(obj), set_owner=0, suppress_events=True)
    moved = target._getOb(name)
    notify(ObjectMovedEvent(moved, source, name, target, name))
    notifyContainerModified(source)
    notifyContainerModified(target)
    moved._postCopy(target, op=1)
    # Plone would send the old address (the member folder's id) on to the
    # new one: that is the link erasure cuts.
    storage = queryUtility(IRedirectionStorage)
    if storage is not None and old_path in storage:
        storage.remove(old_path)
    return moved


def _anonymise_message(obj, customer, pseudonym, scrub, remove_attachments):
    value = obj.text
    if value is not None:
        obj.text = RichTextValue(scrub(value.raw), value.mimeType, value.outputMimeType)
    creators = tuple(obj.creators or ())
    if customer in creators:
        obj.creators = tuple(pseudonym if c == customer else c for c in creators)
    owner = obj.getOwnerTuple()
    if owner and owner[1] == customer:
        obj._owner = (owner[0], pseudonym)
    if obj.get_local_roles_for_userid(customer):
        obj.manage_delLocalRoles([customer])
    if mail_sender(obj):
        obj.mail_sender = {"email": "", "name": REDACTED}
    if getattr(aq_base(obj), "original_mail", None) is not None:
        del obj.original_mail
    if remove_attachments:
        obj.attachments = []
        if getattr(aq_base(obj), "attachment_thumbnails", None) is not None:
            del obj.attachment_thumbnails


def anonymise_ticket(ticket, pseudonym=None, remove_attachments=False):
    """Anonymise ``ticket`` (see the module); the staff only. Returns the
    ticket in its new place. A ticket anonymised already is left alone."""
    require_ticket(ticket)
    _require_staff(ticket)
    if is_anonymised(ticket):
        return ticket
    customer = customer_of(ticket)
    pseudonym = pseudonym or new_pseudonym()
    scrub = _scrubber(_identities(ticket, customer))
    with api.env.adopt_roles(["Manager"]):
        ticket.title = scrub(ticket.title)
        ticket.cc_recipients = []
        stored = getattr(aq_base(ticket), "ticket_rating", None)
        if stored:
            score, comment, when = stored
            ticket.ticket_rating = (score, scrub(comment), when)
        for obj in _messages(ticket):
            _anonymise_message(obj, customer, pseudonym, scrub, remove_attachments)
        history.record(ticket, history.ANONYMISED, None, None)
        # Out of the member folder: its roles no longer reach the ticket,
        # and deleting the member's folder no longer deletes it.
        ticket = _move(ticket, _anonymous_folder(pseudonym))
        ticket.reindexObjectSecurity()
        ticket.reindexObject()
        # Notes are catalogued (replies are not): their words changed.
        for obj in ticket.objectValues():
            if ITicketNote.providedBy(obj):
                obj.reindexObject()
    return ticket


def anonymise_customer(userid, remove_attachments=False, addresses=()):
    """Anonymise every ticket of ``userid`` under one pseudonym and refuse
    mail from their address (and ``addresses``) from now on; the staff only.
    Returns the number of tickets anonymised."""
    _require_staff()
    if not userid or userid.startswith(ANONYMISED_PREFIX):
        return 0
    addresses = {user_email(userid) or "", *addresses}
    catalog = api.portal.get_tool("portal_catalog")
    paths = [
        brain.getPath()
        for brain in catalog.unrestrictedSearchResults(
            **dict(base_query(), ticket_customer=userid)
        )
    ]
    pseudonym = new_pseudonym()
    portal = api.portal.get()
    count = 0
    for path in paths:
        ticket = portal.unrestrictedTraverse(path)
        if customer_of(ticket) != userid:
            continue
        anonymise_ticket(ticket, pseudonym, remove_attachments)
        count += 1
        if count % BATCH == 0:
            transaction.savepoint(optimistic=True)
    erased = _erased(create=True)
    for address in addresses:
        if address:
            erased.insert(_digest(address))
    forget_directory()
    return count


def _ticket_paths(query):
    catalog = api.portal.get_tool("portal_catalog")
    return [brain.getPath() for brain in catalog.unrestrictedSearchResults(**query)]


def delete_tickets(paths):
    """Delete the tickets at ``paths`` (with their messages, notes and
    files), a savepoint every ``BATCH``; the number deleted."""
    portal = api.portal.get()
    count = 0
    with api.env.adopt_roles(["Manager"]):
        for path in paths:
            ticket = portal.unrestrictedTraverse(path, None)
            if ticket is None:
                continue
            parent = ticket.__parent__
            parent.manage_delObjects([ticket.getId()])
            count += 1
            if count % BATCH == 0:
                transaction.savepoint(optimistic=True)
    return count


def _stored_email(userid):
    return _stored_properties(userid).get("email") or ""


def member_deleted(event):
    """A member was deleted in Plone (PAS's event): their tickets are
    anonymised or deleted, as the ``on_member_deleted`` setting says, never
    left behind with an owner that no longer exists."""
    userid = event.principal
    if not isinstance(userid, str) or userid.startswith(ANONYMISED_PREFIX):
        return
    paths = _ticket_paths(dict(base_query(), ticket_customer=userid))
    if not paths:
        return
    with api.env.adopt_roles(["Manager"]):
        if setting("on_member_deleted") == DELETE:
            count = delete_tickets(paths)
            erased = _erased(create=True)
            address = _stored_email(userid)
            if address:
                erased.insert(_digest(address))
            action = "deleted"
        else:
            count = anonymise_customer(
                userid,
                remove_attachments=bool(setting("erasure_remove_attachments")),
                addresses=[_stored_email(userid)],
            )
            action = "anonymised"
    logger.info("Member %s deleted: %s of their tickets %s", userid, count, action)


def apply_retention(now=None):
    """The periodic job's part: tickets completed more than
    ``retention_months`` ago are anonymised or deleted, as
    ``retention_action`` says; nothing while the setting is 0. Returns
    ``(action, count)``."""
    months = setting("retention_months") or 0
    if months <= 0:
        return None, 0
    now = now or time.time()
    # A month as the calendar's average (30.44 days): retention is counted
    # in months, not to the day.
    limit = now - months * 30.44 * 86400
    paths = _ticket_paths(
        dict(
            base_query(),
            review_state=COMPLETED,
            **{CLOSED_INDEX: {"query": limit, "range": "max"}},
        )
    )
    with api.env.adopt_roles(["Manager"]):
        if setting("retention_action") == DELETE:
            action, count = "deleted", delete_tickets(paths)
        else:
            remove = bool(setting("erasure_remove_attachments"))
            portal = api.portal.get()
            count = 0
            for path in paths:
                ticket = portal.unrestrictedTraverse(path, None)
                if ticket is None or is_anonymised(ticket):
                    continue
                anonymise_ticket(ticket, remove_attachments=remove)
                count += 1
                if count % BATCH == 0:
                    transaction.savepoint(optimistic=True)
            action = "anonymised"
    if count:
        logger.info(
            "Retention (%s months): %s completed tickets %s", months, count, action
        )
    return action, count
