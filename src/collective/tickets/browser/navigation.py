"""Tickets sit in member folders, but customers never see those: the
breadcrumbs of a ticket lead back to the ticket listing instead."""

from collective.tickets import _
from collective.tickets.core.people import is_staff
from plone import api
from Products.CMFPlone.browser.navigation import PhysicalNavigationBreadcrumbs
from zope.i18n import translate


def tickets_home():
    """Where a ticket page leads back to: the staff overview or My tickets."""
    portal_url = api.portal.get().absolute_url()
    if is_staff():
        return (
            portal_url + "/@@tickets",
            _("heading_tickets_overview", default="Tickets overview"),
        )
    return portal_url + "/@@my-tickets", _("heading_my_tickets", default="My tickets")


class TicketBreadcrumbs(PhysicalNavigationBreadcrumbs):
    def breadcrumbs(self):
        url, title = tickets_home()
        return (
            {"absolute_url": url, "Title": translate(title, context=self.request)},
            {
                "absolute_url": self.context.absolute_url(),
                "Title": self.context.Title(),
            },
        )


def hide_portlet_columns(request):
    """The ticket screens use the whole width: the navigation portlet would
    only show the member folder the customer is not meant to browse."""
    request.set("disable_plone.leftcolumn", True)
    request.set("disable_plone.rightcolumn", True)
