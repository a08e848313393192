"""The outgoing mail queue: notifications survive a mail server outage.

The ticket mail action hands its messages to the MailHost inside the
transaction (``core.outgoing``). With the MailHost's queue on, zope.sendmail
writes each message into a maildir when the transaction commits, and writes
nothing when it aborts; a background thread of the MailHost then delivers
the maildir's messages, checking every 3 seconds.

Two gaps of the stock queue are closed here:

- zope.sendmail's thread keeps a message it failed to deliver (server down,
  a 4xx answer) locked, and skips it for 3 hours (``MAX_SEND_TIME``);
  ``RetryingQueueProcessorThread`` tries it again after ``RETRY_DELAY``.
- The MailHost starts its thread only when the process sends a mail; at
  server start ``start_mail_queues`` starts it, so mail queued before a
  restart, or by another process, leaves without waiting for a new one.

``docs/mail-queue.rst`` is the operators' side of this.
"""

from Acquisition import aq_inner
from Acquisition import aq_parent
from App.config import getConfiguration
from collective.tickets import logger
from plone.browserlayer.interfaces import ILocalBrowserLayerType
from Products.CMFCore.interfaces import ISiteRoot
from Products.MailHost import MailHost as mailhost_module
from Products.MailHost.MailHost import MailHost
from zope.component.hooks import getSite
from zope.component.hooks import setSite
from zope.sendmail import queue as sendmail_queue
from zope.sendmail.queue import QueueProcessorThread

import os
import time
import transaction


# Between two attempts at a message the server did not take. Each failed
# attempt logs an error, so not every 3 seconds of a long outage.
RETRY_DELAY = 30

# The class default of a MailHost's queue directory: never a maildir, so a
# queue turned on with it was turned on without choosing a directory.
UNSET_DIRECTORY = "/tmp"

BROWSER_LAYER_NAME = "collective.tickets"


class _WatchedMailer:
    """A mailer that remembers whether its last delivery failed."""

    def __init__(self, mailer):
        self.mailer = mailer
        self.failed = False

    def send(self, fromaddr, toaddrs, message):
        self.failed = False
        try:
            self.mailer.send(fromaddr, toaddrs, message)
        except Exception:
            self.failed = True
            raise

    def __getattr__(self, name):
        return getattr(self.mailer, name)


class RetryingQueueProcessorThread(QueueProcessorThread):
    """zope.sendmail's queue processor, trying a message again soon after a
    delivery that may succeed later.

    Before sending a message the processor hard-links it to ``.sending-<name>``
    beside it: the lock that keeps the other processes sharing the maildir
    from sending it too. A delivery refused for good (5xx) ends as a
    ``.rejected-`` file; any other failure leaves the lock, and every
    processor skips a message whose lock is younger than ``MAX_SEND_TIME``
    (3 hours). Here the failed message's lock is dated back so that it comes
    of age ``retry_delay`` seconds later: still ours until then, retried then.
    """

    retry_delay = RETRY_DELAY

    def setMailer(self, mailer):
        super().setMailer(_WatchedMailer(mailer))

    def _process_one_file(self, filename):
        self.mailer.failed = False
        super()._process_one_file(filename)
        # After a permanent refusal the message file is gone (a .rejected-
        # link stays); the lock of a message that is still there is ours:
        # the mailer only ran after our hard link succeeded.
        if self.mailer.failed and os.path.exists(filename):
            self._retry_later(filename)

    def _retry_later(self, filename):
        head, tail = os.path.split(filename)
        lock = os.path.join(head, ".sending-" + tail)
        retry_at = time.time() - sendmail_queue.MAX_SEND_TIME + self.retry_delay
        try:
            os.utime(lock, (retry_at, retry_at))
        except OSError:
            self.log.exception("Could not schedule a new attempt at %s", filename)


def use_retrying_processor():
    """Make every MailHost of this process start ``RetryingQueueProcessorThread``.

    The MailHost names zope.sendmail's class in its module and offers no
    other hook; the replacement changes only what happens after a failed
    delivery, for any MailHost, ticket site or not.
    """
    mailhost_module.QueueProcessorThread = RetryingQueueProcessorThread


def is_real_mailhost(mailhost):
    """Whether ``mailhost`` is a Products.MailHost MailHost, whose queue we
    may configure: not the tests' MockMailHost, nor another IMailHost."""
    return isinstance(mailhost, MailHost)


def default_queue_directory(site_id):
    """``<instance>/var/mailqueue/<site id>``.

    One directory per site: the MailHost runs one delivery thread per
    directory, with the SMTP settings of the MailHost that started it.
    """
    return os.path.join(getConfiguration().clienthome, "mailqueue", site_id)


