"""How much a customer may send through the helpdesk: tickets and CC addresses
per hour and per day, and CC addresses only in their own e-mail domain.

Counted from the catalog (the customer's tickets by creation date, with the
number of CC addresses each added as metadata), so that the form, the REST
API and scripts, which all open tickets through ``api.create``, share one
count and no log has to be kept.
"""

from collective.tickets import _
from collective.tickets.core.dates import localized
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.settings import setting
from DateTime import DateTime
from plone import api
from zope.i18nmessageid import Message


HOUR = 1 / 24
DAY = 1.0

MESSAGES = {
    "tickets": {
        HOUR: _(
            "error_rate_tickets_hour",
            default="You have reached the limit of ${max} new tickets per hour. "
            "You can open the next one after ${time}.",
        ),
        DAY: _(
            "error_rate_tickets_day",
            default="You have reached the limit of ${max} new tickets per day "
            "(the last 24 hours). You can open the next one after ${time}.",
        ),
    },
    "cc": {
        HOUR: _(
            "error_rate_cc_hour",
            default="This ticket adds ${new} CC addresses and you have added "
            "${count} in the last hour; at most ${max} are allowed per hour. "
            "Remove some CC addresses, or send it after ${time}.",
        ),
        DAY: _(
            "error_rate_cc_day",
            default="This ticket adds ${new} CC addresses and you have added "
            "${count} in the last 24 hours; at most ${max} are allowed per day. "
            "Remove some CC addresses, or send it after ${time}.",
        ),
    },
    "cc_never": {
        HOUR: _(
            "error_rate_cc_over_hour",
            default="This ticket adds ${new} CC addresses; at most ${max} can be "
            "added per hour. Remove some of them.",
        ),
        DAY: _(
            "error_rate_cc_over_day",
            default="This ticket adds ${new} CC addresses; at most ${max} can be "
            "added per day. Remove some of them.",
        ),
    },
}


def recent_tickets(customer, days):
    """The customer's tickets opened in the last ``days``, oldest first."""
    catalog = api.portal.get_tool("portal_catalog")
    # Unrestricted: a ticket counts even where the one opening the next
    # ticket may not see it.
    return catalog.unrestrictedSearchResults(
        portal_type="Ticket",
        ticket_customer=customer,
        created={"query": DateTime() - days, "range": "min"},
        sort_on="created",
    )


def _cc_count(brain):
    return brain.ticket_cc_count or 0


def _when(date):
    return localized(date)


def _check_tickets(brains, window, maximum):
    if maximum and len(brains) >= maximum:
        # The next ticket is allowed once enough of these are out of the window.
        freed_at = brains[len(brains) - maximum].created + window
        raise TicketInputError(
            Message(
                MESSAGES["tickets"][window],
                mapping={"max": maximum, "time": _when(freed_at)},
            )
        )


def _check_cc(brains, window, maximum, new):
    if not maximum or not new:
        return
    if new > maximum:
        raise TicketInputError(
            Message(MESSAGES["cc_never"][window], mapping={"new": new, "max": maximum}),
            field="cc_recipients",
        )
    counted = sum(_cc_count(brain) for brain in brains)
    if counted + new <= maximum:
        return
    remaining = counted
    freed_at = None
    for brain in brains:
        remaining -= _cc_count(brain)
        if remaining + new <= maximum:
            freed_at = brain.created + window
            break
    raise TicketInputError(
        Message(
            MESSAGES["cc"][window],
            mapping={
                "new": new,
                "count": counted,
                "max": maximum,
                "time": _when(freed_at),
            },
        ),
        field="cc_recipients",
    )


def check_rate_limits(customer, cc_count):
    """Raise TicketInputError when ``customer`` may not open a ticket with
    ``cc_count`` CC addresses now. The caller exempts the staff."""
    limits = {
        window: (
            setting(f"max_tickets_per_{name}"),
            setting(f"max_cc_per_{name}"),
        )
        for window, name in ((HOUR, "hour"), (DAY, "day"))
    }
    if not any(any(pair) for pair in limits.values()):
        return
    day = list(recent_tickets(customer, DAY))
    hour_start = DateTime() - HOUR
    hour = [brain for brain in day if brain.created >= hour_start]
    for window, brains in ((HOUR, hour), (DAY, day)):
        max_tickets, max_cc = limits[window]
        _check_tickets(brains, window, max_tickets)
        _check_cc(brains, window, max_cc, cc_count)


def email_domain(email):
    return (email or "").rpartition("@")[2].strip().lower()


def check_cc_domain(rows, owner_email):
    """With the setting ``cc_own_domain_only``, refuse CC addresses outside
    the customer's own e-mail domain. The caller exempts the staff."""
    if not rows or not setting("cc_own_domain_only"):
        return
    domain = email_domain(owner_email)
    if not domain:
        raise TicketInputError(
            _(
                "error_cc_no_own_domain",
                default="CC addresses must be in your own e-mail domain, and your "
                "account has no e-mail address: add it in your personal "
                "preferences first.",
            ),
            field="cc_recipients",
        )
    for row in rows:
        if email_domain(row["email"]) != domain:
            raise TicketInputError(
                _(
                    "error_cc_own_domain",
                    default="'${email}' is not in your e-mail domain: you can "
                    "only copy addresses ending in @${domain}.",
                    mapping={"email": row["email"], "domain": domain},
                ),
                field="cc_recipients",
            )
