"""``<message>/@@original-mail``: the mail a message came in as, as an .eml
file, for the staff only (the view's permission is "Manage Tickets")."""

from collective.tickets.content.ticket import ticket_of
from collective.tickets.core.mailin.store import original_mail
from collective.tickets.core.privacy import access
from plone.namedfile.utils import set_headers
from plone.namedfile.utils import stream_data
from Products.Five.browser import BrowserView
from zExceptions import NotFound


class OriginalMailView(BrowserView):
    def __call__(self):
        blob = original_mail(self.context)
        if blob is None:
            raise NotFound("This message did not come in by e-mail.")
        access.record_access(ticket_of(self.context), access.MAIL, self.context.getId())
        # Always a download: a mail's HTML must never render on the site.
        set_headers(blob, self.request.response, filename=blob.filename)
        self.request.response.setHeader("X-Content-Type-Options", "nosniff")
        return stream_data(blob)
