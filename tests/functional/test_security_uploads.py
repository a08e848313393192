"""Files given to a form that comes back with errors are held, not lost.

Browsers never refill a file input: the files a customer chose are held on
the server, shown on the redisplayed form as already attached, removable, and
used when the form is sent, for their uploader only.
"""

from collective.tickets import api as tickets
from collective.tickets.core import uploads
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import PDF
from helpers import PNG
from helpers import post_multipart
from lxml import html as lxml_html
from plone import api
from unittest import mock

import transaction
import unittest


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256))
TOKEN = "form.widgets.attachments.token"
REMOVE = "form.widgets.attachments.remove:list"
REPLY_TOKEN = "reply.widgets.attachments.token"


def held_names(html):
    """The file names the form shows as already attached."""
    tree = lxml_html.fromstring(html)
    return [node.text_content().strip() for node in tree.find_class("held-file-name")]


def all_tickets():
    transaction.begin()
    return [
        brain._unrestrictedGetObject()
        for brain in api.content.find(portal_type="Ticket", unrestricted=True)
    ]


class HeldUploadsTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()

    def post_new_ticket(self, browser, extra=(), **kw):
        browser.open(self.portal_url + "/@@new-ticket")
        fields = new_ticket_fields(authenticator(browser), **kw)
        post_multipart(
            browser,
            self.portal_url + "/@@new-ticket",
            fields[:-1] + list(extra) + fields[-1:],
        )

    def open_ticket_as_customer(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Broken login", "<p>I cannot log in.</p>")
        transaction.commit()
        return ticket

    def post_reply(self, browser, ticket, text, files=(), extra=()):
        browser.open(ticket.absolute_url())
        fields = [
            ("_authenticator", authenticator(browser)),
            (
                "reply.widgets.submission_id",
                browser.getControl(name="reply.widgets.submission_id").value,
            ),
            ("reply.widgets.text", text),
            ("reply.widgets.text.mimeType", "text/html"),
        ]
        fields += [("reply.widgets.attachments", upload) for upload in files]
        fields += list(extra)
        fields.append(("reply.buttons.save", "Send reply"))
        post_multipart(browser, ticket.absolute_url(), fields)


class TestNewTicketForm(HeldUploadsTestCase):
    def test_file_given_with_an_empty_subject_is_sent_without_choosing_it_again(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>See the file</p>",
            files=[("invoice.pdf", PDF, "application/pdf")],
        )
        self.assertIn("Required input is missing.", browser.contents)
        self.assertEqual(held_names(browser.contents), ["invoice.pdf"])
        self.assertIn("already attached", browser.contents)
        self.assertNotIn("select them again", browser.contents)
        self.assertEqual(all_tickets(), [])

        browser.getControl(name="form.widgets.title").value = "Fixed subject"
        browser.getControl("Open ticket").click()
        self.assertIn("Your ticket has been opened.", browser.contents)
        [ticket] = all_tickets()
        self.assertEqual([a.filename for a in ticket.attachments], ["invoice.pdf"])
        self.assertEqual(ticket.attachments[0].data, PDF)
        self.assertIn("invoice.pdf", browser.contents)

    def test_files_given_with_an_invalid_cc_are_held_and_more_can_be_added(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="Printer",
            text="<p>x</p>",
            cc=[("bob@", "")],
            files=[
                ("screen.png", PNG, "image/png"),
                ("invoice.pdf", PDF, "application/pdf"),
            ],
        )
        self.assertIn("'bob@' is not a valid e-mail address.", browser.contents)
        self.assertEqual(held_names(browser.contents), ["screen.png", "invoice.pdf"])
        token = browser.getControl(name=TOKEN).value
        self.post_new_ticket(
            browser,
            subject="Printer",
            text="<p>x</p>",
            cc=[("bob@example.com", "")],
            files=[("notes.txt", b"more", "text/plain")],
            extra=[(TOKEN, token)],
        )
        self.assertIn("Your ticket has been opened.", browser.contents)
        [ticket] = all_tickets()
        self.assertEqual(
            [a.filename for a in ticket.attachments],
            ["screen.png", "invoice.pdf", "notes.txt"],
        )

    def test_a_removed_held_file_is_not_attached(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[
                ("keep.pdf", PDF, "application/pdf"),
                ("wrong.png", PNG, "image/png"),
            ],
        )
        self.assertEqual(held_names(browser.contents), ["keep.pdf", "wrong.png"])
        browser.getControl(name="form.widgets.title").value = "Only one file"
        remove = browser.getControl(name=REMOVE)
        remove.value = [
            option
            for option, label in zip(remove.options, remove.displayOptions, strict=True)
            if "wrong.png" in label
        ]
        browser.getControl("Open ticket").click()
        self.assertIn("Your ticket has been opened.", browser.contents)
        [ticket] = all_tickets()
        self.assertEqual([a.filename for a in ticket.attachments], ["keep.pdf"])

    def test_a_removed_held_file_stays_removed_after_another_error(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[
                ("keep.pdf", PDF, "application/pdf"),
                ("wrong.png", PNG, "image/png"),
            ],
        )
        remove = browser.getControl(name=REMOVE)
        remove.value = [remove.options[1]]
        browser.getControl("Open ticket").click()
        self.assertIn("Required input is missing.", browser.contents)
        self.assertEqual(held_names(browser.contents), ["keep.pdf"])

    def test_a_file_of_a_refused_type_is_not_held_and_the_error_names_it(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[
                ("good.pdf", PDF, "application/pdf"),
                ("tool.exe", EXE, "application/octet-stream"),
            ],
        )
        self.assertEqual(held_names(browser.contents), ["good.pdf"])
        self.assertIn("These files were not attached", browser.contents)
        self.assertIn("The file 'tool.exe' is of type", browser.contents)
        browser.getControl(name="form.widgets.title").value = "Fixed"
        browser.getControl("Open ticket").click()
        [ticket] = all_tickets()
        self.assertEqual([a.filename for a in ticket.attachments], ["good.pdf"])

    def test_held_files_count_against_the_number_of_files_per_message(self):
        api.portal.set_registry_record("max_files", 2, interface=ITicketSettings)
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[
                ("one.pdf", PDF, "application/pdf"),
                ("two.pdf", PDF, "application/pdf"),
            ],
        )
        token = browser.getControl(name=TOKEN).value
        self.post_new_ticket(
            browser,
            subject="Three files",
            text="<p>x</p>",
            files=[("three.pdf", PDF, "application/pdf")],
            extra=[(TOKEN, token)],
        )
        self.assertNotIn("Your ticket has been opened.", browser.contents)
        self.assertIn("at most 2", browser.contents)
        self.assertIn("three.pdf", browser.contents)
        self.assertEqual(held_names(browser.contents), ["one.pdf", "two.pdf"])
        self.assertEqual(all_tickets(), [])

    def test_another_customers_token_gives_nothing(self):
        owner = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            owner,
            subject="",
            text="<p>x</p>",
            files=[("private.pdf", PDF, "application/pdf")],
        )
        token = owner.getControl(name=TOKEN).value
        other = browser_for(self.layer, OTHER_CUSTOMER)
        # With an error the form would show what the token holds: nothing.
        self.post_new_ticket(other, subject="", text="<p>x</p>", extra=[(TOKEN, token)])
        self.assertNotIn("private.pdf", other.contents)
        self.assertEqual(held_names(other.contents), [])
        self.post_new_ticket(
            other, subject="Stolen?", text="<p>x</p>", extra=[(TOKEN, token)]
        )
        self.assertIn("Your ticket has been opened.", other.contents)
        [ticket] = all_tickets()
        self.assertEqual(ticket.attachments, [])
        # The owner still has the file.
        owner.getControl(name="form.widgets.title").value = "Mine"
        owner.getControl("Open ticket").click()
        mine = [t for t in all_tickets() if t.title == "Mine"][0]
        self.assertEqual([a.filename for a in mine.attachments], ["private.pdf"])

    def test_a_guessed_token_gives_nothing(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[("a.pdf", PDF, "application/pdf")],
        )
        token = browser.getControl(name=TOKEN).value
        guessed = token[:-1] + ("A" if token[-1] != "A" else "B")
        for guess in (guessed, "1", ""):
            self.post_new_ticket(
                browser, subject="", text="<p>x</p>", extra=[(TOKEN, guess)]
            )
            self.assertEqual(held_names(browser.contents), [], guess)
        self.post_new_ticket(
            browser, subject="Guess", text="<p>x</p>", extra=[(TOKEN, guessed)]
        )
        self.assertIn("Your ticket has been opened.", browser.contents)
        [ticket] = all_tickets()
        self.assertEqual(ticket.attachments, [])

    def test_files_are_not_held_from_a_forged_post(self):
        browser = browser_for(self.layer, CUSTOMER)
        fields = new_ticket_fields(
            "forged",
            subject="",
            text="<p>x</p>",
            files=[("a.pdf", PDF, "application/pdf")],
        )
        post_multipart(browser, self.portal_url + "/@@new-ticket", fields)
        self.assertEqual(browser.headers["status"].split()[0], "403")
        transaction.begin()
        with as_user(self.portal, CUSTOMER):
            self.assertEqual(uploads.held_count(CUSTOMER), 0)

    def test_the_fixed_form_sent_twice_opens_one_ticket_with_the_file(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[("a.pdf", PDF, "application/pdf")],
        )
        submission_id = browser.getControl(name="form.widgets.submission_id").value
        token = browser.getControl(name=TOKEN).value
        for _attempt in range(2):
            post_multipart(
                browser,
                self.portal_url + "/@@new-ticket",
                new_ticket_fields(
                    authenticator(browser),
                    subject="Twice",
                    text="<p>x</p>",
                    submission_id=submission_id,
                )[:-1]
                + [(TOKEN, token), ("form.buttons.add", "x")],
            )
            self.assertIn("Your ticket has been opened.", browser.contents)
        [ticket] = all_tickets()
        self.assertEqual([a.filename for a in ticket.attachments], ["a.pdf"])

    def test_files_are_no_longer_held_once_the_ticket_is_opened(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.post_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[("a.pdf", PDF, "application/pdf")],
        )
        transaction.begin()
        self.assertEqual(uploads.held_count(CUSTOMER), 1)
        browser.getControl(name="form.widgets.title").value = "Done"
        browser.getControl("Open ticket").click()
        transaction.begin()
        self.assertEqual(uploads.held_count(CUSTOMER), 0)


