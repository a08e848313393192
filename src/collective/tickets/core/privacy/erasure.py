"""Erasure on request: a ticket, or every ticket of a customer, kept for the
help desk's records but no longer about anybody (the GDPR's right to
erasure).

Anonymising a ticket:

- its customer becomes a pseudonym (``anonymised-`` and a random part, one
  per erasure, so a customer's tickets stay together), shown as
  "Anonymised customer": owner, creator and author of their messages;
- the ticket stays where it is (its address keeps the member folder's id)
  but no longer inherits the member folder's roles: the customer, if their
  account is kept, no longer sees it;
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
from BTrees.OOBTree import OOTreeSet
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
from html import escape
from plone import api
from plone.app.textfield.value import RichTextValue
from zope.annotation.interfaces import IAnnotations

import hashlib
import re
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


def _identities(ticket, customer):
    """The names and addresses to cut out of the ticket's texts."""
    found = {customer, display_name(customer), user_email(customer) or ""}
    user = api.user.get(userid=customer)
    if user is not None:
        found.add(user.getProperty("fullname", "") or "")
    for row in ticket.cc_recipients or ():
        found.update((row.get("email") or "", row.get("name") or ""))
    for obj in _messages(ticket):
        sender = mail_sender(obj)
        if sender:
            found.update((sender.get("email") or "", sender.get("name") or ""))
    found = {value.strip() for value in found if isinstance(value, str)}
    return {value for value in found if len(value) >= SHORTEST}


def _scrubber(identities):
    variants = set()
    for value in identities:
        variants.update((value, escape(value, quote=False)))
    if not variants:
        return lambda text: text
    pattern = re.compile(
        "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)),
        re.IGNORECASE,
    )
    return lambda text: pattern.sub(REDACTED, text) if text else text


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
        # The customer's roles came from their member folder too: the
        # ticket stops inheriting local roles (the staff's roles are the
        # site's, not local ones).
        ticket.__ac_local_roles_block__ = True
        history.record(ticket, history.ANONYMISED, None, None)
        ticket.reindexObjectSecurity()
        ticket.reindexObject()
        # Notes are catalogued (replies are not): their words changed.
        for obj in ticket.objectValues():
            if ITicketNote.providedBy(obj):
                obj.reindexObject()
    return ticket


def anonymise_customer(userid, remove_attachments=False):
    """Anonymise every ticket of ``userid`` under one pseudonym and refuse
    mail from their addresses from now on; the staff only. Returns the
    number of tickets anonymised."""
    _require_staff()
    if not userid or userid.startswith(ANONYMISED_PREFIX):
        return 0
    addresses = {user_email(userid) or ""}
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
