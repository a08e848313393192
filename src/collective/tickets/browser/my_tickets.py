"""``@@my-tickets``: the current customer's own tickets."""

from collective.tickets.browser.listing import TicketListing
from collective.tickets.core.people import current_userid
from plone import api


class MyTicketsView(TicketListing):
    def filters(self):
        return {"customer": current_userid()}

    def new_ticket_url(self):
        return api.portal.get().absolute_url() + "/@@new-ticket"

    def export_url(self):
        """All of the customer's tickets as one ZIP (their copy of their data)."""
        return api.portal.get().absolute_url() + "/@@tickets-archive"
