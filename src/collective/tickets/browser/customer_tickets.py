"""``@@customer-tickets``: the "Customer tickets" tab of user management."""

from collective.tickets.browser.listing import StaffListing
from collective.tickets.core.people import display_name
from collective.tickets.core.people import may
from plone import api
from urllib.parse import urlencode


class CustomerTicketsView(StaffListing):
    """``@@customer-tickets?userid=...``: every ticket of one customer."""

    kept_params = ("userid",)

    def userid(self):
        return (self.request.form.get("userid") or "").strip()

    def customer(self):
        userid = self.userid()
        return api.user.get(userid=userid) if userid else None

    def customer_name(self):
        return display_name(self.userid())

    def filters(self):
        return {"customer": self.userid()}

    def can_manage_users(self):
        return may("Plone Site Setup: Users and Groups", api.portal.get())

    def user_query(self):
        return urlencode({"userid": self.userid()})
