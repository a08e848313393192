"""Canned replies: the managers keep them, the staff insert them filled in
for the ticket, nobody else sees them (the page, the JSON, the picker)."""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core import canned
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import SentMailMixin
from plone import api

import json
import transaction
import unittest


TEXT = (
    "<p>Hello ${customer_name},</p><p>about ${ticket_number} "
    "(${ticket_title}): please restart the printer.</p><p>${staff_name}</p>"
)


class CannedTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        api.portal.set_registry_record("plone.available_languages", ["en", "es"])
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer <on> fire", "<p>Help</p>")
        with as_user(self.portal, MANAGER):
            self.canned_id = canned.save_canned("Restart the printer", TEXT)
        self.commit()


class TestTheManagersPage(CannedTestCase):
    def test_managers_add_edit_and_delete(self):
        browser = browser_for(self.layer, MANAGER)
        browser.open(f"{self.portal_url}/@@tickets-canned-replies")
        self.assertIn("Restart the printer", browser.contents)
        browser.getControl(name="canned.widgets.title").value = ""
        browser.getControl(name="canned.widgets.text").value = "<p>Thanks!</p>"
        browser.getControl(name="canned.buttons.save").click()
        self.assertIn("Required input is missing", browser.contents)
        browser.getControl(name="canned.widgets.title").value = "Thanks"
        browser.getControl(name="canned.widgets.text").value = "<p>Thanks!</p>"
        browser.getControl(name="canned.widgets.language:list").value = ["es"]
        browser.getControl(name="canned.buttons.save").click()
        transaction.begin()
        with as_user(self.portal, STAFF):
            titles = [(r.title, r.language) for r in canned.canned_replies()]
        self.assertEqual(titles, [("Restart the printer", ""), ("Thanks", "es")])
        # Edit through ?id=
        browser.open(f"{self.portal_url}/@@tickets-canned-replies?id={self.canned_id}")
        self.assertEqual(
            browser.getControl(name="canned.widgets.title").value,
            "Restart the printer",
        )
        browser.getControl(name="canned.widgets.title").value = "Restart it"
        browser.getControl(name="canned.buttons.save").click()
        transaction.begin()
        with as_user(self.portal, STAFF):
            self.assertEqual(canned.get_canned(self.canned_id).title, "Restart it")
        # Delete, with the CSRF token only.
        browser.open(f"{self.portal_url}/@@tickets-canned-replies")
        token = authenticator(browser)
        browser.post(
            f"{self.portal_url}/@@tickets-canned-replies",
            f"delete={self.canned_id}",
        )
        self.assertTrue(browser.headers["status"].startswith("403"))
        transaction.begin()
        with as_user(self.portal, STAFF):
            self.assertIsNotNone(canned.get_canned(self.canned_id))
        browser.post(
            f"{self.portal_url}/@@tickets-canned-replies",
            f"delete={self.canned_id}&_authenticator={token}",
        )
        transaction.begin()
        with as_user(self.portal, STAFF):
            self.assertIsNone(canned.get_canned(self.canned_id))

    def test_nobody_else_opens_the_page(self):
        for userid in (STAFF, CUSTOMER, OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.open(f"{self.portal_url}/@@tickets-canned-replies")
            self.assertNotIn("Restart the printer", browser.contents, userid)

    def test_staff_read_but_do_not_change(self):
        with as_user(self.portal, STAFF):
            self.assertEqual(len(canned.canned_replies()), 1)
            with self.assertRaises(Unauthorized):
                canned.save_canned("Mine", "<p>x</p>")
            with self.assertRaises(Unauthorized):
                canned.delete_canned(self.canned_id)
        for userid in (CUSTOMER, OTHER_CUSTOMER):
            with as_user(self.portal, userid), self.assertRaises(Unauthorized):
                canned.canned_replies()


class TestInTheReplyBox(CannedTestCase):
    def test_the_staff_pick_one_and_it_is_filled_in(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(self.ticket.absolute_url())
        self.assertIn("ticket-canned", staff.contents)
        # Without JavaScript: the picker's GET puts it into the box.
        staff.open(f"{self.ticket.absolute_url()}?canned={self.canned_id}")
        text = staff.getControl(name="reply.widgets.text").value
        self.assertIn("Hello Carla Customer,", text)
        number = f"#{self.ticket.ticket_number}"
        self.assertIn(f"about {number} (Printer &lt;on&gt; fire)", text)
        self.assertIn("Sam Staff", text)
        # The script's JSON.
        staff.open(f"{self.ticket.absolute_url()}/@@canned-reply?id={self.canned_id}")
        data = json.loads(staff.contents)
        self.assertIn("Printer &lt;on&gt; fire", data["text"])
        self.assertEqual(data["title"], "Restart the printer")

    def test_customers_see_no_picker_and_get_nothing(self):
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(f"{self.ticket.absolute_url()}?canned={self.canned_id}")
        self.assertNotIn("ticket-canned", customer.contents)
        self.assertNotIn("restart the printer", customer.contents.lower())
        for userid in (CUSTOMER, OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.open(
                f"{self.ticket.absolute_url()}/@@canned-reply?id={self.canned_id}"
            )
            self.assertNotIn("restart the printer", browser.contents.lower(), userid)

    def test_a_reply_in_another_language_is_not_offered(self):
        with as_user(self.portal, MANAGER):
            canned.save_canned("Gracias", "<p>Gracias</p>", language="es")
        self.commit()
        staff = browser_for(self.layer, STAFF)
        staff.open(self.ticket.absolute_url())
        self.assertIn("Restart the printer", staff.contents)
        self.assertNotIn("Gracias", staff.contents)
        with as_user(self.portal, STAFF):
            self.assertEqual(
                [r.title for r in canned.canned_replies(language="es")],
                ["Gracias", "Restart the printer"],
            )
            self.assertEqual(
                [r.title for r in canned.canned_replies(text="restart printer")],
                ["Restart the printer"],
            )
