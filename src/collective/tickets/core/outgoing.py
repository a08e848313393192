"""Sending mail: through the site's MailHost, inside the transaction.

With the MailHost's queue on (``core.mailqueue``), a message is written to
the queue's maildir when the transaction commits, and a background thread
delivers it, retrying while the mail server is down; if the transaction
aborts, nothing is sent. Without the queue (turned off by the site manager),
a message is sent right after the commit, and lost, with an error in the
log, when the mail server is down.
"""

from collective.tickets import logger
from email.message import EmailMessage
from email.policy import EmailPolicy
from plone import api

import transaction


# Headers of message IDs, which name the ticket and are longer than a line.
_ONE_LINE = frozenset({"message-id", "in-reply-to", "references"})


class _MailPolicy(EmailPolicy):
    """The SMTP policy (CRLF line ends, lines folded at 78 characters), but
    message IDs stay on the header's line: zope.sendmail's queue refuses a
    message whose Message-ID, read without unfolding, does not start with
    "<", and other naive readers of In-Reply-To and References do the same.
    RFC 5322 allows lines of up to 998 characters."""

    def _fold(self, name, value, *args, **kwargs):
        if name.lower() in _ONE_LINE:
            return f"{name}: {str(value).strip()}{self.linesep}"
        return super()._fold(name, value, *args, **kwargs)


MAIL_POLICY = _MailPolicy(linesep="\r\n")


def new_message():
    """An empty message to fill and hand to ``queue``."""
    return EmailMessage(policy=MAIL_POLICY)


def sender_address():
    """``Name <address>`` of the site's e-mail sender, or "" when unset."""
    from email.utils import formataddr

    address = api.portal.get_registry_record("plone.email_from_address", default="")
    if not address:
        return ""
    name = api.portal.get_registry_record("plone.email_from_name", default="")
    return formataddr((name, address))


def mark_automatic(message, kind="auto-generated"):
    """Tell vacation responders and other robots not to answer (RFC 3834,
    and Exchange's own header)."""
    message["Auto-Submitted"] = kind
    message["X-Auto-Response-Suppress"] = "All"


def queue(message):
    """Send ``message`` if and when the transaction commits.

    With the MailHost's queue on, zope.sendmail writes it to the queue's
    maildir at the commit. Without it, the message is sent right after the
    commit: zope.sendmail's direct delivery would talk to the mail server
    during the commit and abort the transaction (the customer's reply with
    it) when the server is down; after the commit a failure costs the mail
    only, and is logged.
    """
    mailhost = api.portal.get_tool("MailHost")
    if getattr(mailhost, "smtp_queue", False):
        mailhost.send(message, immediate=False)
        return

    def send(succeeded):
        if not succeeded:
            return
        try:
            mailhost.send(message, immediate=True)
        except Exception:  # noqa: BLE001 - any failure: log it, lose nothing
            logger.exception(
                "Could not send the ticket e-mail %r to %s",
                str(message["Subject"]),
                str(message["To"]),
            )

    transaction.get().addAfterCommitHook(send)
