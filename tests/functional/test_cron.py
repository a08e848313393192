"""The periodic job: overdue events once per ticket and target, reminders,
automatic closing and its exemption; through the Python API, over HTTP
(@@tickets-cron) and its mails."""

from collective.tickets import api as tickets
from collective.tickets.core.cron import run_periodic
from collective.tickets.core.history import history
from collective.tickets.core.mailin.key import mail_in_key
from collective.tickets.core.people import SYSTEM_USERID
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from DateTime import DateTime
from datetime import timedelta
from datetime import UTC
from helpers import as_user
from helpers import browser_for
from helpers import round_the_clock
from helpers import SentMailMixin
from helpers import set_setting
from plone import api

import json
import transaction
import unittest


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def when(obj):
    return obj.created().asdatetime().astimezone(UTC)


class CronTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        round_the_clock()
        set_setting("first_response_normal", 2.0)
        set_setting("resolution_normal", 8.0)
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer on fire", "<p>Help</p>")
        self.commit()
        self.take_mail()
        self.opened = when(self.ticket)

    def run_at(self, moment):
        report = run_periodic(now=moment)
        self.commit()
        return report

    def state(self):
        transaction.begin()
        return api.content.get_state(obj=self.ticket)


class TestOverdue(CronTestCase):
    def test_each_target_is_announced_once_when_it_passes(self):
        self.assertEqual(self.run_at(self.opened + HOUR).counts["overdue"], 0)
        report = self.run_at(self.opened + 3 * HOUR)
        self.assertEqual(report.counts["overdue"], 1)
        (mail,) = self.take_mail()
        self.assertIn("Overdue", mail["Subject"])
        self.assertIn(USERS[STAFF]["email"], mail["To"])
        self.assertNotIn(USERS[CUSTOMER]["email"], mail["To"])
        # Staff mail: nothing leads back into the customer's conversation.
        self.assertIsNone(mail["Reply-To"])
        self.assertIn("First response", mail.get_body(("plain",)).get_content())
        # A second run, and a run on another instance, find nothing to do.
        self.assertEqual(self.run_at(self.opened + 4 * HOUR).counts["overdue"], 0)
        self.assertEqual(self.take_mail(), [])
        self.assertEqual(self.run_at(self.opened + 9 * HOUR).counts["overdue"], 1)
        (mail,) = self.take_mail()
        self.assertIn("Resolution", mail.get_body(("plain",)).get_content())
        self.assertEqual(self.run_at(self.opened + 10 * HOUR).counts["overdue"], 0)

    def test_two_targets_passed_at_once_are_two_notices(self):
        # Plone runs a rule once per object and request: the job must not
        # let that swallow the second target of one ticket.
        report = self.run_at(self.opened + 9 * HOUR)
        self.assertEqual(report.counts["overdue"], 2)
        texts = [m.get_body(("plain",)).get_content() for m in self.take_mail()]
        self.assertEqual(len(texts), 2)
        self.assertTrue(any("First response" in text for text in texts))
        self.assertTrue(any("Resolution" in text for text in texts))

    def test_the_assignee_hears_of_it_rather_than_everyone(self):
        with as_user(self.portal, STAFF):
            tickets.assign(self.ticket, "manager1")
        self.commit()
        self.take_mail()
        self.run_at(self.opened + 3 * HOUR)
        (mail,) = self.take_mail()
        self.assertEqual(mail["To"], USERS["manager1"]["email"])

    def test_an_answered_ticket_is_not_overdue(self):
        with as_user(self.portal, STAFF):
            tickets.reply(self.ticket, "<p>On it</p>")
        self.commit()
        self.take_mail()
        self.assertEqual(self.run_at(self.opened + 30 * HOUR).counts["overdue"], 0)

    def test_only_tickets_with_work_are_woken(self):
        catalog = api.portal.get_tool("portal_catalog")
        later = (self.opened + 3 * HOUR).timestamp()
        found = catalog.unrestrictedSearchResults(
            ticket_next_job={"query": later, "range": "max"}
        )
        self.assertEqual(len(found), 1)
        self.run_at(self.opened + 3 * HOUR)
        # Announced: its next work is the resolution target, 8 h after opening.
        self.assertEqual(
            len(
                catalog.unrestrictedSearchResults(
                    ticket_next_job={"query": later, "range": "max"}
                )
            ),
            0,
        )


