"""core.queries: the one ticket query every listing asks, and the summary of
a catalog row, as pytest functions on pytest-plone's ``portal`` fixture."""

from collective.tickets import api as tickets
from collective.tickets.core.queries import count_in_progress
from collective.tickets.core.queries import find_tickets
from collective.tickets.core.queries import newest_first
from collective.tickets.core.queries import ticket_query
from collective.tickets.core.queries import ticket_summary
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user

import pytest


def test_the_query_names_only_the_filters_given():
    # No publication-date filter: tickets have no such dates (base_query).
    assert ticket_query() == {"portal_type": "Ticket", "show_inactive": True}
    assert ticket_query(customer="c", state="completed", text="printer") == {
        "portal_type": "Ticket",
        "show_inactive": True,
        "ticket_customer": "c",
        "review_state": "completed",
        "SearchableText": "printer",
    }


def test_an_unknown_state_is_no_filter_rather_than_no_result():
    assert "review_state" not in ticket_query(state="deleted")


def test_awaiting_staff_means_in_progress():
    query = ticket_query(state="completed", awaiting_staff=True)
    assert query["review_state"] == "in_progress"
    assert query["ticket_awaiting_staff"] is True


@pytest.fixture()
def two_customers(portal):
    with as_user(portal, CUSTOMER):
        first = tickets.create("Printer", "<p>It jams.</p>")
        second = tickets.create("Invoice", "<p>Wrong total.</p>")
    with as_user(portal, STAFF):
        tickets.reply(first, "<p>On it.</p>")
        tickets.close(second)
    with as_user(portal, OTHER_CUSTOMER):
        tickets.create("Scanner", "<p>No scans.</p>")
    return first, second


def test_a_customer_finds_only_their_own_tickets(portal, two_customers):
    with as_user(portal, OTHER_CUSTOMER):
        titles = [b.Title for b in find_tickets(ticket_query(customer=CUSTOMER))]
    assert titles == []
    with as_user(portal, CUSTOMER):
        titles = [b.Title for b in find_tickets(ticket_query(customer=CUSTOMER))]
    assert sorted(titles) == ["Invoice", "Printer"]


def test_the_walk_and_the_catalog_sort_agree(portal, two_customers):
    with as_user(portal, STAFF):
        sorted_titles = [b.Title for b in find_tickets(ticket_query())]
        walked = [b.Title for b in newest_first(ticket_query(), 0, 20)]
    assert walked == sorted_titles
    # The staff reply made "Printer" the most recent activity of customer1.
    assert sorted_titles.index("Printer") < sorted_titles.index("Invoice")


def test_the_summary_reads_the_row(portal, two_customers):
    first, _second = two_customers
    with as_user(portal, STAFF):
        brain = find_tickets(ticket_query(text="jams"))[0]
        summary = ticket_summary(brain)
    assert summary.url == first.absolute_url()
    assert (summary.title, summary.state, summary.customer_id) == (
        "Printer",
        "in_progress",
        CUSTOMER,
    )
    assert summary.reply_count == 1
    assert summary.last_author_id == STAFF
    # The staff answered last: the ticket waits on the customer.
    assert summary.awaiting_staff is False


def test_the_menu_counts_tickets_in_progress(portal, two_customers):
    with as_user(portal, CUSTOMER):
        assert count_in_progress(CUSTOMER) == 1
    with as_user(portal, OTHER_CUSTOMER):
        assert count_in_progress(OTHER_CUSTOMER) == 1
        # Another customer's tickets are not counted, even if asked for.
        assert count_in_progress(CUSTOMER) == 0


def test_words_written_as_entities_are_found(portal):
    """The index reads the words, not the markup: an accent sent as an
    entity (as some clients write it) is found as the letter."""
    with as_user(portal, CUSTOMER):
        tickets.create("Menu", "<p>The caf&#233; <b>pri</b>ces are wrong</p>")
        found = [b.Title for b in find_tickets(ticket_query(text="café"))]
    assert found == ["Menu"]
