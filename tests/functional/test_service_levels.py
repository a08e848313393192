"""Service levels on the screens: the settings with their errors, the due
time and the overdue marks the staff see (and nobody else), the exemption
from automatic closing in the handling panel."""

from collective.tickets import api as tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from DateTime import DateTime
from helpers import as_user
from helpers import browser_for
from helpers import round_the_clock
from helpers import SentMailMixin
from helpers import set_setting
from plone import api

import transaction
import unittest


def get_setting(name):
    return api.portal.get_registry_record(name, interface=ITicketSettings)


class ServiceScreensTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        round_the_clock()
        set_setting("first_response_normal", 2.0)
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer on fire", "<p>Help</p>")
        # Opened three hours ago: the first response is overdue.
        self.ticket.creation_date = DateTime() - 3 / 24
        self.ticket.reindexObject()
        self.commit()


class TestTheSettings(ServiceScreensTestCase):
    def test_managers_set_hours_holidays_and_targets(self):
        browser = browser_for(self.layer, MANAGER)
        browser.open(f"{self.portal_url}/@@tickets-controlpanel")
        browser.getControl(name="form.widgets.hours_monday").value = "9-17"
        browser.getControl(name="form.widgets.holidays").value = "25/12/2026"
        browser.getControl(name="form.buttons.save").click()
        self.assertIn("'9-17' is not a range of opening hours", browser.contents)
        self.assertIn("'25/12/2026' is not a holiday", browser.contents)
        self.assertEqual(get_setting("hours_monday"), "00:00-24:00")
        browser.getControl(
            name="form.widgets.hours_monday"
        ).value = "09:00-14:00, 15:00-18:00"
        browser.getControl(name="form.widgets.holidays").value = "2026-12-25 Navidad"
        browser.getControl(name="form.widgets.resolution_urgent").value = "4.5"
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        self.assertEqual(get_setting("hours_monday"), "09:00-14:00, 15:00-18:00")
        self.assertEqual(get_setting("holidays"), ["2026-12-25 Navidad"])
        self.assertEqual(get_setting("resolution_urgent"), 4.5)

    def test_the_settings_speak_spanish(self):
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        self.commit()
        browser = browser_for(self.layer, MANAGER)
        browser.open(f"{self.portal_url}/@@tickets-controlpanel")
        self.assertTrue("Niveles de servicio" in browser.contents)
        browser.getControl(name="form.widgets.hours_monday").value = "9-17"
        browser.getControl(name="form.buttons.save").click()
        self.assertTrue("'9-17' no es un horario de atención" in browser.contents)

    def test_nobody_but_managers_opens_them(self):
        for userid in (STAFF, CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.open(f"{self.portal_url}/@@tickets-controlpanel")
            self.assertNotIn("form.widgets.hours_monday", browser.contents, userid)


class TestDueTimesOnScreen(ServiceScreensTestCase):
    def test_the_staff_see_the_overdue_mark_everywhere(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(f"{self.portal_url}/@@tickets?due=overdue")
        self.assertIn("Printer on fire", staff.contents)
        self.assertIn("ticket-overdue", staff.contents)
        staff.open(f"{self.portal_url}/@@tickets?due=soon")
        self.assertNotIn("Printer on fire", staff.contents)
        staff.open(f"{self.portal_url}/@@customer-tickets?userid={CUSTOMER}")
        self.assertIn("ticket-overdue", staff.contents)
        staff.open(self.ticket.absolute_url())
        self.assertIn("First response overdue since", staff.contents)

    def test_customers_see_no_service_levels(self):
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(f"{self.portal_url}/@@my-tickets")
        self.assertIn("Printer on fire", customer.contents)
        self.assertNotIn("ticket-overdue", customer.contents)
        customer.open(self.ticket.absolute_url())
        self.assertNotIn("ticket-service-level", customer.contents)
        self.assertNotIn("overdue", customer.contents.lower())
        # The other customer and anonymous do not even get the filtered queue.
        for userid in (OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            browser.open(f"{self.portal_url}/@@tickets?due=overdue")
            self.assertNotIn("Printer on fire", browser.contents, userid)

    def test_a_staff_reply_pauses_the_clock(self):
        with as_user(self.portal, STAFF):
            tickets.reply(self.ticket, "<p>Which printer?</p>")
        self.commit()
        staff = browser_for(self.layer, STAFF)
        staff.open(self.ticket.absolute_url())
        self.assertIn("Service clock paused: waiting on the customer", staff.contents)
        staff.open(f"{self.portal_url}/@@tickets?due=overdue")
        self.assertNotIn("Printer on fire", staff.contents)


class TestKeepOpen(ServiceScreensTestCase):
    def test_staff_exempt_a_ticket_in_the_handling_panel(self):
        set_setting("remind_after_days", 3)
        self.commit()
        staff = browser_for(self.layer, STAFF)
        staff.open(self.ticket.absolute_url())
        staff.getControl(name="desk.widgets.keep_open:list").value = ["selected"]
        staff.getControl(name="desk.buttons.save").click()
        transaction.begin()
        self.assertTrue(tickets.keep_open(self.ticket))

    def test_the_box_is_hidden_while_automatic_closing_is_off(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(self.ticket.absolute_url())
        self.assertNotIn('type="checkbox" name="desk.widgets.keep_open', staff.contents)
