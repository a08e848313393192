"""Satisfaction: once a ticket is completed, its customer rates how it was
handled, 1 to 5 with an optional comment; one rating per ticket, which can
be changed for 7 days after the ticket was completed.

The customer rates on the ticket's page, or from the link in the closing
mail, which works without logging in: it carries a token signed with a
ring of its own (``core.keys``) that names the ticket and when it expires,
and allows rating that ticket and nothing else.
"""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets.content.ticket import customer_of
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.conversation import require_ticket
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.keys import b64
from collective.tickets.core.keys import digest
from collective.tickets.core.keys import ring_keys
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import is_staff
from collective.tickets.core.privacy.erasure import is_anonymised
from collective.tickets.core.sla import closed_at
from collective.tickets.core.text import without_control_characters
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from plone import api
from plone.app.uuid.utils import uuidToObject
from plone.uuid.interfaces import IUUID

import hmac


RING = "collective.tickets.rating"
VIEW = "ticket-rating"
RATING_COLUMN = "ticket_rating"
CHANGEABLE = timedelta(days=7)
SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 2000


class InvalidToken(ValueError):
    """The link was cut, changed, signed by another site, or has expired."""


@dataclass(frozen=True)
class Rating:
    score: int
    comment: str
    date: datetime


def open_until(ticket):
    """Until when the ticket can be rated (None: it cannot)."""
    closed = closed_at(ticket)
    return closed + CHANGEABLE if closed is not None else None


def may_rate_now(ticket, now=None):
    until = open_until(ticket)
    return until is not None and (now or datetime.now(UTC)) <= until


def rating(ticket):
    """The ticket's ``Rating`` or None; for its customer and the staff."""
    require_ticket(ticket)
    _require_customer_or_staff(ticket)
    return _stored(ticket)


def _stored(ticket):
    value = getattr(ticket, "ticket_rating", None)
    if not value:
        return None
    score, comment, when = value
    return Rating(score=score, comment=comment, date=datetime.fromtimestamp(when, UTC))


def _require_customer_or_staff(ticket):
    if current_userid() != customer_of(ticket) and not is_staff(obj=ticket):
        raise Unauthorized("Only the ticket's customer and the staff see its rating.")


def _clean(score, comment):
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score not in SCORES:
        raise TicketInputError(
            _("error_rating_score", default="Choose a rating from 1 to 5."),
            field="score",
        )
    comment = without_control_characters((comment or "").strip())
    if len(comment) > MAX_COMMENT:
        raise TicketInputError(
            _(
                "error_rating_comment_long",
                default="The comment is longer than ${max} characters.",
                mapping={"max": MAX_COMMENT},
            ),
            field="comment",
        )
    return score, comment


def _store(ticket, score, comment, now):
    score, comment = _clean(score, comment)
    if not may_rate_now(ticket, now):
        raise TicketStateError(
            _(
                "error_rating_closed",
                default="This ticket can no longer be rated: a rating can be "
                "given or changed for 7 days after the ticket is completed.",
            )
        )
    ticket.ticket_rating = (score, comment, (now or datetime.now(UTC)).timestamp())
    ticket.reindexObject(idxs=[RATING_COLUMN])
    return _stored(ticket)


def rate(ticket, score, comment="", now=None):
    """The current user, the ticket's customer, rates it."""
    require_ticket(ticket)
    if current_userid() != customer_of(ticket):
        raise Unauthorized("Only the ticket's customer rates it.")
    return _store(ticket, score, comment, now)


def rate_with_token(token, score, comment="", now=None):
    """Whoever holds a genuine, unexpired rating token rates its ticket."""
    ticket = ticket_for_token(token, now)
    return ticket, _store(ticket, score, comment, now)


# The token of the mail's link


def _signature(key, uid, expires):
    return b64(digest(key, f"{uid}\n{expires}"))


def make_token(ticket):
    """A token for rating ``ticket`` until it can no longer be rated; None
    while it is in progress."""
    until = open_until(ticket)
    if until is None:
        return None
    uid = IUUID(ticket)
    expires = int(until.timestamp())
    key = ring_keys(RING, create=True)[0]
    return ".".join((uid, str(expires), _signature(key, uid, expires)))


def ticket_for_token(token, now=None):
    """The ticket of a genuine, unexpired token, or InvalidToken."""
    try:
        uid, expires, signature = (token or "").split(".")
        expires = int(expires)
    except ValueError:
        raise InvalidToken(token) from None
    if not any(
        hmac.compare_digest(_signature(key, uid, expires), signature)
        for key in ring_keys(RING)
    ):
        raise InvalidToken(token)
    if (now or datetime.now(UTC)).timestamp() > expires:
        raise InvalidToken(token)
    ticket = uuidToObject(uid, unrestricted=True)
    # An anonymised ticket is nobody's to rate: the link in the closing
    # mail must not write a person's words into it again.
    if not ITicket.providedBy(ticket) or is_anonymised(ticket):
        raise InvalidToken(token)
    return ticket


def rating_url(ticket, score=None):
    token = make_token(ticket)
    if token is None:
        return ""
    url = f"{api.portal.get().absolute_url()}/@@{VIEW}/{token}"
    return f"{url}?score={score}" if score else url
