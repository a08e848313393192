"""The personal menu's ticket entries: "My tickets (2)" for everyone with
tickets, "Tickets (3)" for the staff."""

from collective.tickets import _
from collective.tickets.core.people import current_userid
from collective.tickets.core.queries import count_in_progress
from collective.tickets.core.queries import ticket_query
from plone import api
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
        catalog = api.portal.get_tool("portal_catalog")
        count = len(catalog(**ticket_query(awaiting_staff=True)))
        if count:
            message = _(
                "menu_tickets_count",
                default="Tickets (${count})",
                mapping={"count": count},
            )
        else:
            message = _("menu_tickets", default="Tickets")
        return translate(message, context=self.request)
