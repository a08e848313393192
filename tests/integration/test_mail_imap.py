"""Mail in from a mailbox: fetch_mail against a real IMAP server.

The server is pymap (pure Python, from PyPI, installed with the test tools):
its in-memory ``dict`` backend starts in about a second on a free port,
without root, TLS or any file, and speaks IMAP4rev1 with MOVE and UIDPLUS as
Dovecot does. fetch_mail commits per message, so the tests run in the
functional layer.
"""

from collective.tickets import api as tickets
from collective.tickets.core.mailin import imap
from collective.tickets.core.mailin.imap import fetch_mail
from collective.tickets.core.mailin.receive import receive_mail
from collective.tickets.core.mailin.tokens import reply_address
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import USERS
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from helpers import as_user
from imap_tools import MailBoxUnencrypted
from pathlib import Path
from plone import api
from unittest import mock
from ZODB.POSException import ConflictError

import subprocess
import sys
import transaction
import unittest


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from cluster import free_port  # noqa: E402
from cluster import wait_for_port  # noqa: E402


SETTINGS = "collective.tickets.interfaces.ITicketSettings."
USER, PASSWORD = "helpdesk", "imap-Pa55word"
SUPPORT = "soporte@example.com"


class IMAPServer:
    """pymap in a process of its own, on 127.0.0.1."""

    def start(self):
        self.port = free_port()
        pymap = Path(sys.executable).with_name("pymap")
        # pymap writes a PID file to the working directory unless told
        # otherwise, and the demo user is the only account of the backend.
        self.process = subprocess.Popen(
            [
                str(pymap),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-tls",
                "--pid-file",
                "/dev/null",
                "dict",
                "--demo-user",
                USER,
                "--demo-password",
                PASSWORD,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=30, process=self.process)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def mailbox(self):
        return MailBoxUnencrypted("127.0.0.1", self.port, timeout=30).login(
            USER, PASSWORD
        )

    def append(self, *messages):
        with self.mailbox() as mailbox:
            for message in messages:
                mailbox.append(message, "INBOX")

    def folder(self, name):
        """The Message-IDs in a folder, and whether each is seen; [] if the
        folder does not exist."""
        with self.mailbox() as mailbox:
            if not mailbox.folder.exists(name):
                return None
            mailbox.folder.set(name)
            return [
                (message.obj["Message-ID"], "\\Seen" in message.flags)
                for message in mailbox.fetch(mark_seen=False)
            ]

    def empty(self):
        with self.mailbox() as mailbox:
            for folder in mailbox.folder.list():
                mailbox.folder.set(folder.name)
                mailbox.delete(mailbox.uids())
                if folder.name != "INBOX":
                    mailbox.folder.set("INBOX")
                    mailbox.folder.delete(folder.name)


def mail(sender, to=SUPPORT, subject="Printer jam", text="It jams.", **headers):
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.com")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    # CRLF line ends, as IMAP stores them: the bytes fetched are the same.
    return message.as_bytes()


def message_id(raw):
    return mail_header(raw, "Message-ID")


def mail_header(raw, name):
    from email import message_from_bytes

    return message_from_bytes(raw)[name]


class TestFetchMail(unittest.TestCase):
    layer = FUNCTIONAL_TESTING
    server = IMAPServer()

    @classmethod
    def setUpClass(cls):
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.portal = self.layer["portal"]
        self.addCleanup(self.server.empty)
        for name, value in (
            ("support_address", SUPPORT),
            ("imap_host", "127.0.0.1"),
            ("imap_port", self.server.port),
            ("imap_security", "none"),
            ("imap_user", USER),
            ("imap_password", PASSWORD),
        ):
            api.portal.set_registry_record(SETTINGS + name, value)
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer jam", "<p>It jams.</p>")
        transaction.commit()

    def customer_reply(self, text="It prints again."):
        return mail(
            USERS[CUSTOMER]["email"],
            to=reply_address(self.ticket),
            subject="Re: Printer jam",
            text=text,
        )

    def replies(self):
        transaction.begin()
        return tickets.replies(self.ticket)

    def test_the_periodic_job_reads_the_mailbox(self):
        from collective.tickets.core.cron import run_periodic

        self.server.append(self.customer_reply("Read by tickets-cron."))
        report = run_periodic()
        self.assertEqual(report.mail["counts"]["added"], 1, report.mail)
        self.assertIn("mail: ", report.summary())
        (reply,) = self.replies()
        self.assertIn("Read by tickets-cron.", reply.text.raw)

    def test_each_message_is_received_and_moved_by_its_outcome(self):
        added = self.customer_reply()
        created = mail(USERS[CUSTOMER]["email"], subject="Scanner broken")
        ignored = mail(USERS[CUSTOMER]["email"], Auto_Submitted="auto-replied")
        refused = mail(USERS[OTHER_CUSTOMER]["email"], to=reply_address(self.ticket))
        self.server.append(added, created, ignored, refused)
        self.assertIsNone(self.server.folder("Processed"))

        report = fetch_mail()

        self.assertEqual(
            report.counts, {"added": 1, "created": 1, "ignored": 1, "refused": 1}
        )
        self.assertTrue(report.ok, report.to_dict())
        self.assertEqual(self.server.folder("INBOX"), [])
        self.assertCountEqual(
            [mid for mid, _seen in self.server.folder("Processed")],
            [message_id(added), message_id(created), message_id(ignored)],
        )
        self.assertEqual(
            [mid for mid, _seen in self.server.folder("Refused")], [message_id(refused)]
        )
        self.assertEqual(len(self.replies()), 1)
        self.assertEqual(
            len(api.content.find(portal_type="Ticket", Title="Scanner broken")), 1
        )

    def test_receive_gets_the_exact_bytes_the_server_holds(self):
        raw = mail(
            USERS[CUSTOMER]["email"],
            subject="=?utf-8?q?Impresora_atascada?=",
            text="La impresora se atasca.\r\n-- \r\nCarla",
        )
        self.server.append(raw)
        received = []

        def record(raw):
            received.append(raw)
            return receive_mail(raw)

        fetch_mail(receive=record)
        self.assertEqual(received, [raw])

    def test_a_message_that_fails_stays_unread_in_the_inbox_and_stores_nothing(self):
        failing = self.customer_reply("This one breaks.")
        fine = self.customer_reply("This one works.")
        self.server.append(failing, fine)

        def receive(raw):
            outcome = receive_mail(raw)
            if b"breaks" in raw:
                raise RuntimeError("the disk is full")
            return outcome

        with self.assertLogs("collective.tickets", level="ERROR") as logged:
            report = fetch_mail(receive=receive)

        self.assertIn("failed", logged.output[0])
        self.assertEqual(report.counts["added"], 1)
        self.assertEqual(len(report.errors), 1)
        self.assertIn("the disk is full", report.errors[0])
        self.assertFalse(report.ok)
        # Unseen, so a person looking into the mailbox sees it as new too.
        self.assertEqual(self.server.folder("INBOX"), [(message_id(failing), False)])
        self.assertEqual(
            [mid for mid, _seen in self.server.folder("Processed")], [message_id(fine)]
        )
        (reply,) = self.replies()
        self.assertIn("This one works.", tickets.to_message(reply).text)

        # The next run takes it again.
        report = fetch_mail()
        self.assertEqual(report.counts["added"], 1)
        self.assertEqual(self.server.folder("INBOX"), [])
        self.assertEqual(len(self.replies()), 2)

    def test_a_conflict_is_retried_in_a_new_transaction(self):
        self.server.append(self.customer_reply())
        calls = []

        def receive(raw):
            calls.append(raw)
            outcome = receive_mail(raw)
            if len(calls) == 1:
                raise ConflictError("another thread wrote the ticket")
            return outcome

        report = fetch_mail(receive=receive)
        self.assertEqual(len(calls), 2)
        self.assertEqual(report.counts["added"], 1)
        self.assertEqual(len(self.replies()), 1)
        self.assertEqual(self.server.folder("INBOX"), [])

    def test_a_message_received_twice_is_stored_once(self):
        # As after a crash between the commit and the move.
        raw = self.customer_reply()
        self.server.append(raw)
        fetch_mail()
        self.server.append(raw)
        report = fetch_mail()
        self.assertEqual(report.counts["ignored"], 1)
        self.assertEqual(len(self.replies()), 1)

    def test_servers_without_move_get_copy_and_delete(self):
        self.server.append(self.customer_reply())
        with mock.patch.object(imap, "_refresh_capabilities"):
            # imaplib's capabilities from before the login: pymap, like
            # Dovecot, names MOVE only to a logged-in user.
            report = fetch_mail()
        self.assertEqual(report.counts["added"], 1)
        self.assertEqual(self.server.folder("INBOX"), [])
        self.assertEqual(len(self.server.folder("Processed")), 1)

    def test_only_limit_messages_per_run(self):
        self.server.append(*(mail(USERS[CUSTOMER]["email"]) for _ in range(3)))
        report = fetch_mail(limit=2)
        self.assertEqual(report.counts["created"], 2)
        self.assertEqual(len(self.server.folder("INBOX")), 1)

    def test_without_a_mailbox_nothing_is_done(self):
        api.portal.set_registry_record(SETTINGS + "imap_host", "")
        transaction.commit()
        raw = self.customer_reply()
        self.server.append(raw)
        report = fetch_mail()
        self.assertFalse(report.configured)
        self.assertIn("No mailbox configured", report.summary())
        self.assertEqual(self.server.folder("INBOX"), [(message_id(raw), False)])
        self.assertIsNone(self.server.folder("Processed"))
        self.assertEqual(self.replies(), [])

    def test_a_wrong_password_is_reported_and_nothing_is_read(self):
        api.portal.set_registry_record(SETTINGS + "imap_password", "wrong")
        transaction.commit()
        raw = self.customer_reply()
        self.server.append(raw)
        with self.assertLogs("collective.tickets", level="ERROR"):
            report = fetch_mail()
        self.assertTrue(report.failed)
        self.assertFalse(report.ok)
        self.assertIn("could not be read", report.summary())
        self.assertEqual(self.server.folder("INBOX"), [(message_id(raw), False)])
