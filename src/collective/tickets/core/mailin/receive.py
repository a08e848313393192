"""One incoming mail, from whichever door it came in (``api.receive_mail``,
``@@mail-in``, the IMAP fetcher): matched to its ticket, checked, stored.

The order of the checks is the security argument (docs/security.rst):

1. Robots (auto-replies, bounces, list mail, our own notifications) are
   dropped first and never answered: no loop can start.
2. A mail the receiving server found forged (DMARC failed) is refused.
3. The same Message-ID is stored once.
4. The ticket is named by the signed code in the address the mail was sent
   to, else by the signed Message-IDs it answers; a code or an ID that does
   not verify is refused, never taken for a new ticket. The subject is
   never used.
5. The sender must belong to that ticket: its customer, one of its CC
   recipients, or staff. The reply is then written as that person, with
   their permissions (a CC recipient on the customer's).
6. A closed ticket takes no reply: one automatic answer, rate-limited.
7. A mail that names no ticket opens one for a member with that address
   (or, if the settings allow it, for a new account); else it is refused.
"""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets import logger
from collective.tickets.content.ticket import customer_of
from collective.tickets.core.cc import check_email
from collective.tickets.core.cc import MAX_CC_RECIPIENTS
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.lifecycle import create
from collective.tickets.core.lifecycle import reply
from collective.tickets.core.lifecycle import state
from collective.tickets.core.mailin.answers import closed_ticket_answer
from collective.tickets.core.mailin.parse import parse
from collective.tickets.core.mailin.robots import automatic_reason
from collective.tickets.core.mailin.robots import dmarc_failed
from collective.tickets.core.mailin.store import keep_original
from collective.tickets.core.mailin.store import link_inline_images
from collective.tickets.core.mailin.store import mail_content
from collective.tickets.core.mailin.tokens import code_of_address
from collective.tickets.core.mailin.tokens import is_unsigned_message_id
from collective.tickets.core.mailin.tokens import support_address
from collective.tickets.core.mailin.tokens import ticket_by_uid
from collective.tickets.core.mailin.tokens import uid_of_code
from collective.tickets.core.mailin.tokens import uid_of_message_id
from collective.tickets.core.message import clean_text
from collective.tickets.core.message import SUBJECT_MAX_LENGTH
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import user_email
from collective.tickets.core.people import users_with_email
from collective.tickets.core.privacy.erasure import is_erased_address
from collective.tickets.core.settings import setting
from collective.tickets.core.states import IN_PROGRESS
from dataclasses import dataclass
from DateTime import DateTime
from datetime import UTC
from email.utils import parsedate_to_datetime
from plone import api
from zope.globalrequest import getRequest
from zope.i18n import translate

import re
import secrets
import transaction


ADDED = "added"
CREATED = "created"
IGNORED = "ignored"
REFUSED = "refused"


@dataclass
class Outcome:
    status: str
    reason: str
    ticket: object = None
    message: object = None

    def to_dict(self):
        return {
            "status": self.status,
            "reason": self.reason,
            "ticket": self.ticket.absolute_url() if self.ticket is not None else None,
        }


def _log(outcome, mail):
    logger.info(
        "Mail %s from %s: %s (%s)",
        mail.message_id,
        mail.sender_email,
        outcome.status,
        outcome.reason,
    )
    return outcome


def already_received(message_id):
    """The ticket that already holds the mail with this Message-ID, if any."""
    if not message_id:
        return None
    catalog = api.portal.get_tool("portal_catalog")
    for brain in catalog.unrestrictedSearchResults(ticket_mail_ids=message_id):
        return brain._unrestrictedGetObject()
    return None


class Forged(Exception):
    """The mail names a ticket with a code or ID this site did not sign."""


def answered_stored_mail(mail):
    """The ticket holding a mail this one answers (In-Reply-To, References),
    or None. Only for an imported mailbox (``receive_mail(past=True)``): the
    operator vouches for those mails, which came from the old helpdesk and
    carry none of our signed codes; live mail is never matched this way."""
    for reference in mail.references:
        ticket = already_received(reference)
        if ticket is not None:
            return ticket
    return None


