"""The outgoing mail queue: a notification waits out a mail server outage.

These tests use the real Products.MailHost (the project's layers replace it
with a MockMailHost), a real SMTP server (aiosmtpd) on 127.0.0.1 and the
real queue thread; they commit, so they run in a functional layer.
"""

from App.config import getConfiguration
from collective.tickets import api as tickets
from collective.tickets.core.mailqueue import enable_mail_queue
from collective.tickets.core.mailqueue import ensure_maildir
from collective.tickets.core.mailqueue import RetryingQueueProcessorThread
from collective.tickets.core.mailqueue import start_mail_queues
from collective.tickets.core.mailqueue import start_site_queues
from collective.tickets.core.mailqueue import use_retrying_processor
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FIXTURE
from collective.tickets.testing import TestMailHost
from email import message_from_bytes
from helpers import as_user
from helpers import RefusingSink
from helpers import SMTPSink
from plone import api
from plone.app.testing import FunctionalTesting
from plone.app.testing import PloneSandboxLayer
from Products.MailHost import MailHost as mailhost_module
from Products.MailHost.interfaces import IMailHost
from unittest import mock
from zope.component import getGlobalSiteManager
from zope.component import getSiteManager
from zope.component.hooks import setSite
from zope.processlifetime import IProcessStarting

import os
import shutil
import socket
import tempfile
import time
import transaction
import unittest


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


class RealMailHostLayer(PloneSandboxLayer):
    """The project's fixture with the site's real MailHost put back."""

    defaultBases = (FIXTURE,)

    def setUpPloneSite(self, portal):
        mailhost = portal._original_MailHost
        portal.MailHost = mailhost
        getSiteManager(portal).registerUtility(mailhost, provided=IMailHost)


REAL_MAILHOST_FIXTURE = RealMailHostLayer()
MAIL_QUEUE_TESTING = FunctionalTesting(
    bases=(REAL_MAILHOST_FIXTURE,), name="CollectiveTickets:MailQueue"
)


