"""The "My tickets" entry of the personal menu."""

from collective.tickets import _
from collective.tickets.core.people import current_userid
from collective.tickets.core.queries import count_in_progress
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