def mail_date(mail):
    """When the mail was written (its Date header), or None."""
    try:
        moment = parsedate_to_datetime(mail.header("Date"))
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def backdate(outcome, moment):
    """Date the message an imported mail became as the mail: the ticket's
    opening (its first workflow entry too) or the reply; the catalog follows
    at the commit."""
    obj = outcome.message
    if obj is None or moment is None:
        return
    when = DateTime(moment)
    obj.creation_date = obj.modification_date = when
    if outcome.status == CREATED:
        history = obj.workflow_history.get("ticket_workflow")
        if history:
            first = dict(history[0])
            first["time"] = when
            obj.workflow_history["ticket_workflow"] = (first, *history[1:])
        obj.reindexObject()
    else:
        # Mails are imported oldest first: the newest so far is this one.
        # (A reply has no catalog entry: its ticket's carries its date.)
        ticket = outcome.ticket
        ticket.modification_date = when
        ticket.reindexObject()


def named_ticket(mail):
    """The ticket the mail answers, None when it names none, or Forged."""
    addresses = [email for _name, email in mail.recipients] + mail.delivered_to
    codes = [code for code in map(code_of_address, addresses) if code]
    for code in codes:
        uid = uid_of_code(code)
        if uid is None:
            raise Forged("its reply address carries a code this site did not sign")
        ticket = ticket_by_uid(uid)
        if ticket is None:
            raise Forged("it answers a ticket that no longer exists")
        return ticket
    # The IDs of mail sent before they were signed name no ticket: such an
    # answer is taken as new mail (a member's opens a ticket), not refused.
    ours = [
        reference
        for reference in mail.references
        if reference.lower().startswith("<ticket.")
        and not is_unsigned_message_id(reference)
    ]
    for reference in ours:
        uid = uid_of_message_id(reference)
        ticket = ticket_by_uid(uid)
        if ticket is not None:
            return ticket
    if ours:
        raise Forged("it refers to messages this site did not send")
    return None


@dataclass
class Author:
    """Who a mail is from, as far as a ticket is concerned."""

    user: object = None  # the site user who writes (the customer for a CC)
    cc: dict = None  # the CC row, when a CC recipient writes


def allowed_author(ticket, mail):
    """The ticket's customer, a staff member or a CC recipient with the
    mail's sender address, or None: nobody else may write to the ticket."""
    sender = mail.sender_email
    customer = customer_of(ticket)
    if sender == user_email(customer).lower():
        return Author(user=api.user.get(userid=customer))
    for user in users_with_email(sender):
        if is_staff(user=user, obj=ticket):
            return Author(user=user)
    for row in ticket.cc_recipients or ():
        if row["email"].lower() == sender:
            return Author(user=api.user.get(userid=customer), cc=row)
    return None


def _as(user):
    return api.env.adopt_user(user=user)


def add_reply(ticket, mail):
    author = allowed_author(ticket, mail)
    if author is None or author.user is None:
        return Outcome(
            REFUSED,
            f"{mail.sender_email} is neither the customer, a CC recipient nor "
            "staff of this ticket",
            ticket,
        )
    if state(ticket) != IN_PROGRESS:
        answered = closed_ticket_answer(ticket, mail)
        return Outcome(
            REFUSED,
            "the ticket is completed"
            + (
                "; the sender was told"
                if answered
                else "; already told within the hour"
            ),
            ticket,
        )
    content = mail_content(mail)
    sender = None
    if author.cc is not None:
        sender = (author.cc["email"], author.cc.get("name") or mail.sender_name)

    def before_add(obj):
        keep_original(obj, mail)
        link_inline_images(content)
        obj.text = clean_text(content.html)

    with _as(author.user):
        message = reply(
            ticket, content.html, content.files, sender=sender, before_add=before_add
        )
    return Outcome(ADDED, "added to the ticket", ticket, message)


_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|rv|fw|fwd|rif|enc)\s*:\s*)+", re.IGNORECASE)


def _subject(mail):
    subject = _REPLY_PREFIX.sub("", mail.subject).strip() or mail.subject.strip()
    if not subject:
        subject = translate(
            _("mail_no_subject", default="(No subject)"), context=getRequest()
        )
    return subject[:SUBJECT_MAX_LENGTH]


def _cc_rows(mail, customer_email):
    """The mail's other recipients, as the form would take them: valid
    addresses, not the support address or the customer, at most the limit;
    a reason for each one left out."""
    support = support_address().lower()
    rows, left_out, seen = [], [], {customer_email.lower(), support}
    for name, email in mail.recipients:
        key = email.lower()
        if key in seen or code_of_address(key) is not None:
            continue
        seen.add(key)
        try:
            check_email(email)
        except TicketInputError as error:
            left_out.append(translate(error.message, context=getRequest()))
            continue
        if len(rows) >= MAX_CC_RECIPIENTS:
            left_out.append(f"{email} (CC)")
            continue
        rows.append({"email": email, "name": name})
    return rows, left_out


