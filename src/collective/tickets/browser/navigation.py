"""Tickets sit in member folders, but customers never see those: the
breadcrumbs of a ticket lead back to the ticket listing instead."""

from collective.tickets import _
from plone import api
from Products.CMFPlone.browser.navigation import PhysicalNavigationBreadcrumbs
from zope.i18n import translate


def tickets_home_url():
    return api.portal.get().absolute_url() + "/@@my-tickets"


class TicketBreadcrumbs(PhysicalNavigationBreadcrumbs):
    def breadcrumbs(self):
        return (
            {
                "absolute_url": tickets_home_url(),
                "Title": translate(
                    _("heading_my_tickets", default="My tickets"), context=self.request
                ),
            },
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
