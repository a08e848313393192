"""Nothing of a ticket reaches whoever may not view it.

Plone registers helper views for every object with ``zope.Public``
(``@@breadcrumbs_view``, ``@@plone_context_state``, ``@@plone_layout``...),
and Zope checks no permission on the objects a URL passes through. So a URL
through somebody else's ticket or reply could answer with its subject. Once
the URL is traversed and the user known, the publisher asks here for the View
permission on every ticket and reply on the way.
"""

from AccessControl import getSecurityManager
from AccessControl import Unauthorized
from collective.tickets.content.reply import ITicketReply
from collective.tickets.content.ticket import ITicket
from plone.rest.traverse import RESTWrapper
from Products.CMFCore.permissions import View


def tickets_in_url(request):
    """The tickets and replies a URL passes through (plone.rest wraps each
    object of a REST request's path)."""
    for obj in request.get("PARENTS", ()):
        if isinstance(obj, RESTWrapper):
            obj = obj.context
        if ITicket.providedBy(obj) or ITicketReply.providedBy(obj):
            yield obj


def refuse_tickets_out_of_view(event):
    security = getSecurityManager()
    for obj in tickets_in_url(event.request):
        if not security.checkPermission(View, obj):
            raise Unauthorized("You may not view this ticket.")
