"""Who is who in a ticket: customers, staff and the names shown for them."""

from collective.tickets.permissions import ManageTickets
from plone import api
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import getRequest


_NAMES_KEY = "collective.tickets.display_names"


def _lookup_display_name(userid):
    user = api.user.get(userid=userid)
    if user is None:
        return userid
    for prop in ("ticket_display_name", "fullname"):
        value = user.getProperty(prop, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return userid


def display_name(userid):
    """The name a person is shown with as the sender of ticket messages.

    Their "display name for tickets" if set, else their full name, else their
    user id. Looked up once per request: a listing names the same few people
    on every row.
    """
    if not userid:
        return ""
    request = getRequest()
    cache = None
    if request is not None:
        try:
            cache = IAnnotations(request).setdefault(_NAMES_KEY, {})
        except TypeError:
            cache = None
    if cache is None:
        return _lookup_display_name(userid)
    if userid not in cache:
        cache[userid] = _lookup_display_name(userid)
    return cache[userid]


def current_userid():
    if api.user.is_anonymous():
        return None
    return api.user.get_current().getId()


def is_staff(user=None, obj=None):
    """Staff answer every ticket: TicketManager, Site Administrator or Manager."""
    user = user or api.user.get_current()
    return bool(
        api.user.has_permission(ManageTickets, user=user, obj=obj or api.portal.get())
    )
