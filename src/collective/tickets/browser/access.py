"""``<ticket>/@@access-record``: who of the staff opened the ticket, its
files and its original mails, and when; for managers (the view's
permission is "View Access Record")."""

from collective.tickets import _
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.core.dates import localized
from collective.tickets.core.privacy import access
from plone.batching import Batch
from Products.Five.browser import BrowserView
from zope.i18nmessageid import Message


BATCH_SIZE = 50

WHAT = {
    access.PAGE: _("access_page", default="The ticket's page"),
    access.FILE: _("access_file", default="File: ${name}"),
    access.MAIL: _("access_mail", default="The original mail of a message"),
    access.API: _("access_api", default="The ticket through the REST API"),
    access.EXPORT: _("access_export", default="A copy of the customer's tickets (ZIP)"),
}


class AccessRecordView(BrowserView):
    def __call__(self):
        hide_portlet_columns(self.request)
        return self.index()

    def batch(self):
        start = self.request.form.get("b_start", 0)
        try:
            start = max(int(start), 0)
        except (TypeError, ValueError):
            start = 0
        return Batch(access.access_record(self.context), BATCH_SIZE, start)

    def rows(self, batch):
        for entry in batch:
            what = WHAT[entry.kind]
            if entry.kind == access.FILE:
                name = entry.detail.split("/", 2)[-1]
                what = Message(what, mapping={"name": name})
            yield {
                "date": localized(entry.date),
                "date_iso": entry.date.isoformat(),
                "name": entry.name,
                "userid": entry.userid,
                "what": what,
            }
