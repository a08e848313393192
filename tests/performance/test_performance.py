"""What keeps the pages fast, checked for what it must not change.

The speed itself is measured by ``make bench``, never asserted here; these
tests prove that the shortcuts give exactly what the slow way gave.
"""

from Acquisition import aq_base
from collective.tickets import api as tickets
from collective.tickets.core.dates import localized
from collective.tickets.interfaces import ICollectiveTicketsLayer
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import STAFF
from DateTime import DateTime
from datetime import datetime
from datetime import UTC
from helpers import as_user
from plone import api
from plone.app.textfield.value import RichTextValue
from zope.annotation.interfaces import IAnnotations
from zope.globalrequest import setRequest
from zope.interface import alsoProvides

import unittest


def plone_long_date(date):
    return api.portal.get_localized_time(datetime=date, long_format=True)


class TestLocalizedDates(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        setRequest(self.request)

    def fresh_request(self, language):
        IAnnotations(self.request).clear()
        self.request["LANGUAGE"] = language
        self.request.environ["HTTP_ACCEPT_LANGUAGE"] = language
        for key in ("LANGUAGE_TOOL", "_ZopeI18nLanguageCache"):
            self.request.other.pop(key, None)

    def test_spanish_dates_name_the_month_in_spanish(self):
        api.portal.set_registry_record("plone.default_language", "es")
        api.portal.set_registry_record("plone.available_languages", ["es"])
        self.fresh_request("es")
        text = localized(datetime(2026, 11, 24, 10, 30, tzinfo=UTC))
        self.assertIn("2026", text)
        self.assertEqual(text, plone_long_date(DateTime("2026/11/24 10:30 UTC")))

    def test_a_format_set_in_the_control_panel_is_plones_own(self):
        prefix = "Products.CMFPlone.i18nl10n.override_dateformat."
        api.portal.set_registry_record(prefix + "Enabled", True)
        api.portal.set_registry_record(prefix + "date_format_long", "%d.%m.%Y %H:%M")
        self.fresh_request("en")
        date = datetime(2026, 5, 4, 3, 2, tzinfo=UTC)
        self.assertEqual(plone_long_date(date), localized(date))
        self.assertEqual("04.05.2026 03:02", localized(date))

    def test_no_date_is_an_empty_text(self):
        self.assertEqual("", localized(None))


class TestMessageText(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                "Printer", '<p>Hello <script>alert("x")</script><b>there</b></p>'
            )

    def test_the_text_is_filtered_once_and_then_served_from_memory(self):
        first = tickets.conversation(self.ticket)[0].text
        self.assertIn("<b>there</b>", first)
        self.assertNotIn("<script", first)
        calls = []
        original = RichTextValue.output_relative_to

        def counting(value, context):
            calls.append(context)
            return original(value, context)

        RichTextValue.output_relative_to = counting
        try:
            again = tickets.conversation(self.ticket)[0].text
        finally:
            RichTextValue.output_relative_to = original
        self.assertEqual(first, again)
        self.assertEqual([], calls)

    def test_the_mails_text_reuses_the_pages_filtering(self):
        from collective.tickets.core.recipients import message_text

        tickets.conversation(self.ticket)
        calls = []
        original = RichTextValue.output_relative_to

        def counting(value, context):
            calls.append(context)
            return original(value, context)

        RichTextValue.output_relative_to = counting
        try:
            text = message_text(self.ticket)
        finally:
            RichTextValue.output_relative_to = original
        self.assertEqual("Hello there", text)
        self.assertEqual([], calls)

    def test_a_changed_text_is_filtered_again(self):
        tickets.conversation(self.ticket)
        self.ticket.text = RichTextValue("<p>New <i>words</i></p>", "text/html")
        self.assertIn("<i>words</i>", tickets.conversation(self.ticket)[0].text)

    def test_the_memory_is_never_stored(self):
        tickets.conversation(self.ticket)
        state = aq_base(self.ticket).__getstate__()
        self.assertNotIn("_v_text_html", state)
        self.assertNotIn("_v_filtered_html", state)


class TestListingQueries(unittest.TestCase):
    """The catalog sorts only as far as the page shown."""

    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.made = [
                tickets.create(f"Ticket {n}", "<p>Text</p>") for n in range(25)
            ]

    def listing(self, name, **form):
        request = self.layer["request"]
        alsoProvides(request, ICollectiveTicketsLayer)
        request.form.update(form)
        return api.content.get_view(name, self.portal, request)

    def test_second_page_continues_where_the_first_ended(self):
        with as_user(self.portal, CUSTOMER):
            first = [b.getId for b in self.listing("my-tickets").batch()]
            second = [b.getId for b in self.listing("my-tickets", b_start=20).batch()]
        self.assertEqual(20, len(first))
        self.assertEqual(5, len(second))
        newest_first = [t.getId() for t in reversed(self.made)]
        self.assertEqual(newest_first, first + second)

    def test_the_batch_knows_every_ticket(self):
        with as_user(self.portal, STAFF):
            batch = self.listing("tickets").batch()
        self.assertEqual(25, batch.sequence_length)
        self.assertEqual(2, batch.lastpage)

    def test_walking_the_index_gives_the_catalogs_own_order(self):
        from collective.tickets.core.queries import newest_first
        from collective.tickets.testing import OTHER_CUSTOMER

        with as_user(self.portal, OTHER_CUSTOMER):
            for n in range(5):
                tickets.create(f"Other {n}", "<p>Text</p>")
        with as_user(self.portal, CUSTOMER):
            tickets.reply(self.made[3], "<p>Still broken</p>")
        catalog = api.portal.get_tool("portal_catalog")
        queries = [
            {"portal_type": "Ticket"},
            {"portal_type": "Ticket", "ticket_customer": CUSTOMER},
            {"portal_type": "Ticket", "ticket_customer": OTHER_CUSTOMER},
        ]
        with as_user(self.portal, STAFF):
            for query in queries:
                expected = [
                    b.getId
                    for b in catalog(
                        sort_on="ticket_last_activity", sort_order="descending", **query
                    )
                ]
                for start in (0, 3, 20):
                    with self.subTest(query=query, start=start):
                        page = newest_first(query, start, 20)
                        self.assertEqual(len(expected), page.actual_result_count)
                        self.assertEqual(
                            expected[start : start + 20], [b.getId for b in page]
                        )
        self.assertEqual(self.made[3].getId(), expected_first(catalog))


def expected_first(catalog):
    return catalog(
        portal_type="Ticket", sort_on="ticket_last_activity", sort_order="descending"
    )[0].getId