def ensure_maildir(path):
    """Create the maildir ``path`` (its cur, new and tmp folders) where missing.

    zope.sendmail creates a missing maildir, but not its parent folders.
    """
    for folder in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, folder), exist_ok=True)


def queue_configured_by_manager(mailhost):
    return bool(mailhost.smtp_queue) and mailhost.smtp_queue_directory not in (
        "",
        UNSET_DIRECTORY,
    )


def enable_mail_queue(mailhost=None, directory=None):
    """Turn the queue of the site's MailHost on; return its directory.

    A queue the site manager turned on with a directory of their own is left
    as it is (its maildir is created if missing). Otherwise the queue goes to
    ``directory``, by default ``default_queue_directory``. Returns None, and
    leaves the MailHost alone, when it is not a real MailHost or the
    directory cannot be created: with the queue on, sending to a directory
    that cannot exist would fail every transaction that sends a mail.
    """
    if mailhost is None:
        from plone import api

        mailhost = api.portal.get_tool("MailHost")
    if not is_real_mailhost(mailhost):
        logger.info(
            "The mail host %r is not a MailHost: its mail queue is left alone.",
            mailhost,
        )
        return None
    use_retrying_processor()
    if queue_configured_by_manager(mailhost):
        directory = mailhost.smtp_queue_directory
    else:
        site = aq_parent(aq_inner(mailhost))
        directory = directory or default_queue_directory(site.getId())
    try:
        ensure_maildir(directory)
    except OSError:
        logger.exception(
            "Could not create the mail queue %s: outgoing mail is not queued. "
            "Create the folder, writable by Zope, and enable the queue in the "
            "MailHost's settings.",
            directory,
        )
        return None
    if not mailhost.smtp_queue or mailhost.smtp_queue_directory != directory:
        mailhost.smtp_queue = True
        mailhost.smtp_queue_directory = directory
        logger.info("Outgoing mail is queued in %s", directory)
    return directory


def ticket_sites(app):
    """The Plone sites in the Zope root where collective.tickets is installed.

    Its browser layer is registered in the site's own component registry by
    the install profile and removed by the uninstall profile: a lookup that
    needs no site hook and loads no tool.
    """
    for obj in app.objectValues():
        if not ISiteRoot.providedBy(obj):
            continue
        registry = obj.getSiteManager()
        if (
            registry.queryUtility(ILocalBrowserLayerType, name=BROWSER_LAYER_NAME)
            is not None
        ):
            yield obj


def start_queue(mailhost):
    """Create the maildir of a queue that is on, and start its thread."""
    directory = mailhost.smtp_queue_directory
    ensure_maildir(directory)
    waiting = mailhost.queueLength()
    if os.environ.get("MAILHOST_QUEUE_ONLY"):
        logger.info(
            "MAILHOST_QUEUE_ONLY is set: %s messages wait in %s for another "
            "process to send them.",
            waiting,
            directory,
        )
        return
    mailhost._startQueueProcessorThread()
    if waiting:
        logger.info("Sending %s queued messages from %s", waiting, directory)


def start_site_queues(app):
    """Start the mail queue of every ticket site of ``app`` that uses one."""
    previous = getSite()
    for site in ticket_sites(app):
        # Plone's SMTP mailer reads the server's address from the registry
        # of the current site (Products.CMFPlone.patches.sendmail).
        setSite(site)
        try:
            mailhost = getattr(site, "MailHost", None)
            if is_real_mailhost(mailhost) and mailhost.smtp_queue:
                start_queue(mailhost)
        except Exception:  # noqa: BLE001 - a mail queue never stops the server
            logger.exception(
                "Could not start the mail queue of %s", "/".join(site.getPhysicalPath())
            )
        finally:
            setSite(previous)


def start_mail_queues(event):
    """At server start (``IProcessStarting``), start the sites' mail queues.

    The thread starts whether or not mail is waiting: messages queued
    afterwards by another process sharing the maildir (a script, another
    ZEO client on this machine) then leave too. ``IProcessStarting`` is
    notified by the WSGI server's start (``runwsgi``, ``instance fg``), after
    the database is open, and not by ``zconsole`` scripts, whose thread would
    die with them.
    """
    use_retrying_processor()
    try:
        import Zope2

        app = Zope2.app()
    except Exception:  # noqa: BLE001 - a mail queue never stops the server
        logger.exception("Could not open the database to start the mail queues")
        return
    try:
        start_site_queues(app)
    finally:
        transaction.abort()
        app._p_jar.close()
