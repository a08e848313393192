"""core.queue: the staff's work queue as catalog queries, every filter, sort
and page, as pytest functions on pytest-plone's ``portal`` fixture."""

from collective.tickets import api as tickets
from collective.tickets.core import queue
from collective.tickets.core.desk import assignee_token
from collective.tickets.core.queue import catalog_query
from collective.tickets.core.queue import queue_brains
from collective.tickets.core.queue import queue_page
from collective.tickets.core.queue import QueueFilter
from collective.tickets.core.queue import SORTS
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from DateTime import DateTime
from helpers import as_user
from plone import api
from plone.batching import Batch
from unittest import mock

import pytest


CATEGORIES = ["billing | Billing | es: Facturación", "access | Access"]
# Subject, customer, priority, assignee, category; opened a day apart, in
# this order.
TICKETS = [
    ("Printer not working", CUSTOMER, "high", None, ""),
    ("Invoice wrong", CUSTOMER, "urgent", STAFF, "billing"),
    ("Cannot log in", OTHER_CUSTOMER, "normal", MANAGER, "access"),
    ("Refund request", OTHER_CUSTOMER, "urgent", None, "billing"),
    ("Scanner offline", CUSTOMER, "low", STAFF, ""),
    ("Order 4711 lost", CUSTOMER, "normal", None, ""),
]


@pytest.fixture()
def desk(portal):
    """Six tickets: "Cannot log in" answered by the staff (so the newest
    activity, waiting on its customer), "Refund request" closed, a note on
    "Scanner offline"."""
    api.portal.set_registry_record("categories", CATEGORIES, interface=ITicketSettings)
    made = {}
    for day, (subject, customer, priority, assignee, category) in enumerate(TICKETS):
        with as_user(portal, customer):
            ticket = tickets.create(
                subject, f"<p>About {subject.lower()}.</p>", category=category
            )
        ticket.creation_date = DateTime(2025, 3, day + 1, 9, 0)
        ticket.reindexObject()
        with as_user(portal, STAFF):
            tickets.set_priority(ticket, priority)
            tickets.assign(ticket, assignee)
        made[subject] = ticket
    with as_user(portal, STAFF):
        tickets.reply(made["Cannot log in"], "<p>Try the reset link.</p>")
        tickets.close(made["Refund request"])
        tickets.add_note(made["Scanner offline"], "<p>Known zorblax fault</p>")
    return made


def titles(results):
    return [brain.Title for brain in results]


def staff_queue(portal, **filters):
    with as_user(portal, STAFF):
        return titles(queue_brains(QueueFilter(**filters)))


# The filter in the URL


def test_a_value_that_makes_no_sense_is_dropped():
    flt = QueueFilter.from_form(
        {
            "state": "deleted",
            "waiting": "godot",
            "priority": "whenever",
            "sort": "title",
            "customer": ["a", "b"],
            "SearchableText": "  printer ",
        }
    )
    assert flt == QueueFilter(text="printer")


def test_the_old_awaiting_box_means_waiting_for_the_staff():
    assert QueueFilter.from_form({"awaiting": "1"}).waiting == "staff"


def test_the_url_gives_back_the_same_filter():
    flt = QueueFilter(
        state="in_progress",
        waiting="customer",
        assignee="none",
        priority="urgent",
        category="billing",
        customer=CUSTOMER,
        text="señor",
        sort="priority",
    )
    assert QueueFilter.from_form(flt.params()) == flt
    # The defaults are left out of the URL.
    assert QueueFilter().params() == {}


def test_the_catalog_never_gets_a_user_id_for_the_assignee(portal):
    with as_user(portal, STAFF):
        assert catalog_query(QueueFilter(assignee="me"))["ticket_assignee"] == (
            assignee_token(STAFF)
        )
        query = catalog_query(QueueFilter(assignee=MANAGER))
    assert query["ticket_assignee"] == assignee_token(MANAGER)
    assert MANAGER not in query.values()


def test_a_completed_ticket_waits_for_nobody(portal, desk):
    assert catalog_query(QueueFilter(state="completed", waiting="customer")) is None
    assert staff_queue(portal, state="completed", waiting="customer") == []
    assert staff_queue(portal, state="completed", waiting="staff") == []
    with as_user(portal, STAFF):
        page = queue_page(QueueFilter(state="completed", waiting="staff"), 0, 20)
    assert (list(page), page.actual_result_count) == ([], 0)


# Every filter


