"""Mail in over HTTP through the publisher: @@mail-in, @@fetch-mail, and the
mail-in key in the control panel."""

from collective.tickets import api as tickets
from collective.tickets.core.mailin.key import mail_in_key
from collective.tickets.core.mailin.key import stored_key
from collective.tickets.core.mailin.tokens import reply_address
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from email.message import EmailMessage
from email.utils import make_msgid
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import PDF
from helpers import SentMailMixin
from plone import api

import json
import transaction
import unittest


SETTINGS = "collective.tickets.interfaces.ITicketSettings."


def reply_mail(ticket, sender=None, text="Thanks, it prints again.", attachment=None):
    mail = EmailMessage()
    mail["From"] = sender or USERS[CUSTOMER]["email"]
    mail["To"] = reply_address(ticket)
    mail["Subject"] = "Re: Printer jam"
    mail["Message-ID"] = make_msgid(domain="example.com")
    mail.set_content(text)
    if attachment is not None:
        mail.add_attachment(
            attachment, maintype="application", subtype="pdf", filename="scan.pdf"
        )
    return mail.as_bytes()


class MailInTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        api.portal.set_registry_record(
            SETTINGS + "support_address", "soporte@example.com"
        )
        self.key = mail_in_key()
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer jam", "<p>It jams.</p>")
        self.commit()
        self.take_mail()

    def post(self, view, body=b"", key=None, content_type="message/rfc822"):
        """(status, headers, JSON answer) of a POST to the view."""
        browser = browser_for(self.layer)
        if key is not None:
            browser.addHeader("X-Mail-In-Key", key)
        browser.post(f"{self.portal_url}/@@{view}", body, content_type)
        return self.answer(browser)

    def answer(self, browser):
        return (
            int(browser.headers["status"].split()[0]),
            browser.headers,
            json.loads(browser.contents),
        )

    def replies(self):
        transaction.begin()
        return len(tickets.replies(self.ticket))


class TestMailIn(MailInTestCase):
    def test_a_reply_by_the_customer_is_added_and_answered_in_json(self):
        status, headers, answer = self.post(
            "mail-in", reply_mail(self.ticket), self.key
        )
        self.assertEqual(status, 200)
        self.assertEqual(answer["status"], "added")
        self.assertEqual(answer["ticket"], self.ticket.absolute_url())
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertEqual(self.replies(), 1)
        self.assertIn(
            "Thanks, it prints again.",
            tickets.conversation(self.ticket)[-1].text,
        )

    def test_without_the_key_nothing_is_stored(self):
        for key in (None, "", "not-the-key", self.key[:-1], self.key + "x"):
            with self.subTest(key=key):
                status, headers, answer = self.post(
                    "mail-in", reply_mail(self.ticket), key
                )
                self.assertEqual(status, 403)
                self.assertIn("X-Mail-In-Key", answer["error"])
                self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertEqual(self.replies(), 0)

    def test_a_logged_in_user_still_needs_the_key(self):
        # The customer, the other customer, the staff and a manager: a login
        # is no key, for either view.
        for userid in (CUSTOMER, OTHER_CUSTOMER, STAFF, MANAGER):
            for view in ("mail-in", "fetch-mail"):
                with self.subTest(userid=userid, view=view):
                    browser = browser_for(self.layer, userid)
                    browser.post(
                        f"{self.portal_url}/@@{view}",
                        reply_mail(self.ticket),
                        "message/rfc822",
                    )
                    self.assertEqual(self.answer(browser)[0], 403)
        self.assertEqual(self.replies(), 0)

    def test_only_post_is_allowed(self):
        browser = browser_for(self.layer)
        browser.addHeader("X-Mail-In-Key", self.key)
        browser.open(f"{self.portal_url}/@@mail-in")
        status, headers, answer = self.answer(browser)
        self.assertEqual(status, 405)
        self.assertEqual(headers["Allow"], "POST")
        self.assertIn("POST", answer["error"])

    def test_a_body_that_is_no_mail_is_a_400(self):
        for body in (b"", b"just some words\n", b"\x00\xff" * 10):
            with self.subTest(body=body):
                status, _headers, answer = self.post("mail-in", body, self.key)
                self.assertEqual(status, 400)
                self.assertTrue(answer["error"])
        self.assertEqual(self.replies(), 0)

    def test_a_stranger_is_refused_with_a_200_and_the_reason(self):
        status, _headers, answer = self.post(
            "mail-in",
            reply_mail(self.ticket, sender=USERS[OTHER_CUSTOMER]["email"]),
            self.key,
        )
        self.assertEqual(status, 200)
        self.assertEqual(answer["status"], "refused")
        self.assertIn(USERS[OTHER_CUSTOMER]["email"], answer["reason"])
        self.assertEqual(self.replies(), 0)

    def test_a_message_over_a_megabyte_is_read_whole_in_either_content_type(self):
        # Zope refuses request["BODY"] over its form memory limit (1 MB).
        pdf = PDF + b"%" + b"x" * (1500 * 1024) + b"\n"
        for content_type in ("message/rfc822", "application/octet-stream"):
            with self.subTest(content_type=content_type):
                mail = reply_mail(self.ticket, attachment=pdf)
                self.assertGreater(len(mail), 2_000_000)
                status, _headers, answer = self.post(
                    "mail-in", mail, self.key, content_type
                )
                self.assertEqual((status, answer["status"]), (200, "added"))
                transaction.begin()
                reply = tickets.replies(self.ticket)[-1]
                (attachment,) = tickets.message_attachments(reply)
                self.assertEqual(attachment.size, len(pdf))
        self.assertEqual(self.replies(), 2)

    def test_a_message_larger_than_any_message_may_be_is_a_413(self):
        api.portal.set_registry_record(SETTINGS + "max_files", 1)
        api.portal.set_registry_record(SETTINGS + "max_file_size", 1)
        transaction.commit()
        mail = reply_mail(self.ticket, attachment=b"x" * (3 * 1024 * 1024))
        status, _headers, answer = self.post("mail-in", mail, self.key)
        self.assertEqual(status, 413)
        self.assertIn("MB", answer["error"])
        self.assertEqual(self.replies(), 0)


