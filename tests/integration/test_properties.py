"""Property-based tests: whatever comes in, a clear error or a whole ticket."""

from collective.tickets import api as tickets
from collective.tickets.core.attachments import MAX_FILENAME_LENGTH
from collective.tickets.core.cc import EMAIL_RE
from collective.tickets.core.cc import MAX_CC_RECIPIENTS
from collective.tickets.core.cc import normalize_cc
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.text import without_control_characters
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import post_multipart
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from plone import api

import transaction
import unittest


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

addresses = st.one_of(
    st.emails().map(str),
    st.text(max_size=40),
    st.sampled_from(["a@b.c\nBcc: x@y.zz", "bob@", "@example.com", "a b@example.com"]),
)
rows = st.one_of(
    addresses,
    st.fixed_dictionaries({"email": addresses, "name": st.text(max_size=20)}),
    st.integers(),
    st.none(),
)
file_names = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["../../etc/passwd", "C:\\evil\\x.pdf", "a" * 1000 + ".pdf", "\x00\r\n.txt"]
    ),
)
file_data = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04" + b"\0" * 10]),
)


def count_tickets():
    catalog = api.portal.get_tool("portal_catalog")
    return len(catalog.unrestrictedSearchResults(portal_type="Ticket"))


class TestCCParser(unittest.TestCase):
    @SETTINGS
    @given(st.lists(rows, max_size=25))
    def test_a_clean_list_or_a_clear_error(self, value):
        try:
            cleaned = normalize_cc(value, owner_email="owner@example.com")
        except TicketInputError as error:
            self.assertTrue(str(error))
            return
        self.assertLessEqual(len(cleaned), MAX_CC_RECIPIENTS)
        emails = [row["email"].lower() for row in cleaned]
        self.assertEqual(len(emails), len(set(emails)))
        self.assertNotIn("owner@example.com", emails)
        for row in cleaned:
            self.assertRegex(row["email"], EMAIL_RE)
            self.assertNotIn("\n", row["name"])


class TestApiProperties(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Base", "<p>base</p>")

    @SETTINGS
    @given(
        subject=st.text(max_size=250),
        text=st.text(max_size=300),
        name=file_names,
        data=file_data,
    )
    def test_create_gives_a_whole_ticket_or_nothing(self, subject, text, name, data):
        before = count_tickets()
        try:
            with as_user(self.portal, CUSTOMER):
                ticket = tickets.create(subject, text, attachments=[(name, data, None)])
        except TicketInputError as error:
            self.assertTrue(str(error))
            self.assertEqual(count_tickets(), before)
            return
        self.assertEqual(count_tickets(), before + 1)
        self.assertEqual(
            ticket.Title(), " ".join(without_control_characters(subject).split())
        )
        self.assertTrue(tickets.conversation(ticket)[0].text)
        (attachment,) = ticket.attachments
        self.assert_clean_name(attachment.filename)
        self.assertEqual(attachment.data, data)

    @SETTINGS
    @given(text=st.text(max_size=300), name=file_names, data=file_data)
    def test_reply_is_added_whole_or_not_at_all(self, text, name, data):
        before = len(tickets.conversation(self.ticket))
        try:
            with as_user(self.portal, STAFF):
                reply = tickets.reply(self.ticket, text, attachments=[(name, data)])
        except TicketInputError:
            self.assertEqual(len(tickets.conversation(self.ticket)), before)
            return
        self.assertEqual(len(tickets.conversation(self.ticket)), before + 1)
        self.assert_clean_name(reply.attachments[0].filename)

    def assert_clean_name(self, name):
        self.assertTrue(name)
        self.assertLessEqual(len(name), MAX_FILENAME_LENGTH)
        self.assertFalse(set(name) & {"/", "\\", "\n", "\r", "\x00"})
        self.assertTrue(all(ch.isprintable() for ch in name))


class TestFormProperties(unittest.TestCase):
    """Random input through the real form: never a server error."""

    layer = FUNCTIONAL_TESTING

    @settings(max_examples=25, deadline=None, database=None)
    @given(
        subject=st.text(max_size=220),
        text=st.text(max_size=200),
        cc=st.lists(st.tuples(addresses, st.text(max_size=15)), max_size=3),
        name=file_names,
        data=file_data,
    )
    def test_new_ticket_form_never_fails(self, subject, text, cc, name, data):
        portal = self.layer["portal"]
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(portal.absolute_url() + "/@@new-ticket")
        before = count_tickets()
        post_multipart(
            browser,
            portal.absolute_url() + "/@@new-ticket",
            new_ticket_fields(
                authenticator(browser),
                subject=subject,
                text=text,
                cc=cc,
                files=[(name or "x", data, "application/octet-stream")],
            ),
        )
        self.assertEqual(
            browser.headers["status"].split()[0], "200", browser.contents[:500]
        )
        transaction.begin()
        created = "Your ticket has been opened." in browser.contents
        self.assertEqual(count_tickets(), before + (1 if created else 0))
        if not created:
            self.assertIn("There were some errors.", browser.contents)
