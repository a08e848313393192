"""The periodic job: everything that happens because time passed.

One pass (``run_periodic``) raises the overdue events of the service
levels, reminds customers who have not answered, closes the tickets they
left silent, and reads the mailbox when one is configured.

The catalog says which tickets have something to do (``ticket_next_job``:
the earliest moment the job has work on a ticket), so a pass wakes only
those. Each ticket's work is done and committed in a transaction of its
own, and every piece of work writes its mark on the ticket (the targets
alerted, the waiting period reminded): when two instances of a cluster run
the job at once, their transactions on one ticket conflict, the later one
is retried, sees the mark and does nothing. Mail is sent only when a
transaction commits, so nothing is announced twice.
"""

from AccessControl.SecurityManagement import getSecurityManager
from AccessControl.SecurityManagement import newSecurityManager
from AccessControl.SecurityManagement import setSecurityManager
from AccessControl.users import UnrestrictedUser
from collective.tickets import logger
from collective.tickets.core.conversation import last_message
from collective.tickets.core.desk import keep_open
from collective.tickets.core.events import TicketOverdueEvent
from collective.tickets.core.events import TicketReminderEvent
from collective.tickets.core.mailin.imap import fetch_mail
from collective.tickets.core.people import SYSTEM_USERID
from collective.tickets.core.privacy.erasure import apply_retention
from collective.tickets.core.settings import setting
from collective.tickets.core.sla import measure
from collective.tickets.core.sla import NEXT_JOB_INDEX
from collective.tickets.core.states import IN_PROGRESS
from collective.tickets.core.states import workflow_state
from collective.tickets.core.transactions import in_own_transaction
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import UTC
from plone import api
from plone.app.contentrules.handlers import close as reset_rule_filter
from ZODB.POSException import ConflictError
from zope.event import notify

import transaction


DAY = 86400

OVERDUE = "overdue"
REMINDED = "reminded"
CLOSED = "closed"
# Completed tickets past the retention period, anonymised or deleted.
RETAINED = "past_retention"


class SystemUser(UnrestrictedUser):
    """An unrestricted user with an id (Zope's own has none), so that the
    history names who closed a ticket."""

    def getId(self):
        return SYSTEM_USERID


@contextmanager
def as_system():
    """Run as the help desk itself: a user that may do anything, whose id
    the timeline shows as the system (never a person's name)."""
    user = SystemUser(SYSTEM_USERID, "", ["Manager"], [])
    portal = api.portal.get()
    previous = getSecurityManager()
    newSecurityManager(None, user.__of__(portal.acl_users))
    try:
        yield
    finally:
        setSecurityManager(previous)


def _alerted(ticket):
    return set(getattr(ticket, "ticket_sla_alerted", ()) or ())


def _waiting_since(ticket):
    """The time (seconds) of the last message of the conversation."""
    return last_message(ticket).created().timeTime()


def _followup(ticket, clock):
    """``(kind, when)`` of the next reminder or automatic closing of a
    ticket that waits on its customer; None when there is none."""
    remind_days = setting("remind_after_days")
    if not remind_days or clock.staff_turn or keep_open(ticket):
        return None
    since = _waiting_since(ticket)
    reminded = getattr(ticket, "ticket_reminded", None)
    if reminded is None or reminded[0] != since:
        return REMINDED, since + remind_days * DAY
    return CLOSED, reminded[1] + setting("close_after_days") * DAY


def next_job(ticket, clock=None):
    """The earliest moment (seconds) the job has work on ``ticket``: a target
    not yet alerted falling due, a reminder, a closing; None for none."""
    if workflow_state(ticket) != IN_PROGRESS:
        return None
    clock = clock or measure(ticket)
    alerted = _alerted(ticket)
    times = [
        due.timestamp() for target, due in clock.dues.items() if target not in alerted
    ]
    followup = _followup(ticket, clock)
    if followup is not None:
        times.append(followup[1])
    return min(times) if times else None


def _announce(event):
    """Notify ``event`` as a request of its own would. Plone's content rules
    run a rule once per object and request; one pass of the job may announce
    both targets of a ticket, and a transaction tried again after a conflict
    must send again what the aborted one had queued."""
    reset_rule_filter(None)
    notify(event)