class TestReplyForm(HeldUploadsTestCase):
    def test_file_given_with_an_empty_reply_is_sent_with_the_message(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        self.post_reply(
            browser, ticket, "<p> </p>", files=[("log.txt", b"error 42", "text/plain")]
        )
        self.assertIn("Write a message.", browser.contents)
        self.assertEqual(held_names(browser.contents), ["log.txt"])
        browser.getControl(name="reply.widgets.text").value = "<p>Here it is</p>"
        browser.getControl("Send reply").click()
        self.assertIn("Your reply has been added.", browser.contents)
        transaction.begin()
        [reply] = tickets.replies(ticket)
        self.assertEqual([a.filename for a in reply.attachments], ["log.txt"])

    def test_staff_reply_keeps_its_files_and_a_removed_one_is_dropped(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, STAFF)
        self.post_reply(
            browser,
            ticket,
            "",
            files=[
                ("howto.pdf", PDF, "application/pdf"),
                ("old.png", PNG, "image/png"),
            ],
        )
        self.assertEqual(held_names(browser.contents), ["howto.pdf", "old.png"])
        remove = browser.getControl(name="reply.widgets.attachments.remove:list")
        remove.value = [remove.options[1]]
        browser.getControl(name="reply.widgets.text").value = "<p>See the guide</p>"
        browser.getControl("Send reply").click()
        transaction.begin()
        [reply] = tickets.replies(ticket)
        self.assertEqual([a.filename for a in reply.attachments], ["howto.pdf"])

    def test_staff_token_gives_the_customer_nothing(self):
        ticket = self.open_ticket_as_customer()
        staff = browser_for(self.layer, STAFF)
        self.post_reply(
            staff, ticket, "", files=[("internal.pdf", PDF, "application/pdf")]
        )
        token = staff.getControl(name=REPLY_TOKEN).value
        customer = browser_for(self.layer, CUSTOMER)
        self.post_reply(customer, ticket, "", extra=[(REPLY_TOKEN, token)])
        self.assertNotIn("internal.pdf", customer.contents)
        self.post_reply(customer, ticket, "<p>Hi</p>", extra=[(REPLY_TOKEN, token)])
        self.assertIn("Your reply has been added.", customer.contents)
        transaction.begin()
        [reply] = tickets.replies(ticket)
        self.assertEqual(reply.attachments, [])


class TestHoldingArea(unittest.TestCase):
    """The holding area itself: owners, expiry, clean-up."""

    layer = INTEGRATION_TESTING

    def hold(self, userid, files, token=None):
        return uploads.hold(userid, token, files)

    def test_tokens_are_random_and_long(self):
        first, _failed = self.hold(CUSTOMER, [("a.pdf", PDF, None)])
        second, _failed = self.hold(CUSTOMER, [("a.pdf", PDF, None)])
        self.assertNotEqual(first, second)
        self.assertGreaterEqual(len(first), 32)

    def test_files_belong_to_their_uploader_only(self):
        token, _failed = self.hold(CUSTOMER, [("a.pdf", PDF, None)])
        self.assertEqual(
            [blob.filename for _key, blob in uploads.held_files(CUSTOMER, token)],
            ["a.pdf"],
        )
        self.assertEqual(uploads.held_files(OTHER_CUSTOMER, token), [])
        self.assertEqual(uploads.held_files(None, token), [])
        self.assertEqual(self.hold(None, [("a.pdf", PDF, None)]), (None, []))

    def test_held_files_expire_and_are_cleaned_up_on_the_way(self):
        token, _failed = self.hold(CUSTOMER, [("a.pdf", PDF, None)])
        later = uploads.now() + uploads.HOLD_SECONDS + 1
        with mock.patch.object(uploads, "now", return_value=later):
            self.assertEqual(uploads.held_files(CUSTOMER, token), [])
            self.hold(OTHER_CUSTOMER, [("b.pdf", PDF, None)])
            self.assertEqual(uploads.held_count(CUSTOMER), 0)
            self.assertEqual(uploads.held_count(OTHER_CUSTOMER), 1)

    def test_a_user_holds_a_bounded_number_of_forms(self):
        tokens = [
            self.hold(CUSTOMER, [("a.pdf", PDF, None)])[0]
            for _index in range(uploads.MAX_FORMS_PER_USER + 3)
        ]
        self.assertEqual(uploads.held_count(CUSTOMER), uploads.MAX_FORMS_PER_USER)
        self.assertEqual(uploads.held_files(CUSTOMER, tokens[0]), [])
        self.assertEqual(len(uploads.held_files(CUSTOMER, tokens[-1])), 1)
