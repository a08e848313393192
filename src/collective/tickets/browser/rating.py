"""Rating a completed ticket: the page behind the closing mail's link (no
login needed: the signed token is the proof, and allows nothing else) and
the form on the ticket's page for its customer.

Opening the link (GET) only shows the form with the score chosen in the
mail preselected, because mail scanners follow links; saving takes a POST.
Nothing of the ticket but its number and subject is shown.
"""

from Acquisition import aq_inner
from collective.tickets import _
from collective.tickets.browser.base import SignedLinkView
from collective.tickets.core import satisfaction
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.numbers import number_label
from plone import api
from plone.protect.authenticator import check as check_authenticator
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from zExceptions import BadRequest
from zope.interface import alsoProvides


INVALID_LINK = _(
    "error_rating_invalid_link",
    default="This rating link is not valid or has expired: a ticket can be "
    "rated for 7 days after it is completed. If you can still log in, rate "
    "it on the ticket's page.",
)
THANKS = _("msg_rating_saved", default="Thank you for your rating.")


def score_choices(selected):
    return [
        {"value": score, "checked": score == selected} for score in satisfaction.SCORES
    ]


class TicketRatingView(SignedLinkView):
    """``@@ticket-rating/<token>``: rate the token's ticket."""

    ticket = None
    error = None
    saved = False

    def __call__(self):
        try:
            self.ticket = satisfaction.ticket_for_token(self.token)
        except satisfaction.InvalidToken:
            self.request.response.setStatus(404)
            self.error = INVALID_LINK
            return self.index()
        if self.request.method == "POST":
            # The signed token proves the request comes from the mail.
            alsoProvides(self.request, IDisableCSRFProtection)
            form = self.request.form
            try:
                satisfaction.rate_with_token(
                    self.token, form.get("score"), form.get("comment", "")
                )
            except (TicketInputError, TicketStateError) as error:
                self.request.response.setStatus(400)
                self.error = error.message
            else:
                self.saved = True
        return self.index()

    def heading(self):
        ticket = self.ticket
        number = number_label(getattr(ticket, "ticket_number", None))
        return f"{number} {ticket.Title()}".strip()

    def choices(self):
        try:
            selected = int(self.request.form.get("score", 0))
        except (TypeError, ValueError):
            selected = 0
        current = satisfaction._stored(self.ticket)
        if not selected and current is not None:
            selected = current.score
        return score_choices(selected)

    def comment(self):
        if "comment" in self.request.form:
            return self.request.form["comment"]
        current = satisfaction._stored(self.ticket)
        return current.comment if current is not None else ""


class RateTicketView(BrowserView):
    """POST target of the rating form on the ticket's page (its customer)."""

    def __call__(self):
        if self.request.method != "POST":
            raise BadRequest("Use the rating form on the ticket's page.")
        check_authenticator(self.request)
        ticket = aq_inner(self.context)
        form = self.request.form
        try:
            satisfaction.rate(ticket, form.get("score"), form.get("comment", ""))
        except (TicketInputError, TicketStateError) as error:
            api.portal.show_message(error.message, request=self.request, type="error")
        else:
            api.portal.show_message(THANKS, request=self.request)
        self.request.response.redirect(f"{ticket.absolute_url()}#ticket-rating")
        return ""
