"""Erasure on request: a ticket, or every ticket of a customer, kept for the
help desk's records but no longer about anybody (the GDPR's right to
erasure).

Anonymising a ticket:

- its customer becomes a pseudonym (``anonymised-`` and a random part, one
  per erasure, so a customer's tickets stay together; the site keeps the
  pseudonyms it gave), shown as "Anonymised customer": owner, creator and
  author of their messages, and who made their changes in the ticket's
  history and its workflow history;
- the ticket leaves the customer's member folder for a folder named by the
  pseudonym: the customer (if their account is kept) no longer sees it,
  its address no longer names them, no redirect leads from their folder to
  it or its messages, and deleting their member folder no longer deletes
  it;
- the customer's and the CC recipients' names and addresses are cut out of
  the subject, every message and note and the rating's comment, the CC list
  is emptied, the names of CC recipients who answered by mail are replaced,
  and the original mails are deleted (their headers name everybody);
- the attachments are kept, or deleted with ``remove_attachments``;
- the ticket's history records who anonymised it and when.

An erased customer's addresses are remembered as keyed digests only, so
that mail from them is refused (``is_erased_address``) without keeping the
addresses themselves.

Erasing many tickets (a customer's, a deleted member's) happens in the
caller's transaction, all or nothing; retention, in the periodic job,
commits each batch in a transaction of its own (``_each_ticket``).
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
from collective.tickets.core.keys import digest
from collective.tickets.core.keys import ring_keys
from collective.tickets.core.mailin.answers import forget_address
from collective.tickets.core.people import display_name
from collective.tickets.core.people import forget_directory
from collective.tickets.core.people import is_pseudonym
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import new_pseudonym
from collective.tickets.core.people import pseudonyms
from collective.tickets.core.people import user_email
from collective.tickets.core.privacy import access
from collective.tickets.core.privacy.scrub import REDACTED
from collective.tickets.core.privacy.scrub import Scrubber
from collective.tickets.core.privacy.scrub import SHORTEST
from collective.tickets.core.queries import base_query
from collective.tickets.core.settings import setting
from collective.tickets.core.sla import CLOSED_INDEX
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.stored import stored
from collective.tickets.core.transactions import in_own_transaction
from collective.tickets.core.uploads import forget_user
from collective.tickets.interfaces import DELETE
from OFS.event import ObjectWillBeMovedEvent
from plone import api
from plone.app.redirector.interfaces import IRedirectionStorage
from plone.app.textfield.value import RichTextValue
from plone.dexterity.utils import createContent
from ZODB.POSException import ConflictError
from zope.component import queryUtility
from zope.container.contained import notifyContainerModified
from zope.event import notify
from zope.lifecycleevent import ObjectMovedEvent

import time
import transaction
import uuid


ERASED_KEY = "collective.tickets.erased_addresses"
# The keyring of the erased addresses' digests. Never rotate it: an address
# erased under a key that has dropped out of the ring is no longer refused.
RING = "collective.tickets.erasure"
# Tickets erased between two savepoints or commits (memory stays flat).
BATCH = 100


def is_anonymised(ticket):
    return is_pseudonym(customer_of(ticket))


def _require_staff(obj=None):
    if not is_staff(obj=obj):
        raise Unauthorized("Only the staff may anonymise tickets.")


def _digest(key, email):
    """An address as kept: a keyed digest (HMAC-SHA256 with a key of the
    site's keyring), so that one cannot tell from the database alone
    whether a given address was erased."""
    return digest(key, email.strip().lower()).hex()


def is_erased_address(email):
    """Whether ``email`` belonged to a customer whose data was erased."""
    erased = stored(api.portal.get(), ERASED_KEY)
    if not email or erased is None:
        return False
    return any(_digest(key, email) in erased for key in ring_keys(RING))


def _remember_erased(addresses):
    """Refuse mail from ``addresses`` from now on (kept as digests), and
    forget when they were last answered automatically."""
    addresses = [address for address in addresses if address]
    if addresses:
        erased = stored(api.portal.get(), ERASED_KEY, OOTreeSet)
        key = ring_keys(RING, create=True)[0]
        for address in addresses:
            erased.insert(_digest(key, address))
            forget_address(address)


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
    stored_properties = _stored_properties(customer)
    found.update(
        str(stored_properties.get(name) or "")
        for name in ("email", "fullname", "ticket_display_name")
    )
    for row in ticket.cc_recipients or ():
        found.update((row.get("email") or "", row.get("name") or ""))
    # CC recipients told of the ticket, also those removed since.
    found.update(getattr(aq_base(ticket), "cc_introduced", ()) or ())
    for obj in _messages(ticket):
        sender = mail_sender(obj)
        if sender:
            found.update((sender.get("email") or "", sender.get("name") or ""))
    found = {value.strip() for value in found if isinstance(value, str)}
    return {value for value in found if len(value) >= SHORTEST}


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


def _neutral_id(ticket, target):
    """A name for the ticket that says nothing of anybody (its id was made
    from its subject): its number, or a random one."""
    number = getattr(aq_base(ticket), "ticket_number", None)
    name = f"ticket-{number}" if number else f"ticket-{uuid.uuid4().hex[:12]}"
    while target._getOb(name, None) is not None:
        name = f"ticket-{uuid.uuid4().hex[:12]}"
    return name


def _move(obj, target, new_name):
    """Move ``obj`` into ``target`` under ``new_name`` as OFS's cut and
    paste does (events, catalog, ownership kept), without the check of the
    types ``target`` allows: tickets are added only where the add-on puts
    them."""
    source = aq_parent(aq_inner(obj))
    name = obj.getId()
    notify(ObjectWillBeMovedEvent(obj, source, name, target, new_name))
    source._delObject(name, suppress_events=True)
    obj = aq_base(obj)
    obj._setId(new_name)
    target._setObject(new_name, obj, set_owner=0, suppress_events=True)
    moved = target._getOb(new_name)
    notify(ObjectMovedEvent(moved, source, name, target, new_name))
    notifyContainerModified(source)
    notifyContainerModified(target)
    moved._postCopy(target, op=1)
    _forget_redirects(moved)
    return moved


def _forget_redirects(ticket):
    """Plone sends old addresses (the member folder's, naming the customer)
    on to the new ones, for the ticket and each message moved with it: the
    link that erasure cuts."""
    storage = queryUtility(IRedirectionStorage)
    if storage is None:
        return
    for obj in _messages(ticket):
        for old_path in storage.redirects("/".join(obj.getPhysicalPath())):
            storage.remove(old_path)


def _anonymise_workflow_history(obj, customer, pseudonym, scrub):
    histories = getattr(aq_base(obj), "workflow_history", None)
    for workflow, entries in list((histories or {}).items()):
        changed = []
        for entry in entries:
            entry = dict(entry)
            if entry.get("actor") == customer:
                entry["actor"] = pseudonym
            if entry.get("comments"):
                entry["comments"] = scrub.text(entry["comments"])
            changed.append(entry)
        histories[workflow] = tuple(changed)


def _anonymise_message(obj, customer, pseudonym, scrub, remove_attachments):
    value = obj.text
    if value is not None:
        raw = (
            scrub.html(value.raw)
            if "html" in (value.mimeType or "")
            else scrub.text(value.raw)
        )
        obj.text = RichTextValue(raw, value.mimeType, value.outputMimeType)
    creators = tuple(obj.creators or ())
    if customer in creators:
        obj.creators = tuple(pseudonym if c == customer else c for c in creators)
    owner = obj.getOwnerTuple()
    if owner and owner[1] == customer:
        obj._owner = (owner[0], pseudonym)
    if obj.get_local_roles_for_userid(customer):
        obj.manage_delLocalRoles([customer])
    _anonymise_workflow_history(obj, customer, pseudonym, scrub)
    if mail_sender(obj):
        obj.mail_sender = {"email": "", "name": REDACTED}
    if getattr(aq_base(obj), "original_mail", None) is not None:
        del obj.original_mail
    if remove_attachments:
        _remove_attachments(obj)
    for attachment in obj.attachments or ():
        # "Carla Customer passport.pdf".
        if attachment.filename:
            attachment.filename = scrub.text(attachment.filename)


def _remove_attachments(obj):
    if obj.attachments:
        obj.attachments = []
    if getattr(aq_base(obj), "attachment_thumbnails", None) is not None:
        del obj.attachment_thumbnails


def _anonymise(ticket, pseudonym, remove_attachments):
    """Anonymise ``ticket`` under ``pseudonym``: the ticket in its new
    place, or None when it was anonymised already."""
    if is_anonymised(ticket):
        return None
    customer = customer_of(ticket)
    scrub = Scrubber(_identities(ticket, customer))
    with api.env.adopt_roles(["Manager"]):
        ticket.title = scrub.text(ticket.title)
        ticket.cc_recipients = []
        if getattr(aq_base(ticket), "cc_introduced", None) is not None:
            del ticket.cc_introduced
        rating = getattr(aq_base(ticket), "ticket_rating", None)
        if rating:
            score, comment, when = rating
            ticket.ticket_rating = (score, scrub.text(comment), when)
        for obj in _messages(ticket):
            _anonymise_message(obj, customer, pseudonym, scrub, remove_attachments)
        history.replace_actor(ticket, customer, pseudonym)
        history.record(ticket, history.ANONYMISED, None, None)
        # Out of the member folder: its roles no longer reach the ticket,
        # and deleting the member's folder no longer deletes it.
        old_id = ticket.getId()
        folder = _anonymous_folder(pseudonym)
        ticket = _move(ticket, folder, _neutral_id(ticket, folder))
        # The record of access names files, and the ticket by its old id.
        access.rewrite_details(
            ticket, lambda detail: scrub.text(_renamed(detail, old_id, ticket.getId()))
        )
        ticket.reindexObjectSecurity()
        ticket.reindexObject()
        # Notes are catalogued (replies are not): their words changed.
        for obj in ticket.objectValues():
            if ITicketNote.providedBy(obj):
                obj.reindexObject()
    return ticket


def _renamed(detail, old_id, new_id):
    if detail == old_id or detail.startswith(f"{old_id}/"):
        return new_id + detail[len(old_id) :]
    return detail


def anonymise_ticket(ticket, remove_attachments=False):
    """Anonymise ``ticket`` (see the module); the staff only. Returns the
    ticket in its new place. Of a ticket anonymised already, only the
    attachments are deleted when asked (they were kept the first time)."""
    require_ticket(ticket)
    _require_staff(ticket)
    if is_anonymised(ticket):
        if remove_attachments:
            with api.env.adopt_roles(["Manager"]):
                for obj in _messages(ticket):
                    _remove_attachments(obj)
        return ticket
    return _anonymise(ticket, new_pseudonym(), remove_attachments)


def _each_ticket(paths, action, commit=False, errors=None):
    """``action(ticket)`` for each ticket at ``paths`` (one gone meanwhile
    is skipped); how many times it did something (returned true).

    Without ``commit``, in the caller's transaction (a staff request, a
    member's deletion: all or nothing), a savepoint every ``BATCH`` keeping
    memory flat. With ``commit`` (the periodic job), each ``BATCH`` in a
    transaction of its own, tried again after a conflict; a ticket that
    fails is rolled back, logged and added to ``errors`` for the next run,
    and the others go on.
    """
    portal = api.portal.get()
    count = 0
    for start in range(0, len(paths), BATCH):
        batch = paths[start : start + BATCH]
        if not commit:
            for path in batch:
                ticket = portal.unrestrictedTraverse(path, None)
                if ticket is not None and action(ticket):
                    count += 1
            transaction.savepoint(optimistic=True)
            continue
        try:
            done, failed = in_own_transaction(
                lambda batch=batch: _each_on_its_own(portal, batch, action),
                f"collective.tickets: erasure of {len(batch)} tickets",
            )
        except ConflictError as error:
            transaction.abort()
            logger.warning("Erasure: a batch still conflicts, next run")
            failed = [f"{batch[0]} and {len(batch) - 1} more: {error!r}"]
            done = 0
        count += done
        if errors is not None:
            errors.extend(failed)
    return count


def _each_on_its_own(portal, paths, action):
    """One batch of ``_each_ticket(commit=True)``: ``(done, failed)``."""
    done = 0
    failed = []
    for path in paths:
        ticket = portal.unrestrictedTraverse(path, None)
        if ticket is None:
            continue
        savepoint = transaction.savepoint(optimistic=True)
        try:
            if action(ticket):
                done += 1
        except ConflictError:
            raise
        except Exception as error:  # noqa: BLE001 - the next run tries again
            savepoint.rollback()
            logger.exception("Erasure: %s failed", path)
            failed.append(f"{path}: {error!r}")
    return done, failed


def anonymise_customer(userid, remove_attachments=False, addresses=()):
    """Anonymise every ticket of ``userid`` under one pseudonym and refuse
    mail from their address (and ``addresses``) from now on; the staff only.
    Returns the number of tickets anonymised."""
    _require_staff()
    if not userid or is_pseudonym(userid):
        return 0
    addresses = {user_email(userid) or "", *addresses}
    paths = _ticket_paths(dict(base_query(), ticket_customer=userid))
    pseudonym = new_pseudonym()
    count = _each_ticket(
        paths,
        lambda ticket: (
            customer_of(ticket) == userid
            and _anonymise(ticket, pseudonym, remove_attachments)
        ),
    )
    _remember_erased(addresses)
    forget_user(userid)
    forget_directory()
    return count


def _ticket_paths(query, anonymised=True):
    """The paths of the tickets ``query`` finds; without those anonymised
    already unless ``anonymised`` (told by the catalog, none is loaded)."""
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(**query)
    if anonymised:
        return [brain.getPath() for brain in brains]
    customers = catalog._catalog.getIndex("ticket_customer")
    given = pseudonyms()
    return [
        brain.getPath()
        for brain in brains
        if customers.getEntryForObject(brain.getRID(), "") not in given
    ]


def _delete(ticket):
    with api.env.adopt_roles(["Manager"]):
        ticket.__parent__.manage_delObjects([ticket.getId()])
    return True


def delete_tickets(paths, commit=False, errors=None):
    """Delete the tickets at ``paths`` (with their messages, notes and
    files); the number deleted. ``commit`` and ``errors``: as for
    ``_each_ticket``."""
    return _each_ticket(paths, _delete, commit, errors)


def _stored_email(userid):
    return _stored_properties(userid).get("email") or ""


def member_deleted(event):
    """A member was deleted in Plone (PAS's event): their tickets are
    anonymised or deleted, as the ``on_member_deleted`` setting says, never
    left behind with an owner that no longer exists."""
    userid = event.principal
    if not isinstance(userid, str) or is_pseudonym(userid):
        return
    paths = _ticket_paths(dict(base_query(), ticket_customer=userid))
    if not paths:
        return
    with api.env.adopt_roles(["Manager"]):
        if setting("on_member_deleted") == DELETE:
            count = delete_tickets(paths)
            _remember_erased([_stored_email(userid)])
            forget_user(userid)
            action = "deleted"
        else:
            count = anonymise_customer(
                userid,
                remove_attachments=bool(setting("erasure_remove_attachments")),
                addresses=[_stored_email(userid)],
            )
            action = "anonymised"
    logger.info("Member %s deleted: %s of their tickets %s", userid, count, action)


def apply_retention(now=None, errors=None):
    """The periodic job's part: tickets completed more than
    ``retention_months`` ago are anonymised or deleted, as
    ``retention_action`` says, each batch committed in a transaction of its
    own (a failure is logged, added to ``errors`` and tried again next
    run); nothing while the setting is 0. Returns ``(action, count)``."""
    months = setting("retention_months") or 0
    if months <= 0:
        return None, 0
    now = now or time.time()
    # A month as the calendar's average (30.44 days): retention is counted
    # in months, not to the day.
    limit = now - months * 30.44 * 86400
    query = dict(
        base_query(),
        review_state=COMPLETED,
        **{CLOSED_INDEX: {"query": limit, "range": "max"}},
    )
    if setting("retention_action") == DELETE:
        action = "deleted"
        count = delete_tickets(_ticket_paths(query), commit=True, errors=errors)
    else:
        action = "anonymised"
        remove = bool(setting("erasure_remove_attachments"))
        # One pseudonym per customer and run, so that their tickets stay
        # together; one given in a transaction rolled back is not reused.
        pseudonyms = {}

        def anonymise(ticket):
            customer = customer_of(ticket)
            pseudonym = pseudonyms.get(customer)
            if pseudonym is None or not is_pseudonym(pseudonym):
                pseudonym = pseudonyms[customer] = new_pseudonym()
            return _anonymise(ticket, pseudonym, remove) is not None

        paths = _ticket_paths(query, anonymised=False)
        count = _each_ticket(paths, anonymise, commit=True, errors=errors)
    if count:
        logger.info(
            "Retention (%s months): %s completed tickets %s", months, count, action
        )
    return action, count
