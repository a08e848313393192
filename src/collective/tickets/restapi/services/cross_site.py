"""Every REST write on a ticket or a reply refuses what a page of another
site could send with the user's login cookie.

Our own endpoints check it themselves (base.py); this covers plone.restapi's
(``@workflow/complete`` and ``reopen``, ``PATCH``, ``DELETE``, ``@lock``...),
which plone.protect's CSRF check does not see: plone.restapi turns it off for
its services.
"""

from collective.tickets.browser.traversal_guard import tickets_in_url
from collective.tickets.restapi.services.base import cross_site_problem
from collective.tickets.restapi.services.base import TicketPostService
from plone.rest.interfaces import IAPIRequest


WRITES = ("POST", "PUT", "PATCH", "DELETE")


def refuse_cross_site_writes(event):
    request = event.request
    if request.get("REQUEST_METHOD") not in WRITES or not IAPIRequest.providedBy(
        request
    ):
        return
    if isinstance(request.get("PUBLISHED"), TicketPostService):
        # Checks it itself, in TicketPostService.reply.
        return
    if next(tickets_in_url(request), None) is None:
        return
    # A write without a body (a transition) carries no Content-Type.
    has_body = bool(request.get("BODY"))
    problem = cross_site_problem(request, require_json=has_body)
    if problem is not None:
        raise problem
