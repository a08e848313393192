"""Ticket events, fired by the lifecycle and by the workflow.

The content rules engine hears them through ``contentrules/`` (each event
interface is marked ``IRuleEventType`` there), so that the rules assigned at
the site root run.
"""

from collective.tickets.content.ticket import ticket_of
from collective.tickets.core import history
from collective.tickets.core.people import current_userid
from collective.tickets.interfaces import ITicketAssignedEvent
from collective.tickets.interfaces import ITicketClosedEvent
from collective.tickets.interfaces import ITicketCreatedEvent
from collective.tickets.interfaces import ITicketNoteAddedEvent
from collective.tickets.interfaces import ITicketOverdueEvent
from collective.tickets.interfaces import ITicketReminderEvent
from collective.tickets.interfaces import ITicketReopenedEvent
from collective.tickets.interfaces import ITicketReplyAddedEvent
from contextlib import contextmanager
from zope.event import notify
from zope.globalrequest import getRequest
from zope.interface import implementer
from zope.interface.interfaces import ObjectEvent


REQUEST_KEY = "collective.tickets.event"


class TicketEvent(ObjectEvent):
    """``actor_email`` is set when the author is no site user (a CC
    recipient who answered by e-mail): ``actor`` is then the customer on
    whose ticket they wrote, and the address is who must not hear of their
    own message."""

    def __init__(self, obj, actor=None, actor_email=None):
        super().__init__(obj)
        self.ticket = ticket_of(obj)
        self.actor = actor or current_userid()
        self.actor_email = actor_email
        # String substitutions only get the context: they find the event
        # (who did what) in the request, as plone.app.discussion does.
        request = getRequest()
        if request is not None:
            request.set(REQUEST_KEY, self)


@implementer(ITicketCreatedEvent)
class TicketCreatedEvent(TicketEvent):
    pass


@implementer(ITicketReplyAddedEvent)
class TicketReplyAddedEvent(TicketEvent):
    pass


@implementer(ITicketClosedEvent)
class TicketClosedEvent(TicketEvent):
    pass


@implementer(ITicketReopenedEvent)
class TicketReopenedEvent(TicketEvent):
    pass


@implementer(ITicketNoteAddedEvent)
class TicketNoteAddedEvent(TicketEvent):
    pass


@implementer(ITicketAssignedEvent)
class TicketAssignedEvent(TicketEvent):
    def __init__(self, obj, assignee, actor=None):
        self.assignee = assignee
        super().__init__(obj, actor=actor)


@implementer(ITicketOverdueEvent)
class TicketOverdueEvent(TicketEvent):
    def __init__(self, obj, target, due, actor=None):
        self.target = target
        self.due = due
        super().__init__(obj, actor=actor)


@implementer(ITicketReminderEvent)
class TicketReminderEvent(TicketEvent):
    pass


def current_event():
    request = getRequest()
    return request.get(REQUEST_KEY) if request is not None else None


TRANSITION_EVENTS = {"complete": TicketClosedEvent, "reopen": TicketReopenedEvent}


def transition_to_ticket_event(ticket, event):
    """Closing and reopening from anywhere (our buttons, Plone's state menu,
    the REST API) fire the same ticket events."""
    if event.transition is None:
        return
    factory = TRANSITION_EVENTS.get(event.transition.id)
    if factory is not None:
        history.record(ticket, history.STATE, event.old_state.id, event.new_state.id)
        notify(factory(ticket))


@contextmanager
def rules_quiet():
    """No content rule runs in this thread while the block runs (a bulk
    import: no mail for the past). It uses Plone's own guard, the one that
    keeps a rule's action from setting off more rules, and puts it back as it
    was; other requests and threads are not touched."""
    from plone.app.contentrules import handlers

    handlers.init()
    guard = handlers._status.rule_filter
    before = (guard.in_progress, guard.cascade)
    guard.in_progress, guard.cascade = True, False
    try:
        yield
    finally:
        guard.in_progress, guard.cascade = before
