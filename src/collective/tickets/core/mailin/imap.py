"""Mail in from a mailbox: read it over IMAP and hand each message to
``receive_mail``.

Each message is received in a ZODB transaction of its own, committed before
the message leaves the folder read: stored mail goes to the "processed"
folder (or the "refused" one), and a message whose reception failed stays
where it was, so that the next run tries it again. A crash between the
commit and the move leaves a received message in the folder read; the next
run hands it to ``receive_mail`` once more, which knows its Message-ID and
ignores it.

Runs in a request (``@@fetch-mail``) or in a script with the site set up;
the settings are read through ``core.settings.setting``.
"""

from collective.tickets import logger
from collective.tickets.core.mailin.receive import receive_mail
from collective.tickets.core.settings import setting
from collective.tickets.core.transactions import in_own_transaction
from dataclasses import dataclass
from dataclasses import field
from imap_tools import MailBox
from imap_tools import MailBoxStartTls
from imap_tools import MailBoxUnencrypted
from imap_tools import MailMessage
from imap_tools.errors import ImapToolsError

import imaplib
import ssl
import transaction


STATUSES = ("added", "created", "ignored", "refused")
# Seconds an IMAP command may wait for the server.
TIMEOUT = 60
# How often a message is received again after a ZODB conflict.

MAILBOX_CLASSES = {
    "tls": MailBox,
    "starttls": MailBoxStartTls,
    "none": MailBoxUnencrypted,
}


@dataclass
class FetchReport:
    """What a run did: the messages received per status, the messages that
    failed (they stay in the folder read), and why the mailbox could not be
    read at all (``failed``), if it could not."""

    configured: bool = True
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    errors: list = field(default_factory=list)
    failed: str = ""

    @property
    def ok(self):
        return not (self.failed or self.errors)

    def summary(self):
        if not self.configured:
            return "No mailbox configured (the IMAP server setting is empty): nothing fetched."
        counts = ", ".join(f"{self.counts[status]} {status}" for status in STATUSES)
        text = f"{counts}, {len(self.errors)} failed"
        if self.failed:
            text += f"; the mailbox could not be read: {self.failed}"
        return text

    def to_dict(self):
        return {
            "configured": self.configured,
            "counts": dict(self.counts),
            "errors": list(self.errors),
            "failed": self.failed,
            "summary": self.summary(),
        }


class RawMailMessage(MailMessage):
    """A fetched message that keeps the bytes the server sent.

    ``MailMessage.obj.as_bytes()`` serializes the parsed message again, which
    may re-wrap headers and re-encode parts, and so may break a DKIM
    signature or change what the parser of ``receive_mail`` sees.
    """

    def __init__(self, fetch_data):
        super().__init__(fetch_data)
        self.raw = self._get_message_data_parts(fetch_data)[0]


def _connect():
    host = setting("imap_host").strip()
    security = setting("imap_security")
    mailbox_class = MAILBOX_CLASSES[security]
    options = {"host": host, "port": setting("imap_port"), "timeout": TIMEOUT}
    if security != "none":
        # imaplib's own default context does not verify the certificate.
        options["ssl_context"] = ssl.create_default_context()
    mailbox = mailbox_class(**options)
    mailbox.email_message_class = RawMailMessage
    try:
        mailbox.login(
            setting("imap_user"),
            setting("imap_password"),
            initial_folder=setting("imap_folder"),
        )
        _refresh_capabilities(mailbox.client)
    except Exception:
        mailbox.client.shutdown()
        raise
    return mailbox


def _refresh_capabilities(client):
    """Ask for the capabilities again now that the user is logged in.

    imaplib reads them once, before the login, when most servers (Dovecot
    among them) do not yet announce MOVE; imap-tools would then move a
    message by COPY, STORE \\Deleted and EXPUNGE, and that EXPUNGE also
    removes whatever other messages of the folder another client marked as
    deleted.
    """
    status, data = client.capability()
    if status == "OK" and data and data[-1]:
        client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())


def _ensure_folders(mailbox, *names):
    for name in names:
        if not mailbox.folder.exists(name):
            mailbox.folder.create(name)
            # Mail clients show only subscribed folders.
            mailbox.folder.subscribe(name, True)


def _receive(receive, raw, uid):
    """``receive(raw)`` in transactions of its own, again after a conflict."""
    return in_own_transaction(
        lambda: receive(raw), f"collective.tickets: mail in, IMAP message {uid}"
    )


def fetch_mail(receive=receive_mail, limit=200):
    """Receive up to ``limit`` messages of the configured mailbox; a
    ``FetchReport`` says what happened. Does nothing when no mailbox is
    configured."""
    report = FetchReport()
    if not setting("imap_host").strip():
        report.configured = False
        return report
    processed = setting("imap_processed_folder")
    refused = setting("imap_refused_folder")
    try:
        with _connect() as mailbox:
            _ensure_folders(mailbox, processed, refused)
            # UNDELETED: a message another client deleted is not ours to read.
            for message in mailbox.fetch("UNDELETED", mark_seen=False, limit=limit):
                try:
                    outcome = _receive(receive, message.raw, message.uid)
                except Exception as error:  # noqa: BLE001 - the next run retries it
                    transaction.abort()
                    logger.exception("Mail in: IMAP message %s failed", message.uid)
                    report.errors.append(f"message {message.uid}: {error!r}")
                    continue
                report.counts[outcome.status] += 1
                logger.info(
                    "Mail in: IMAP message %s %s: %s",
                    message.uid,
                    outcome.status,
                    outcome.reason,
                )
                mailbox.move(
                    message.uid, refused if outcome.status == "refused" else processed
                )
    except (ImapToolsError, imaplib.IMAP4.error, OSError) as error:
        logger.exception(
            "Mail in: the mailbox %s could not be read", setting("imap_host")
        )
        report.failed = str(error) or repr(error)
    return report
