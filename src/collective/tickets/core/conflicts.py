"""Write conflicts in the log: which object, on which request.

ZODB refuses a commit that changed an object another transaction changed
first (a ConflictError); Zope then runs the request again, up to three
times, and says nothing of it. Logged here (INFO for a conflict Zope tries
again, WARNING for the one that ends the request with an error), an operator
of a cluster can see which objects conflict and where: the object's class
is in ZODB's message."""

from ZODB.POSException import ConflictError

import logging


logger = logging.getLogger("collective.tickets.conflicts")


def log_conflict(event):
    """``IPubBeforeAbort``: the request's transaction is aborted."""
    exc = event.exc_info[1] if event.exc_info else None
    if not isinstance(exc, ConflictError):
        return
    url = getattr(event.request, "URL", "")
    method = getattr(event.request, "method", "")
    if event.retry:
        logger.info("Conflict, tried again: %s %s: %s", method, url, exc)
    else:
        logger.warning("Conflict, request failed: %s %s: %s", method, url, exc)