class TestAutomaticClosing(CronTestCase):
    def setUp(self):
        super().setUp()
        set_setting("first_response_normal", None)
        set_setting("resolution_normal", None)
        set_setting("remind_after_days", 2)
        set_setting("close_after_days", 3)
        with as_user(self.portal, STAFF):
            self.answer = tickets.reply(self.ticket, "<p>Which printer?</p>")
        self.commit()
        self.take_mail()
        self.answered = when(self.answer)

    def test_reminded_then_closed_with_a_line_and_the_usual_mail(self):
        self.assertEqual(self.run_at(self.answered + DAY).counts["reminded"], 0)
        report = self.run_at(self.answered + 2 * DAY + HOUR)
        self.assertEqual(report.counts["reminded"], 1)
        (mail,) = self.take_mail()
        self.assertEqual(mail["To"], USERS[CUSTOMER]["email"])
        self.assertIn(
            "waiting for your answer", mail.get_body(("plain",)).get_content()
        )
        # The customer can answer the reminder from their mail program.
        self.assertIsNotNone(mail["Reply-To"])
        self.assertEqual(self.run_at(self.answered + 3 * DAY).counts["reminded"], 0)
        self.assertEqual(self.state(), "in_progress")
        report = self.run_at(self.answered + 5 * DAY + 2 * HOUR)
        self.assertEqual(report.counts["closed"], 1)
        self.assertEqual(self.state(), "completed")
        mails = self.take_mail()
        self.assertTrue(
            any("completed" in m.get_body(("plain",)).get_content() for m in mails)
        )
        with as_user(self.portal, STAFF):
            (change,) = history(self.ticket)
        self.assertEqual((change.actor, change.new), (SYSTEM_USERID, "completed"))
        # The customer sees the line on the ticket's page.
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.ticket.absolute_url())
        self.assertIn("completed automatically", browser.contents)

    def test_an_answer_from_the_customer_starts_over(self):
        self.run_at(self.answered + 2 * DAY + HOUR)
        self.take_mail()
        with as_user(self.portal, CUSTOMER):
            tickets.reply(self.ticket, "<p>The big one</p>")
        self.commit()
        self.assertEqual(self.run_at(self.answered + 6 * DAY).counts["closed"], 0)
        self.assertEqual(self.state(), "in_progress")

    def test_staff_can_exempt_a_ticket(self):
        with as_user(self.portal, STAFF):
            tickets.set_keep_open(self.ticket, True)
        self.commit()
        report = self.run_at(self.answered + 10 * DAY)
        self.assertEqual(
            report.counts,
            {"overdue": 0, "reminded": 0, "closed": 0, "past_retention": 0},
        )
        self.assertEqual(self.state(), "in_progress")

    def test_off_by_default(self):
        set_setting("remind_after_days", 0)
        self.commit()
        report = self.run_at(self.answered + 30 * DAY)
        self.assertEqual(report.counts["reminded"], 0)
        self.assertEqual(self.state(), "in_progress")


class TestCronOverHTTP(CronTestCase):
    def post(self, key=None, method="POST"):
        browser = browser_for(self.layer)
        browser.raiseHttpErrors = False
        if key is not None:
            browser.addHeader("X-Mail-In-Key", key)
        url = f"{self.portal.absolute_url()}/@@tickets-cron"
        if method == "POST":
            browser.post(url, b"", "application/octet-stream")
        else:
            browser.open(url)
        return int(browser.headers["status"].split()[0]), json.loads(browser.contents)

    def test_the_key_is_required(self):
        self.assertEqual(self.post()[0], 403)
        self.assertEqual(self.post(key="wrong")[0], 403)
        self.assertEqual(self.post(key=mail_in_key(), method="GET")[0], 405)

    def test_a_pass_over_http(self):
        key = mail_in_key()
        self.commit()
        # Opened three hours ago.
        self.ticket.creation_date = DateTime() - 3 / 24
        self.ticket.reindexObject()
        self.commit()
        status, answer = self.post(key=key)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["counts"]["overdue"], 1)
        self.assertIsNone(answer["mail"])
        self.assertIn("1 overdue", answer["summary"])
        self.assertEqual(self.post(key=key)[1]["counts"]["overdue"], 0)
