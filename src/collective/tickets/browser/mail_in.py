"""Mail in over HTTP: ``@@mail-in`` takes one message, ``@@fetch-mail`` reads
the configured mailbox.

The callers are machines (the ``tickets-mail-in`` pipe of the mail server, a
mail provider's webhook, ``tickets-fetch-mail`` in cron), not people: the
mail-in key in the ``X-Mail-In-Key`` header is their authentication, so the
views are public and check the key before anything else, the body included.
They answer JSON, never cached.
"""

from collective.tickets.core.mailin.imap import fetch_mail
from collective.tickets.core.mailin.key import key_matches
from collective.tickets.core.mailin.parse import NotAMessage
from collective.tickets.core.mailin.receive import receive_mail
from collective.tickets.core.settings import setting
from plone.protect.interfaces import IDisableCSRFProtection
from Products.Five.browser import BrowserView
from zope.interface import alsoProvides

import json


KEY_HEADER = "X-Mail-In-Key"
MB = 1024 * 1024


def max_mail_size():
    """The largest message accepted, in bytes: as many files of the largest
    size as a message may have, in base64 (4/3 of their size), plus room
    for the text."""
    return (setting("max_files") * setting("max_file_size") * 4 // 3 + 1) * MB


class MailInBase(BrowserView):
    def __call__(self):
        response = self.request.response
        # The answers speak of tickets and of the mailbox: for the caller only.
        response.setHeader("Cache-Control", "no-store")
        if self.request.method != "POST":
            response.setHeader("Allow", "POST")
            return self.answer(405, {"error": "Only POST is allowed here."})
        if not key_matches(self.request.getHeader(KEY_HEADER)):
            return self.answer(
                403,
                {"error": f"The {KEY_HEADER} header is missing or wrong."},
            )
        # plone.protect refuses writes without a CSRF token. A CSRF attack
        # rides on the cookies of a logged-in user's browser; here the key,
        # which no browser sends by itself, authenticates the request, and
        # no cookie-authenticated user is involved.
        alsoProvides(self.request, IDisableCSRFProtection)
        return self.handle()

    def handle(self):
        raise NotImplementedError

    def answer(self, status, data):
        response = self.request.response
        response.setStatus(status)
        response.setHeader("Content-Type", "application/json")
        return json.dumps(data)


class MailInView(MailInBase):
    """POST one message (``Content-Type: message/rfc822``); the answer is the
    outcome of ``receive_mail``. The publisher commits it."""

    def handle(self):
        limit = max_mail_size()
        raw = self.body(limit + 1)
        if len(raw) > limit:
            return self.answer(
                413,
                {"error": f"The message is larger than {limit // MB} MB."},
            )
        try:
            outcome = receive_mail(raw)
        except NotAMessage as error:
            return self.answer(
                400,
                {"error": str(error) or "The body is not an e-mail message."},
            )
        return self.answer(200, outcome.to_dict())

    def body(self, size):
        """At most ``size`` bytes of the request's body.

        Read from the body's file, not ``request["BODY"]``: Zope refuses a
        BODY larger than its form memory limit (1 MB unless zope.conf says
        otherwise), and mail with attachments is larger.
        """
        body = self.request.get("BODYFILE")
        if body is None:
            return b""
        body.seek(0)
        return body.read(size)


class FetchMailView(MailInBase):
    """POST with the key to read the configured mailbox now (what
    ``tickets-fetch-mail`` does in cron).

    ``fetch_mail`` commits each message in a transaction of its own; the
    publisher's commit at the end of the request then has nothing to write.
    """

    def handle(self):
        report = fetch_mail()
        # 502: the mailbox server, behind this site, failed.
        return self.answer(502 if report.failed else 200, report.to_dict())