class TestFetchMailView(MailInTestCase):
    def test_needs_the_key_and_post(self):
        self.assertEqual(self.post("fetch-mail", key="wrong")[0], 403)
        browser = browser_for(self.layer)
        browser.addHeader("X-Mail-In-Key", self.key)
        browser.open(f"{self.portal_url}/@@fetch-mail")
        self.assertEqual(self.answer(browser)[0], 405)

    def test_without_a_mailbox_it_says_so_and_does_nothing(self):
        status, _headers, answer = self.post("fetch-mail", key=self.key)
        self.assertEqual(status, 200)
        self.assertFalse(answer["configured"])
        self.assertIn("No mailbox configured", answer["summary"])

    def test_a_mailbox_that_cannot_be_reached_is_a_502(self):
        api.portal.set_registry_record(SETTINGS + "imap_host", "127.0.0.1")
        api.portal.set_registry_record(SETTINGS + "imap_port", 9)
        api.portal.set_registry_record(SETTINGS + "imap_security", "none")
        transaction.commit()
        with self.assertLogs("collective.tickets", level="ERROR"):
            status, _headers, answer = self.post("fetch-mail", key=self.key)
        self.assertEqual(status, 502)
        self.assertTrue(answer["failed"])


class TestKeyInTheControlPanel(MailInTestCase):
    def control_panel(self, userid):
        browser = browser_for(self.layer, userid)
        browser.open(f"{self.portal_url}/@@tickets-controlpanel")
        return browser

    def test_managers_and_site_administrators_see_the_key_and_the_address(self):
        for userid in (MANAGER, SITE_ADMIN):
            with self.subTest(userid=userid):
                browser = self.control_panel(userid)
                self.assertIn(self.key, browser.contents)
                self.assertIn(f"{self.portal_url}/@@mail-in", browser.contents)
                self.assertIn("Renew the mail-in key", browser.contents)
                self.assertIn("the old key stops working", browser.contents)
                # Shown, never an input that the Save button would store.
                with self.assertRaises(LookupError):
                    browser.getControl(name="form.widgets.mail_in_key")

    def test_renewing_the_key_retires_the_old_one(self):
        browser = self.control_panel(SITE_ADMIN)
        browser.getControl("Renew the mail-in key").click()
        self.assertIn("The mail-in key was renewed", browser.contents)
        transaction.begin()
        new_key = stored_key()
        self.assertNotEqual(new_key, self.key)
        self.assertIn(new_key, browser.contents)
        self.assertEqual(
            self.post("mail-in", reply_mail(self.ticket), self.key)[0], 403
        )
        status, _headers, answer = self.post(
            "mail-in", reply_mail(self.ticket), new_key
        )
        self.assertEqual((status, answer["status"]), (200, "added"))

    def test_renewing_needs_the_csrf_token(self):
        browser = self.control_panel(MANAGER)
        self.assertTrue(authenticator(browser))
        browser.post(
            f"{self.portal_url}/@@tickets-controlpanel",
            "form.buttons.renew_mail_in_key=Renew",
        )
        self.assertEqual(int(browser.headers["status"].split()[0]), 403)
        transaction.begin()
        self.assertEqual(stored_key(), self.key)

    def test_saving_the_settings_keeps_the_key(self):
        browser = self.control_panel(MANAGER)
        browser.getControl(name="form.buttons.save").click()
        self.assertIn("Changes saved", browser.contents)
        transaction.begin()
        self.assertEqual(stored_key(), self.key)

    def test_nobody_else_sees_the_key_anywhere(self):
        pages = (
            "/@@tickets-controlpanel",
            "/@@configuration_registry",
            "/portal_registry",
            "/++api++/@registry/collective.tickets.mail_in_key",
            "/++api++/@registry",
            "/@@mail-in",
            "/@@fetch-mail",
            "",
            "/@@my-tickets",
            "/@@tickets",
            f"/{self.ticket.absolute_url(relative=True).split('/', 1)[1]}",
        )
        for userid in (None, CUSTOMER, OTHER_CUSTOMER, STAFF):
            browser = browser_for(self.layer, userid)
            browser.followRedirects = False
            for page in pages:
                with self.subTest(userid=userid, page=page):
                    browser.open(self.portal_url + page)
                    contents = browser.contents
                    if isinstance(contents, bytes):
                        contents = contents.decode("utf-8", "replace")
                    self.assertNotIn(self.key, contents)
        for userid in (None, CUSTOMER, STAFF):
            with self.subTest(userid=userid):
                browser = browser_for(self.layer, userid)
                browser.followRedirects = False
                browser.open(f"{self.portal_url}/@@tickets-controlpanel")
                status = int(browser.headers["status"].split()[0])
                # Anonymous is sent to the login form; members get a 401/403.
                self.assertIn(status, (302, 401, 403))