class MailQueueTestCase(unittest.TestCase):
    layer = MAIL_QUEUE_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.mailhost = self.portal.MailHost
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.queue = os.path.join(self.tmp, "queue")
        self.port = free_port()
        self.mailhost.smtp_host = "127.0.0.1"
        self.mailhost.smtp_port = self.port
        # Plone's SMTP mailer takes the server from the mail control panel's
        # settings, not from the MailHost (Products.CMFPlone.patches.sendmail).
        api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
        api.portal.set_registry_record("plone.smtp_port", self.port)
        self.mailhost.smtp_queue = True
        self.mailhost.smtp_queue_directory = self.queue
        # Registered after rmtree: cleanups run last first, and the thread
        # must be gone before its maildir.
        self.addCleanup(self.stop_queue_threads)
        # An outage test waits for a retry: 1 second, not the 30 of a site.
        patcher = mock.patch.object(RetryingQueueProcessorThread, "retry_delay", 1)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.controller = None
        self.addCleanup(self.stop_smtp_server)

    def stop_queue_threads(self):
        """Stop every queue thread of this test's folders, whichever MailHost
        (or directory setting) started it, and wait until each has ended."""
        for key, thread in list(mailhost_module.queue_threads.items()):
            if key.startswith(self.tmp):
                thread.stop()
                thread.join(30)
                del mailhost_module.queue_threads[key]

    def start_smtp_server(self, sink=None):
        from aiosmtpd.controller import Controller

        self.sink = sink or SMTPSink()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self.sink

    def stop_smtp_server(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def files(self, folder):
        """Every file in the queue's ``folder``, locks (dot files) included."""
        return sorted(os.listdir(os.path.join(self.queue, folder)))

    def queued(self):
        """The queued messages, as the queue thread reads them."""
        return [
            os.path.join(self.queue, folder, name)
            for folder in ("new", "cur")
            for name in self.files(folder)
            if not name.startswith(".")
        ]

    def queue_is_empty(self):
        return not any(self.files(folder) for folder in ("new", "cur", "tmp"))

    def message_id(self, data):
        return message_from_bytes(data)["Message-ID"]

    def open_ticket(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Printer on fire", "<p>Smoke everywhere.</p>")
        transaction.commit()
        return ticket


class TestOutage(MailQueueTestCase):
    def setUp(self):
        super().setUp()
        use_retrying_processor()

    def test_a_reply_sent_while_the_mail_server_is_down_arrives_once_it_is_back(
        self,
    ):
        sink = self.start_smtp_server()
        ticket = self.open_ticket()
        self.assertTrue(
            wait_for(lambda: sink.envelopes and self.queue_is_empty()),
            "the new ticket's mail never left the queue",
        )
        self.stop_smtp_server()

        with as_user(self.portal, CUSTOMER):
            tickets.reply(ticket, "<p>Any news?</p>")
        transaction.commit()
        waiting = self.queued()
        self.assertTrue(waiting, "the reply queued no mail")
        waiting_ids = []
        for path in waiting:
            with open(path, "rb") as queued:
                waiting_ids.append(self.message_id(queued.read()))
        # The queue thread tried, failed, and keeps the message.
        self.assertTrue(
            wait_for(lambda: any(".sending-" in name for name in self.files("new"))),
            "the queue thread never tried to send",
        )
        time.sleep(1)
        self.assertEqual(len(self.queued()), len(waiting))

        sink = self.start_smtp_server()
        self.assertTrue(
            wait_for(lambda: len(sink.envelopes) >= len(waiting)),
            "the queued mail did not arrive once the server was back",
        )
        # One more round of the thread: nothing is sent twice.
        time.sleep(4)
        delivered = [self.message_id(env.original_content) for env in sink.envelopes]
        self.assertEqual(sorted(delivered), sorted(waiting_ids))
        self.assertTrue(self.queue_is_empty(), self.files("new"))

    def test_an_aborted_transaction_queues_nothing(self):
        sink = self.start_smtp_server()
        with as_user(self.portal, CUSTOMER):
            tickets.create("Never happened", "<p>x</p>")
        # Written, but only to the maildir's tmp: the commit would move it.
        self.assertTrue(self.files("tmp"))
        self.assertEqual(self.queued(), [])
        transaction.abort()
        self.assertTrue(self.queue_is_empty())
        time.sleep(4)
        self.assertEqual(sink.envelopes, [])

    def test_a_message_the_server_refuses_is_set_aside_not_retried(self):
        sink = self.start_smtp_server(RefusingSink())
        self.open_ticket()
        self.assertTrue(
            wait_for(lambda: any(".rejected-" in name for name in self.files("new"))),
            "the refused message was not set aside",
        )
        attempts = len(sink.envelopes)
        time.sleep(4)
        self.assertEqual(len(sink.envelopes), attempts)
        self.assertEqual(self.queued(), [])
        self.assertEqual(self.mailhost.queueLength(), 0)


class TestEnableMailQueue(MailQueueTestCase):
    def setUp(self):
        super().setUp()
        self.mailhost.smtp_queue = False
        self.mailhost.smtp_queue_directory = "/tmp"
        var = os.path.join(self.tmp, "var")
        patcher = mock.patch.object(getConfiguration(), "clienthome", var)
        patcher.start()
        self.addCleanup(patcher.stop)

    def assertIsMaildir(self, path):
        for folder in ("cur", "new", "tmp"):
            self.assertTrue(os.path.isdir(os.path.join(path, folder)), folder)

    def test_queue_goes_to_a_folder_of_the_site_in_the_instance_var(self):
        directory = enable_mail_queue(self.mailhost)
        expected = os.path.join(self.tmp, "var", "mailqueue", self.portal.getId())
        self.assertEqual(directory, expected)
        self.assertTrue(self.mailhost.smtp_queue)
        self.assertEqual(self.mailhost.smtp_queue_directory, expected)
        self.assertIsMaildir(expected)

    def test_the_sites_mailhost_is_the_default(self):
        self.assertTrue(enable_mail_queue())
        self.assertTrue(self.portal.MailHost.smtp_queue)

    def test_a_queue_turned_on_without_a_folder_gets_one(self):
        self.mailhost.smtp_queue = True
        directory = enable_mail_queue(self.mailhost)
        self.assertNotEqual(directory, "/tmp")
        self.assertEqual(self.mailhost.smtp_queue_directory, directory)
        self.assertIsMaildir(directory)

    def test_the_managers_own_queue_is_left_alone(self):
        theirs = os.path.join(self.tmp, "their", "spool")
        self.mailhost.smtp_queue = True
        self.mailhost.smtp_queue_directory = theirs
        self.assertEqual(
            enable_mail_queue(self.mailhost, os.path.join(self.tmp, "ours")), theirs
        )
        self.assertEqual(self.mailhost.smtp_queue_directory, theirs)
        self.assertIsMaildir(theirs)

    def test_a_folder_that_cannot_be_made_leaves_the_queue_off(self):
        blocker = os.path.join(self.tmp, "a-file")
        with open(blocker, "w"):
            pass
        with self.assertLogs("collective.tickets", level="ERROR") as logged:
            directory = enable_mail_queue(self.mailhost, os.path.join(blocker, "queue"))
        self.assertIsNone(directory)
        self.assertFalse(self.mailhost.smtp_queue)
        self.assertIn("Could not create the mail queue", logged.output[0])

    def test_a_mock_mailhost_is_left_alone(self):
        mock_mailhost = TestMailHost("MailHost").__of__(self.portal)
        self.assertIsNone(enable_mail_queue(mock_mailhost))
        self.assertFalse(mock_mailhost.smtp_queue)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "var")))

    def test_mailhosts_start_the_retrying_queue_thread(self):
        enable_mail_queue(self.mailhost)
        self.assertIs(
            mailhost_module.QueueProcessorThread, RetryingQueueProcessorThread
        )


