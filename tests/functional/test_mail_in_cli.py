"""tickets-mail-in and tickets-fetch-mail, run as the mail server and cron
run them (a process of their own), against the real WSGI server."""

from collective.tickets import api as tickets
from collective.tickets.core.mailin.key import mail_in_key
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SERVER_TESTING
from collective.tickets.testing import USERS
from helpers import as_user
from pathlib import Path
from plone import api
from test_mail_in_http import reply_mail
from test_mail_in_http import SETTINGS

import os
import subprocess
import sys
import tempfile
import transaction
import unittest


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from cluster import free_port  # noqa: E402


EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75


def run(command, *args, key=None, stdin=b""):
    """(exit code, stdout, stderr) of ``python -m collective.tickets.commands.<command>``."""
    env = {k: v for k, v in os.environ.items() if k != "TICKETS_MAIL_IN_KEY"}
    if key is not None:
        env["TICKETS_MAIL_IN_KEY"] = key
    process = subprocess.run(
        [sys.executable, "-m", f"collective.tickets.commands.{command}", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )
    return process.returncode, process.stdout.decode(), process.stderr.decode()


class CommandTestCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url()
        api.portal.set_registry_record(
            SETTINGS + "support_address", "soporte@example.com"
        )
        self.key = mail_in_key()
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer jam", "<p>It jams.</p>")
        transaction.commit()

    def replies(self):
        transaction.begin()
        return len(tickets.replies(self.ticket))


class TestMailInCommand(CommandTestCase):
    def test_a_stored_reply_exits_0(self):
        code, out, err = run(
            "mail_in", self.url, key=self.key, stdin=reply_mail(self.ticket)
        )
        self.assertEqual((code, out, err), (EX_OK, "", ""))
        self.assertEqual(self.replies(), 1)

    def test_the_key_from_a_file_and_the_views_address_work_too(self):
        with tempfile.NamedTemporaryFile("w", suffix=".key") as key_file:
            key_file.write(self.key + "\n")
            key_file.flush()
            code, _out, err = run(
                "mail_in",
                "--key-file",
                key_file.name,
                f"{self.url}/@@mail-in",
                stdin=reply_mail(self.ticket),
            )
        self.assertEqual(code, EX_OK, err)
        self.assertEqual(self.replies(), 1)

    def test_a_refused_mail_exits_0_with_the_reason(self):
        # Refused on purpose: a bounce would tell a stranger about the ticket.
        code, _out, err = run(
            "mail_in",
            self.url,
            key=self.key,
            stdin=reply_mail(self.ticket, sender=USERS[OTHER_CUSTOMER]["email"]),
        )
        self.assertEqual(code, EX_OK)
        self.assertIn("Refused:", err)
        self.assertIn(USERS[OTHER_CUSTOMER]["email"], err)
        self.assertEqual(self.replies(), 0)

    def test_a_site_that_is_down_keeps_the_mail_queued(self):
        code, _out, err = run(
            "mail_in",
            f"http://127.0.0.1:{free_port()}/Plone",
            key=self.key,
            stdin=reply_mail(self.ticket),
        )
        self.assertEqual(code, EX_TEMPFAIL)
        self.assertIn("Cannot reach", err)

    def test_a_wrong_or_missing_key_keeps_the_mail_queued(self):
        for key in ("wrong", None):
            with self.subTest(key=key):
                code, _out, err = run(
                    "mail_in", self.url, key=key, stdin=reply_mail(self.ticket)
                )
                self.assertEqual(code, EX_TEMPFAIL)
                self.assertIn("key", err)
        self.assertEqual(self.replies(), 0)

    def test_a_wrong_address_keeps_the_mail_queued(self):
        code, _out, err = run(
            "mail_in",
            f"{self.url}/no-such-site",
            key=self.key,
            stdin=reply_mail(self.ticket),
        )
        self.assertEqual(code, EX_TEMPFAIL, err)

    def test_a_wrong_command_line_keeps_the_mail_queued(self):
        code, _out, err = run("mail_in", "--no-such-option", self.url, key=self.key)
        self.assertEqual(code, EX_TEMPFAIL)
        self.assertIn("usage", err)

    def test_a_body_that_is_no_mail_is_a_data_error(self):
        code, _out, err = run(
            "mail_in", self.url, key=self.key, stdin=b"hello, no headers here\n"
        )
        self.assertEqual(code, EX_DATAERR)
        self.assertIn("cannot take this message", err)


class TestFetchMailCommand(CommandTestCase):
    def test_without_a_mailbox_it_prints_so_and_exits_0(self):
        code, out, _err = run("fetch_mail", self.url, key=self.key)
        self.assertEqual(code, EX_OK)
        self.assertIn("No mailbox configured", out)

    def test_quiet_says_nothing_without_a_mailbox_but_reports_errors(self):
        # What make run's minute loop uses.
        code, out, _err = run("fetch_mail", "--quiet", self.url, key=self.key)
        self.assertEqual((code, out), (EX_OK, ""))
        code, _out, err = run("fetch_mail", "--quiet", self.url, key="wrong")
        self.assertEqual(code, EX_TEMPFAIL)
        self.assertIn("refused the mail-in key", err)

    def test_a_site_that_is_down_or_a_wrong_key_exits_75(self):
        down = f"http://127.0.0.1:{free_port()}/Plone"
        for url, key in ((down, self.key), (self.url, "wrong")):
            with self.subTest(url=url):
                code, _out, err = run("fetch_mail", url, key=key)
                self.assertEqual(code, EX_TEMPFAIL)
                self.assertTrue(err)

    def test_an_unreachable_mailbox_exits_75(self):
        api.portal.set_registry_record(SETTINGS + "imap_host", "127.0.0.1")
        api.portal.set_registry_record(SETTINGS + "imap_port", free_port())
        api.portal.set_registry_record(SETTINGS + "imap_security", "none")
        transaction.commit()
        code, _out, err = run("fetch_mail", self.url, key=self.key)
        self.assertEqual(code, EX_TEMPFAIL)
        self.assertIn("could not be read", err)


class TestCronCommand(CommandTestCase):
    """tickets-cron, as cron runs it every minute."""

    def test_quiet_says_nothing_when_there_is_nothing_to_do(self):
        code, out, _err = run("cron", "--quiet", self.url, key=self.key)
        self.assertEqual((code, out), (EX_OK, ""))

    def test_a_pass_says_what_it_did(self):
        from DateTime import DateTime

        days = ("monday", "tuesday", "wednesday", "thursday", "friday")
        for day in (*days, "saturday", "sunday"):
            api.portal.set_registry_record(SETTINGS + f"hours_{day}", "00:00-24:00")
        api.portal.set_registry_record(SETTINGS + "first_response_normal", 1.0)
        self.ticket.creation_date = DateTime() - 2 / 24
        self.ticket.reindexObject()
        transaction.commit()
        code, out, _err = run("cron", "--quiet", self.url, key=self.key)
        self.assertEqual(code, EX_OK)
        self.assertIn("1 overdue, 0 reminded, 0 closed", out)
        code, out, _err = run("cron", self.url, key=self.key)
        self.assertEqual(code, EX_OK)
        self.assertIn("0 overdue", out)

    def test_a_wrong_key_or_an_unreachable_mailbox_exits_75(self):
        code, _out, err = run("cron", self.url, key="wrong")
        self.assertEqual(code, EX_TEMPFAIL)
        self.assertIn("refused the mail-in key", err)
        api.portal.set_registry_record(SETTINGS + "imap_host", "127.0.0.1")
        api.portal.set_registry_record(SETTINGS + "imap_port", free_port())
        api.portal.set_registry_record(SETTINGS + "imap_security", "none")
        transaction.commit()
        code, _out, err = run("cron", self.url, key=self.key)
        self.assertEqual(code, EX_TEMPFAIL)
        self.assertIn("could not be read", err)