def work_on(ticket, now):
    """Do what is due on ``ticket`` at ``now`` (an aware datetime); the
    list of what was done, ``[(OVERDUE, target), (REMINDED, None), ...]``."""
    done = []
    if workflow_state(ticket) != IN_PROGRESS:
        return done
    clock = measure(ticket)
    alerted = _alerted(ticket)
    due_times = clock.dues
    fresh = [t for t in clock.overdue_targets(now) if t not in alerted]
    if fresh:
        ticket.ticket_sla_alerted = tuple(sorted(alerted | set(fresh)))
        for target in fresh:
            _announce(TicketOverdueEvent(ticket, target=target, due=due_times[target]))
            done.append((OVERDUE, target))
    followup = _followup(ticket, clock)
    timestamp = now.timestamp()
    if followup is not None and followup[1] <= timestamp:
        kind, _ = followup
        if kind == REMINDED:
            ticket.ticket_reminded = (_waiting_since(ticket), timestamp)
            _announce(TicketReminderEvent(ticket))
        else:
            ticket.ticket_auto_closed = timestamp
            reset_rule_filter(None)
            api.content.transition(obj=ticket, transition="complete")
        done.append((kind, None))
    ticket.reindexObject(idxs=[NEXT_JOB_INDEX])
    return done


@dataclass
class CronReport:
    counts: dict = field(
        default_factory=lambda: {OVERDUE: 0, REMINDED: 0, CLOSED: 0, RETAINED: 0}
    )
    errors: list = field(default_factory=list)
    mail: dict | None = None

    def to_dict(self):
        return {
            "counts": dict(self.counts),
            "errors": list(self.errors),
            "mail": self.mail,
            "summary": self.summary(),
        }

    def summary(self):
        text = (
            f"{self.counts[OVERDUE]} overdue, {self.counts[REMINDED]} reminded, "
            f"{self.counts[CLOSED]} closed, "
            f"{self.counts[RETAINED]} past the retention period"
        )
        if self.mail is not None:
            text += f"; mail: {self.mail.get('summary', '')}"
        if self.errors:
            text += f"; {len(self.errors)} failed"
        return text


def _due_paths(now):
    catalog = api.portal.get_tool("portal_catalog")
    brains = catalog.unrestrictedSearchResults(
        portal_type="Ticket",
        **{NEXT_JOB_INDEX: {"query": now.timestamp(), "range": "max"}},
    )
    return [brain.getPath() for brain in brains]


def _work_in_own_transaction(path, now):
    portal = api.portal.get()

    def work():
        ticket = portal.unrestrictedTraverse(path, None)
        return work_on(ticket, now) if ticket is not None else []

    return in_own_transaction(work, f"collective.tickets: periodic job on {path}")


def run_periodic(now=None, fetch=fetch_mail):
    """One pass of the periodic job; a ``CronReport``. ``fetch`` reads the
    mailbox when one is configured."""
    now = now or datetime.now(UTC)
    report = CronReport()
    try:
        with as_system():
            _run_due_work(now, report)
            # Retention: each batch in a transaction of its own; a ticket
            # that fails is reported and left for the next run.
            _action, report.counts[RETAINED] = apply_retention(
                now.timestamp(), errors=report.errors
            )
    except Exception:
        transaction.abort()
        raise
    finally:
        # The mailbox is read even when the work above failed.
        if setting("imap_host").strip():
            report.mail = fetch().to_dict()
    return report


def _run_due_work(now, report):
    paths = _due_paths(now)
    # The request's own transaction has read the catalog only.
    transaction.commit()
    for path in paths:
        try:
            done = _work_in_own_transaction(path, now)
        except ConflictError as error:
            transaction.abort()
            logger.warning("Periodic job: %s still conflicts, next run", path)
            report.errors.append(f"{path}: {error!r}")
            continue
        except Exception as error:  # noqa: BLE001 - the next run retries it
            transaction.abort()
            logger.exception("Periodic job: %s failed", path)
            report.errors.append(f"{path}: {error!r}")
            continue
        for kind, target in done:
            report.counts[kind] += 1
            logger.info("Periodic job: %s %s %s", path, kind, target or "")
