"""The personal menu's ticket entries: "My tickets (2)" for everyone with
tickets, "Tickets (3)" for the staff; the content menu's entries a ticket
leaves out."""

from collective.tickets import _
from collective.tickets.core.people import current_userid
from collective.tickets.core.queries import cached_count
from collective.tickets.core.queries import count_in_progress
from collective.tickets.core.queries import ticket_query
from plone.app.contentmenu.menu import DisplaySubMenuItem
from plone.app.contentmenu.menu import FactoriesSubMenuItem
from plone.app.contentmenu.menu import PortletManagerSubMenuItem
from plone.app.contentmenu.menu import WorkflowSubMenuItem
from Products.Five.browser import BrowserView
from zope.i18n import translate


class MyTicketsMenuTitle(BrowserView):
    """The personal menu entry: "My tickets (2)" while two are in progress."""

    def __call__(self):
        userid = current_userid()
        count = count_in_progress(userid) if userid else 0
        if count:
            message = _(
                "menu_my_tickets_count",
                default="My tickets (${count})",
                mapping={"count": count},
            )
        else:
            message = _("menu_my_tickets", default="My tickets")
        return translate(message, context=self.request)


class StaffMenuTitle(BrowserView):
    """The staff's entry: "Tickets (3)" while three tickets in progress wait
    for the staff's answer."""

    def __call__(self):
        count = cached_count(ticket_query(awaiting_staff=True))
        if count:
            message = _(
                "menu_tickets_count",
                default="Tickets (${count})",
                mapping={"count": count},
            )
        else:
            message = _("menu_tickets", default="Tickets")
        return translate(message, context=self.request)


class _NotOnTickets:
    """A submenu of Plone's content menu left out on tickets: the ticket's
    page has its own way to do what it offers."""

    def available(self):
        return False


class TicketFactoriesSubMenuItem(_NotOnTickets, FactoriesSubMenuItem):
    """ "Add new... Ticket reply / Internal note": the page's composer adds
    them (``++add++`` leads there too)."""


class TicketWorkflowSubMenuItem(_NotOnTickets, WorkflowSubMenuItem):
    """ "State": the page's "Close ticket" and "Reopen" buttons."""


class TicketDisplaySubMenuItem(_NotOnTickets, DisplaySubMenuItem):
    """ "Display": a ticket has one view."""


class TicketPortletManagerSubMenuItem(_NotOnTickets, PortletManagerSubMenuItem):
    """ "Manage portlets": the ticket's page shows no portlet columns."""