class TestStartup(MailQueueTestCase):
    def queue_a_mail_without_sending_it(self):
        """A message left in the queue, as by a process that stopped before
        sending it."""
        ensure_maildir(self.queue)
        with mock.patch.dict(os.environ, {"MAILHOST_QUEUE_ONLY": "1"}):
            self.open_ticket()
        self.assertFalse(self.mailhost.queueThreadAlive())
        self.assertTrue(self.queued())

    def test_startup_sends_the_mail_waiting_in_the_queue(self):
        self.queue_a_mail_without_sending_it()
        waiting = len(self.queued())
        sink = self.start_smtp_server()
        # At server start no site is set: the mailer finds the site's
        # SMTP settings all the same.
        setSite(None)
        try:
            start_site_queues(self.layer["app"])
        finally:
            setSite(self.portal)
        self.assertTrue(self.mailhost.queueThreadAlive())
        self.assertTrue(wait_for(lambda: len(sink.envelopes) == waiting))
        self.assertTrue(wait_for(self.queue_is_empty))

    def test_startup_creates_a_missing_queue_folder(self):
        start_site_queues(self.layer["app"])
        for folder in ("cur", "new", "tmp"):
            self.assertTrue(os.path.isdir(os.path.join(self.queue, folder)))

    def test_startup_in_queue_only_mode_starts_no_thread(self):
        self.queue_a_mail_without_sending_it()
        with mock.patch.dict(os.environ, {"MAILHOST_QUEUE_ONLY": "1"}):
            start_site_queues(self.layer["app"])
        self.assertFalse(self.mailhost.queueThreadAlive())

    def test_startup_leaves_a_mock_mailhost_alone(self):
        mock_mailhost = TestMailHost("MailHost")
        mock_mailhost.smtp_queue = True
        mock_mailhost.smtp_queue_directory = self.queue
        self.portal.MailHost = mock_mailhost
        start_site_queues(self.layer["app"])
        self.assertFalse(os.path.exists(self.queue))
        self.assertFalse(mock_mailhost.queueThreadAlive())

    def test_a_failing_queue_is_logged_and_startup_goes_on(self):
        blocker = os.path.join(self.tmp, "a-file")
        with open(blocker, "w"):
            pass
        self.mailhost.smtp_queue_directory = os.path.join(blocker, "queue")
        with self.assertLogs("collective.tickets", level="ERROR") as logged:
            start_site_queues(self.layer["app"])
        self.assertIn("Could not start the mail queue of /plone", logged.output[0])

    def test_the_subscriber_runs_when_the_server_starts(self):
        # What zope.event's dispatch looks up when the WSGI server notifies
        # IProcessStarting (the layers' stacked registries included).
        handlers = getGlobalSiteManager().adapters.subscriptions(
            [IProcessStarting], None
        )
        self.assertIn(start_mail_queues, handlers)