def new_account(mail):
    """An account for an unknown sender (when the settings allow it), who
    can set a password with "Forgot your password?" to read their tickets."""
    email = mail.sender_email
    check_email(email)
    with api.env.adopt_roles(["Manager"]):
        registry_login = api.portal.get_registry_record(
            "plone.use_email_as_login", default=False
        )
        username = None
        if not registry_login:
            base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0]) or "customer"
            username = base
            while api.user.get(username=username) is not None:
                username = f"{base}{secrets.randbelow(10000)}"
        user = api.user.create(
            email=email,
            username=username,
            password=secrets.token_urlsafe(24),
            properties={"fullname": mail.sender_name},
        )
    logger.info("Created the account %s for %s, who wrote in", user.getId(), email)
    return api.user.get(userid=user.getId())


def open_ticket(mail):
    users = users_with_email(mail.sender_email)
    customers = [user for user in users if not is_staff(user=user)]
    if len(users) > 1 and len(customers) != 1:
        return Outcome(REFUSED, f"{mail.sender_email} belongs to more than one account")
    user = customers[0] if customers else (users[0] if users else None)
    if user is None:
        if not setting("unknown_senders_may_open"):
            return Outcome(
                REFUSED,
                f"{mail.sender_email} has no account, and the settings let only "
                "members open tickets by e-mail",
            )
        user = new_account(mail)
    rows, cc_left_out = _cc_rows(mail, mail.sender_email)
    content = mail_content(mail, strip=False, left_out=cc_left_out)

    def before_add(obj):
        keep_original(obj, mail)
        link_inline_images(content)
        obj.text = clean_text(content.html)

    with _as(user):
        ticket = create(
            _subject(mail),
            content.html,
            cc=rows,
            attachments=content.files,
            before_add=before_add,
        )
    return Outcome(CREATED, "opened a new ticket", ticket, ticket)


def receive_mail(raw, past=False):
    """Process one RFC 5322 message (bytes) as the site; see the module's
    docstring. Returns an Outcome; raises NotAMessage for bytes that are no
    mail. Does not commit.

    ``past``: the mail comes from an old support mailbox being imported
    (``tickets-import``): it answers the ticket of a stored mail it refers
    to, it is dated as written, and a staff member's mail that answers no
    stored mail is refused (it would open a ticket in the staff's name). The
    caller keeps the content rules quiet."""
    mail = parse(raw)
    robot = automatic_reason(mail)
    if robot:
        return _log(Outcome(IGNORED, f"not written by a person: {robot}"), mail)
    if dmarc_failed(mail):
        return _log(
            Outcome(
                REFUSED, "the receiving mail server found the sender forged (DMARC)"
            ),
            mail,
        )
    earlier = already_received(mail.message_id)
    if earlier is not None:
        return _log(Outcome(IGNORED, "this message was stored already", earlier), mail)
    if is_erased_address(mail.sender_email):
        # Erasure is for good: no new ticket, no reply, in nobody's name.
        return _log(
            Outcome(
                REFUSED,
                "the sender's address belonged to a customer whose data was erased",
            ),
            mail,
        )
    try:
        ticket = named_ticket(mail)
    except Forged as error:
        return _log(Outcome(REFUSED, str(error)), mail)
    if past and ticket is None:
        ticket = answered_stored_mail(mail)
        if ticket is None and any(
            is_staff(user=user) for user in users_with_email(mail.sender_email)
        ):
            return _log(
                Outcome(
                    REFUSED,
                    f"{mail.sender_email} is staff, and the mail answers no "
                    "imported mail: it would open a ticket in the staff's name",
                ),
                mail,
            )
    # A refusal stores nothing, not even what came before it (the account
    # made for an unknown sender whose ticket is then refused).
    savepoint = transaction.savepoint()
    try:
        outcome = open_ticket(mail) if ticket is None else add_reply(ticket, mail)
    except TicketInputError as error:
        savepoint.rollback()
        reason = translate(error.message, target_language="en")
        outcome = Outcome(REFUSED, f"the message was refused: {reason}", ticket)
    except Unauthorized as error:
        savepoint.rollback()
        outcome = Outcome(REFUSED, f"not allowed: {error}", ticket)
    if past and outcome.status in (CREATED, ADDED):
        backdate(outcome, mail_date(mail))
    return _log(outcome, mail)
