"""The page behind a CC recipient's unsubscribe link: no login needed.

The link's signed token is the recipient's proof, so the page works for
anonymous visitors. Opening it (GET) only asks for a confirmation, because
mail scanners follow links; the confirmation button, and the one-click POST
of RFC 8058 that mail clients send, take the address off the ticket.
Nothing of the ticket (its subject least of all) is shown.
"""

from collective.tickets import _
from collective.tickets import logger
from collective.tickets.browser.base import SignedLinkView
from collective.tickets.core.unsubscribe import InvalidToken
from collective.tickets.core.unsubscribe import is_cc
from collective.tickets.core.unsubscribe import read_token
from collective.tickets.core.unsubscribe import remove_cc
from collective.tickets.core.unsubscribe import ticket_for
from plone.protect.interfaces import IDisableCSRFProtection
from zope.interface import alsoProvides


INVALID_LINK = _(
    "error_unsubscribe_invalid_link",
    default="This unsubscribe link is not valid: it may have been cut or "
    "changed. Open the link from the e-mail again, or copy all of it into the "
    "address bar.",
)
TICKET_GONE = _(
    "error_unsubscribe_ticket_gone",
    default="This ticket no longer exists: you will not receive e-mails about it.",
)


class TicketUnsubscribeView(SignedLinkView):
    email = None
    error = None
    # "confirm", "removed" or "not_cc"
    state = None

    def __call__(self):
        try:
            uid, self.email = read_token(self.token)
        except InvalidToken:
            return self.refuse(400, INVALID_LINK)
        ticket = ticket_for(uid)
        if ticket is None:
            return self.refuse(404, TICKET_GONE)
        if self.request.method == "POST":
            # The signed token proves the request comes from the mail, which
            # is what a CSRF token would prove; RFC 8058 clients send none.
            alsoProvides(self.request, IDisableCSRFProtection)
            if remove_cc(ticket, self.email):
                logger.info("%s unsubscribed from ticket %s", self.email, uid)
                self.state = "removed"
            else:
                self.state = "not_cc"
        else:
            self.state = "confirm" if is_cc(ticket, self.email) else "not_cc"
        return self.index()

    def refuse(self, status, message):
        self.request.response.setStatus(status)
        self.error = message
        return self.index()
