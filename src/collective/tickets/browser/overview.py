"""``@@tickets``: the staff overview of every ticket."""

from collective.tickets.browser.listing import StaffListing


class TicketsOverview(StaffListing):
    """``@@tickets``: every ticket of every customer, for the staff."""

    show_customer = True
    kept_params = ("customer", "SearchableText", "awaiting")

    def search_text(self):
        return (self.request.form.get("SearchableText") or "").strip()

    def customer_filter(self):
        return (self.request.form.get("customer") or "").strip()

    def awaiting_only(self):
        return bool(self.request.form.get("awaiting"))

    def filters(self):
        return {
            "customer": self.customer_filter(),
            "text": self.search_text(),
            "awaiting_staff": self.awaiting_only(),
        }

    def selected_state(self):
        # "Awaiting staff" only exists for tickets in progress.
        if self.awaiting_only():
            return ""
        return super().selected_state()

    def customer_url(self, userid):
        return self.url_with(customer=userid, b_start=None)
