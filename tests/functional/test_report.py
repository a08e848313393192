"""The staff's report: its figures from the catalog (opened, completed,
backlog, medians, share within target, ratings; filtered), its page with
charts and its CSV files; as the four kinds of user."""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core import satisfaction
from collective.tickets.core.report import build_report
from collective.tickets.core.report import ReportFilter
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from DateTime import DateTime
from datetime import datetime
from datetime import timedelta
from datetime import UTC
from helpers import as_user
from helpers import browser_for
from helpers import round_the_clock
from helpers import SentMailMixin
from helpers import set_setting
from plone import api

import csv
import io
import unittest


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def backdate(obj, when):
    obj.creation_date = DateTime(when)


class ReportTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        round_the_clock()
        set_setting("first_response_normal", 2.0)
        set_setting("resolution_normal", 100.0)
        api.portal.set_registry_record(
            "categories", ["billing | Billing"], interface=ITicketSettings
        )
        self.now = datetime.now(UTC)
        # Still open from long before the period: the backlog it starts with.
        self.old = self.ticket("Old", self.now - 100 * DAY)
        # Answered in 1 h, completed a day later, rated 5.
        self.quick = self.ticket(
            "Quick", self.now - 20 * DAY, answer=HOUR, close=DAY, rating=5
        )
        # Not answered, open.
        self.waiting = self.ticket("Waiting", self.now - 10 * DAY)
        # Answered in 3 h (target missed), completed, rated 2, billing.
        self.slow = self.ticket(
            "Slow", self.now - 3 * DAY, answer=3 * HOUR, close=DAY, rating=2
        )
        with as_user(self.portal, STAFF):
            tickets.set_category(self.slow, "billing")
            tickets.assign(self.quick, STAFF)
        self.commit()

    def ticket(self, title, opened, answer=None, close=None, rating=None):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(title, "<p>x</p>")
        backdate(ticket, opened)
        if answer is not None:
            with as_user(self.portal, STAFF):
                reply = tickets.reply(ticket, "<p>answer</p>")
            backdate(reply, opened + answer)
        if close is not None:
            with as_user(self.portal, STAFF):
                tickets.close(ticket)
            history = ticket.workflow_history["ticket_workflow"]
            entry = dict(history[-1], time=DateTime(opened + close))
            ticket.workflow_history["ticket_workflow"] = (*history[:-1], entry)
        ticket.reindexObject()
        if rating is not None:
            with as_user(self.portal, CUSTOMER):
                satisfaction.rate(ticket, rating, now=opened + close + HOUR)
        return ticket

    def report(self, **filters):
        with as_user(self.portal, STAFF):
            return build_report(ReportFilter(**filters), now=self.now)


class TestFigures(ReportTestCase):
    def test_the_period_in_figures(self):
        report = self.report(weeks=4)
        self.assertEqual((report.opened, report.closed), (3, 2))
        # "Old" and "Waiting" are open at the end.
        self.assertEqual(report.backlog, 2)
        self.assertEqual(report.weeks[0].backlog >= 1, True)
        self.assertEqual(report.first_response_hours, 2.0)  # median of 1 h, 3 h
        self.assertEqual(report.first_response_within, 50.0)
        self.assertEqual(report.resolution_within, 100.0)
        self.assertEqual(report.ratings, {1: 0, 2: 1, 3: 0, 4: 0, 5: 1})
        self.assertEqual(report.rating_average, 3.5)
        self.assertEqual(sum(w.opened for w in report.weeks), 3)
        header, rows = report.table("volume")
        self.assertEqual(len(rows), 4)
        self.assertEqual(sum(row[1] for row in rows), 3)

    def test_filters(self):
        billing = self.report(weeks=4, category="billing")
        self.assertEqual((billing.opened, billing.closed), (1, 1))
        self.assertEqual(billing.ratings[2], 1)
        mine = self.report(weeks=4, assignee=STAFF)
        self.assertEqual((mine.opened, mine.closed), (1, 1))
        nobody = self.report(weeks=4, assignee="none")
        self.assertEqual(nobody.opened, 2)
        # A shorter period: only "Slow" was opened in the last week or so.
        self.assertLessEqual(self.report(weeks=4).opened, 3)

    def test_only_the_staff_read_it(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER):
            with as_user(self.portal, userid), self.assertRaises(Unauthorized):
                build_report(ReportFilter())


class TestThePage(ReportTestCase):
    def test_the_staff_see_charts_and_figures(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(f"{self.portal.absolute_url()}/@@tickets-report?weeks=4")
        self.assertIn("Tickets report", staff.contents)
        self.assertEqual(staff.contents.count('class="pygal-chart"'), 5)
        self.assertIn("Average rating", staff.contents)
        self.assertIn("3.5 / 5 (2)", staff.contents)
        self.assertIn("Median first response (business hours)", staff.contents)

    def test_csv_of_each_chart(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(
            f"{self.portal.absolute_url()}/@@tickets-report-csv?table=satisfaction"
            "&weeks=4"
        )
        self.assertEqual(staff.headers["Content-Type"], "text/csv; charset=utf-8")
        raw = staff.contents if isinstance(staff.contents, bytes) else None
        text = (raw or staff.contents.encode("utf-8")).decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        self.assertEqual(rows[0], ["Rating", "Tickets"])
        self.assertEqual(rows[2], ["2", "1"])
        staff.open(f"{self.portal.absolute_url()}/@@tickets-report-csv?table=nope")
        self.assertTrue(staff.headers["status"].startswith("400"))
        self.assertIn("Ask for one of these tables", staff.contents)

    def test_nobody_else_opens_it(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, userid)
            for view in ("tickets-report", "tickets-report-csv?table=volume"):
                browser.open(f"{self.portal.absolute_url()}/@@{view}")
                self.assertNotIn("pygal-chart", browser.contents, userid)
                self.assertNotIn("Average rating", browser.contents, userid)
                self.assertNotIn("Opened,Completed", browser.contents, userid)