@pytest.mark.parametrize(
    "filters, expected",
    [
        (
            {},
            [
                "Cannot log in",
                "Order 4711 lost",
                "Scanner offline",
                "Refund request",
                "Invoice wrong",
                "Printer not working",
            ],
        ),
        ({"state": "completed"}, ["Refund request"]),
        ({"waiting": "customer"}, ["Cannot log in"]),
        (
            {"waiting": "staff"},
            ["Order 4711 lost", "Scanner offline", "Invoice wrong"]
            + ["Printer not working"],
        ),
        ({"assignee": "me"}, ["Scanner offline", "Invoice wrong"]),
        ({"assignee": MANAGER}, ["Cannot log in"]),
        (
            {"assignee": "none"},
            ["Order 4711 lost", "Refund request", "Printer not working"],
        ),
        ({"priority": "urgent"}, ["Refund request", "Invoice wrong"]),
        ({"priority": "low"}, ["Scanner offline"]),
        ({"category": "billing"}, ["Refund request", "Invoice wrong"]),
        ({"customer": OTHER_CUSTOMER}, ["Cannot log in", "Refund request"]),
        ({"priority": "urgent", "state": "in_progress"}, ["Invoice wrong"]),
        ({"assignee": "none", "priority": "normal"}, ["Order 4711 lost"]),
    ],
)
def test_each_filter(portal, desk, filters, expected):
    assert staff_queue(portal, **filters) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Subject, first message and replies, as Plone's search box reads
        # them: every word a prefix, "not" a word like the others.
        ("printer not working", ["Printer not working"]),
        ("print", ["Printer not working"]),
        ("reset link", ["Cannot log in"]),
        ("invoice", ["Invoice wrong"]),
        # A note's words find its ticket, for the staff.
        ("zorblax", ["Scanner offline"]),
        # A number is a number: "471" does not find "4711".
        ("4711", ["Order 4711 lost"]),
        ("471", []),
        ("nothing like this", []),
    ],
)
def test_the_text_filter(portal, desk, text, expected):
    assert staff_queue(portal, text=text) == expected


def test_the_ticket_number_finds_the_ticket(portal, desk):
    number = desk["Invoice wrong"].ticket_number
    for text in (str(number), f"#{number}", f"# {number}"):
        assert staff_queue(portal, text=text) == ["Invoice wrong"], text


def test_the_text_and_the_other_filters_add_up(portal, desk):
    assert staff_queue(portal, text="zorblax", priority="urgent") == []
    assert staff_queue(portal, text="zorblax", assignee="me") == ["Scanner offline"]
    number = desk["Invoice wrong"].ticket_number
    assert staff_queue(portal, text=str(number), state="completed") == []


@pytest.mark.parametrize("text", ["(", "*", "and", "NOT", '"', "-", "a AND", "?"])
def test_any_text_is_a_search_never_an_error(portal, desk, text):
    assert isinstance(staff_queue(portal, text=text), list)


def test_a_customer_finds_only_their_own_tickets_and_no_note(portal, desk):
    with as_user(portal, OTHER_CUSTOMER):
        assert titles(queue_brains(QueueFilter())) == [
            "Cannot log in",
            "Refund request",
        ]
        assert titles(queue_brains(QueueFilter(sort="priority"))) == [
            "Refund request",
            "Cannot log in",
        ]
    with as_user(portal, CUSTOMER):
        assert titles(queue_brains(QueueFilter(text="zorblax"))) == []


# Sorting and pages


def test_sorting(portal, desk):
    assert staff_queue(portal, sort="priority") == [
        # Urgent, newest activity first; then high, normal, low.
        "Refund request",
        "Invoice wrong",
        "Printer not working",
        "Cannot log in",
        "Order 4711 lost",
        "Scanner offline",
    ]
    assert staff_queue(portal, sort="number") == [
        subject for subject, *_rest in reversed(TICKETS)
    ]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize(
    "filters", [{}, {"text": "about"}, {"state": "in_progress"}, {"assignee": "none"}]
)
def test_every_page_is_a_slice_of_the_whole_list(portal, desk, sort, filters):
    flt = QueueFilter(sort=sort, **filters)
    with as_user(portal, STAFF):
        whole = titles(queue_brains(flt))
        for size in (1, 2, 4):
            pages = []
            for start in range(0, len(whole) + size, size):
                page = queue_page(flt, start, size)
                assert page.actual_result_count == len(whole)
                pages += titles(page)
            assert pages == whole, size


@pytest.mark.parametrize(
    "filters, sort, walked",
    [
        # Many matches for a short page: the sort index is walked down.
        ({}, "activity", True),
        ({"state": "in_progress"}, "activity", True),
        ({}, "number", True),
        ({"text": "about"}, "activity", True),
        ({"text": "about"}, "number", True),
        # Few: they are sorted.
        ({"priority": "urgent"}, "number", False),
        ({"text": "about", "assignee": "me"}, "activity", False),
        ({}, "priority", False),
    ],
)
def test_the_walk_and_the_sort_give_the_same_page(portal, desk, filters, sort, walked):
    flt = QueueFilter(sort=sort, **filters)
    with as_user(portal, STAFF):
        whole = titles(queue_brains(flt))
        with mock.patch.object(queue, "_walk", wraps=queue._walk) as walk:
            first = titles(queue_page(flt, 0, 1))
    assert walk.called is walked
    assert first == whole[:1]


def test_plone_batching_reads_a_page(portal, desk):
    flt = QueueFilter(sort="priority")
    with as_user(portal, STAFF):
        batch = Batch(queue_page(flt, 2, 2), 2, 2)
        assert titles(batch) == ["Printer not working", "Cannot log in"]
    assert batch.sequence_length == 6
    assert batch.numpages == 3
    assert batch.pagenumber == 2


def test_a_ticket_the_sort_index_lacks_comes_last(portal, desk):
    """A ticket an upgrade has not numbered yet is still listed."""
    order = desk["Order 4711 lost"]
    del order.ticket_number
    order.reindexObject()
    flt = QueueFilter(sort="number")
    with as_user(portal, STAFF):
        whole = titles(queue_brains(flt))
        pages = [titles(queue_page(flt, start, 1)) for start in range(6)]
    assert whole[-1] == "Order 4711 lost"
    assert whole[0] == "Scanner offline"
    assert sum(pages, []) == whole
