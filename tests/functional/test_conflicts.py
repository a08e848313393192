"""A write conflict that wins every try Zope gives it: the person gets
"please send it again" with what they wrote and a button that sends the same
fields again, never an error page; REST clients get 503 with Retry-After.

The conflict is forced by making the reply fail with ZODB's ConflictError on
every try, as a busy cluster could (tests/cluster measure the real ones)."""

from collective.tickets import api as tickets
from collective.tickets.browser.conflict import ConflictView
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import PDF
from helpers import post_multipart
from unittest import mock
from ZODB.POSException import ConflictError
from ZPublisher.HTTPRequest import HTTPRequest

import json
import transaction
import unittest


def status(browser):
    return int(browser.headers["status"].split()[0])


class AlwaysConflicts:
    """Stands in for a function; raises ConflictError every time."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        raise ConflictError("forced by the test")


class TestConflictPage(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        # Tries as an instance of this project makes them (zope.conf's
        # max-conflict-retries; the test publisher's default is none).
        retries = mock.patch.object(HTTPRequest, "retry_max_count", 3)
        retries.start()
        self.addCleanup(retries.stop)
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer jam", "<p>It jams.</p>")
        transaction.commit()
        self.url = self.ticket.absolute_url()

    def browser(self):
        """The customer's browser, asking for pages as a real one does."""
        browser = browser_for(self.layer, CUSTOMER)
        browser.addHeader("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        return browser

    def reply_count(self):
        return len(tickets.replies(self.ticket))

    def test_a_reply_that_always_conflicts_gets_a_page_to_send_it_again(self):
        browser = self.browser()
        browser.open(self.url)
        browser.getControl(
            name="reply.widgets.text"
        ).value = "<p>My <strong>long</strong> answer 4711</p>"
        conflicts = AlwaysConflicts()
        with mock.patch("collective.tickets.api.reply", conflicts):
            browser.getControl("Send reply").click()
        self.assertEqual(conflicts.calls, 4, "Zope tried the request 3 times more")
        self.assertEqual(status(browser), 503)
        self.assertEqual(browser.headers["Retry-After"], "2")
        page = browser.contents
        self.assertIn("Nothing was saved: please send it again", page)
        self.assertNotIn("files you attached", page)
        # What they wrote, as text, to see and copy.
        self.assertIn("My long answer 4711", page)
        transaction.begin()
        self.assertEqual(self.reply_count(), 0)

        # The same fields, sent again once the site is calm: stored once.
        browser.getControl("Send again").click()
        self.assertEqual(status(browser), 200)
        self.assertIn("Your reply has been added.", browser.contents)
        transaction.begin()
        (reply,) = tickets.replies(self.ticket)
        self.assertIn("answer 4711", reply.text.raw)

    def test_files_are_said_not_to_be_kept(self):
        browser = self.browser()
        browser.open(self.url)
        fields = [
            ("_authenticator", authenticator(browser)),
            ("reply.widgets.text", "<p>See file</p>"),
            ("reply.widgets.text.mimeType", "text/html"),
            ("reply.widgets.attachments", ("scan.pdf", PDF, "application/pdf")),
            ("reply.buttons.save", "Send reply"),
        ]
        with mock.patch("collective.tickets.api.reply", AlwaysConflicts()):
            post_multipart(browser, self.url, fields)
        self.assertEqual(status(browser), 503)
        self.assertIn("The files you attached are not kept", browser.contents)
        self.assertNotIn("scan.pdf", browser.contents.split("<form")[-1])

    def test_rest_api_answers_503_with_the_reason(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.addHeader("Accept", "application/json")
        with mock.patch("collective.tickets.api.reply", AlwaysConflicts()):
            browser.post(
                self.url + "/@reply",
                json.dumps({"text": "<p>Via REST</p>"}),
                "application/json",
            )
        self.assertEqual(status(browser), 503)
        self.assertEqual(browser.headers["Retry-After"], "2")
        answer = json.loads(browser.contents)
        self.assertEqual(answer["type"], "ConflictError")
        self.assertIn("Please send it again", answer["message"])
        transaction.begin()
        self.assertEqual(self.reply_count(), 0)

    def test_a_page_that_conflicts_offers_to_load_it_again(self):
        browser = self.browser()
        with mock.patch(
            "collective.tickets.browser.my_tickets.MyTicketsView.__call__",
            AlwaysConflicts(),
        ):
            browser.open(self.portal.absolute_url() + "/@@my-tickets?b_start:int=0")
        self.assertEqual(status(browser), 503)
        self.assertIn("Please try again", browser.contents)
        link = browser.getLink("Load again")
        self.assertTrue(link.url.endswith("/@@my-tickets?b_start:int=0"))
        link.click()
        self.assertEqual(status(browser), 200)

    def test_without_the_sites_layout_the_page_still_says_it(self):
        """Should Plone's layout fail too (the site is busy), the same words
        and button on a page of their own."""
        browser = self.browser()
        browser.open(self.url)
        browser.getControl(name="reply.widgets.text").value = "<p>Plain 512</p>"

        def broken_layout(view):
            raise RuntimeError("the layout failed")

        with (
            mock.patch.object(ConflictView, "page", broken_layout),
            mock.patch("collective.tickets.api.reply", AlwaysConflicts()),
        ):
            browser.getControl("Send reply").click()
        self.assertEqual(status(browser), 503)
        self.assertNotIn("portal-footer", browser.contents)
        self.assertIn("Nothing was saved: please send it again", browser.contents)
        self.assertIn("Plain 512", browser.contents)
        browser.getControl("Send again").click()
        self.assertIn("Your reply has been added.", browser.contents)
