"""Dates as Plone shows them, kept once formatted (core/dates.py)."""

from collective.tickets.core import dates
from collective.tickets.testing import INTEGRATION_TESTING
from DateTime import DateTime
from plone import api

import datetime
import unittest


class TestLocalized(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.request = self.layer["request"]
        dates._FORMATTED.clear()

    def plone(self, date):
        dates._FORMATTED.clear()
        return api.portal.get_localized_time(datetime=date, long_format=True)

    def test_the_same_text_as_plone_in_each_language(self):
        moments = [
            DateTime("2026/03/05 14:07 GMT+1"),
            datetime.datetime(2026, 11, 30, 9, 5, tzinfo=datetime.UTC),
        ]
        for language in ("en", "es"):
            self.request["LANGUAGE"] = language
            self.request.set("LANGUAGE_TOOL", None)
            for moment in moments:
                expected = self.plone(moment)
                self.assertEqual(dates.localized(moment), expected)
                self.assertEqual(len(dates._FORMATTED), 1)
                # Kept: the second time gives the same, from the cache.
                self.assertEqual(dates.localized(moment), expected)

    def test_a_format_of_the_control_panel_is_followed_at_once(self):
        self.request["LANGUAGE"] = "en"
        moment = DateTime("2026/03/05 14:07 GMT+1")
        before = dates.localized(moment)
        root = "Products.CMFPlone.i18nl10n.override_dateformat."
        api.portal.set_registry_record(root + "Enabled", True)
        api.portal.set_registry_record(
            root + "date_format_long", "${Y}/${m}/${d} ${H}h"
        )
        after = dates.localized(moment)
        self.assertNotEqual(after, before)
        self.assertEqual(after, self.plone(moment))
        self.assertRegex(after, r"^2026/03/05 \d\dh$")

    def test_no_date_no_text(self):
        self.assertEqual(dates.localized(None), "")
