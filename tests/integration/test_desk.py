"""The staff desk in the Python API: numbers, assignment, priority,
category, history and internal notes, as the four kinds of user."""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core import desk
from collective.tickets.core.numbers import COUNTER_KEY
from collective.tickets.core.numbers import number_existing_tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from plone import api
from plone.app.testing import logout
from zope.annotation.interfaces import IAnnotations

import unittest


CATEGORIES = ["billing | Billing | es: Facturación", "access | Access"]


class DeskTestCase(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.request = self.layer["request"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer on fire", "<p>Help</p>")

    def catalog(self, **query):
        return api.portal.get_tool("portal_catalog")(**query)


class TestNumbers(DeskTestCase):
    def test_tickets_are_numbered_in_order(self):
        with as_user(self.portal, OTHER_CUSTOMER):
            second = tickets.create("Second", "<p>x</p>")
        with as_user(self.portal, STAFF):
            third = tickets.create("Third", "<p>x</p>", customer=CUSTOMER)
        with as_user(self.portal, CUSTOMER):
            first = tickets.number(self.ticket)
        with as_user(self.portal, STAFF):
            self.assertEqual(
                [tickets.number(t) for t in (second, third)], [first + 1, first + 2]
            )

    def test_the_customer_reads_the_number_the_other_customer_may_not(self):
        with as_user(self.portal, CUSTOMER):
            self.assertEqual(tickets.number(self.ticket), self.ticket.ticket_number)
        with as_user(self.portal, OTHER_CUSTOMER), self.assertRaises(Unauthorized):
            tickets.number(self.ticket)
        logout()
        with self.assertRaises(Unauthorized):
            tickets.number(self.ticket)

    def test_the_overview_finds_the_number(self):
        from collective.tickets.core.queue import queue_brains
        from collective.tickets.core.queue import QueueFilter

        number = self.ticket.ticket_number
        with as_user(self.portal, STAFF):
            for text in (str(number), f"#{number}", f"# {number}"):
                found = [b.getObject() for b in queue_brains(QueueFilter(text=text))]
                self.assertEqual(found, [self.ticket], text)
            brain = self.catalog(ticket_number=number)[0]
            self.assertEqual(brain.ticket_number, number)

    def test_upgrade_numbers_existing_tickets_oldest_first(self):
        with as_user(self.portal, OTHER_CUSTOMER):
            newer = tickets.create("Newer", "<p>x</p>")
        # As before 1004: no numbers, no counter.
        for ticket in (self.ticket, newer):
            del ticket.ticket_number
            ticket.reindexObject()
        del IAnnotations(self.portal)[COUNTER_KEY]
        self.assertEqual(number_existing_tickets(), 2)
        self.assertEqual((self.ticket.ticket_number, newer.ticket_number), (1, 2))
        with as_user(self.portal, CUSTOMER):
            third = tickets.create("Third", "<p>x</p>")
        self.assertEqual(third.ticket_number, 3)
        self.assertEqual(len(self.catalog(ticket_number=1)), 1)


class TestAssignment(DeskTestCase):
    def test_staff_assign_take_and_unassign(self):
        with as_user(self.portal, STAFF):
            tickets.assign(self.ticket, MANAGER)
            self.assertEqual(tickets.assignee(self.ticket), MANAGER)
            tickets.take(self.ticket)
            self.assertEqual(tickets.assignee(self.ticket), STAFF)
            self.assertEqual(
                len(self.catalog(ticket_assignee=desk.assignee_token(STAFF))), 1
            )
            tickets.assign(self.ticket, None)
            self.assertIsNone(tickets.assignee(self.ticket))
            self.assertEqual(
                len(self.catalog(ticket_assignee=desk.assignee_token(None))), 1
            )
            changes = [
                (c.actor, c.field, c.old, c.new) for c in tickets.history(self.ticket)
            ]
        self.assertEqual(
            changes,
            [
                (STAFF, "assignee", None, MANAGER),
                (STAFF, "assignee", MANAGER, STAFF),
                (STAFF, "assignee", STAFF, None),
            ],
        )

    def test_only_staff_can_be_assigned(self):
        with (
            as_user(self.portal, STAFF),
            self.assertRaises(tickets.TicketInputError) as raised,
        ):
            tickets.assign(self.ticket, OTHER_CUSTOMER)
        self.assertIn("customer2", str(raised.exception.message.mapping))

    def test_customers_may_neither_see_nor_change_the_assignee(self):
        with as_user(self.portal, STAFF):
            tickets.take(self.ticket)
        for userid in (CUSTOMER, OTHER_CUSTOMER):
            with as_user(self.portal, userid):
                for call in (
                    lambda: tickets.assignee(self.ticket),
                    lambda: tickets.assign(self.ticket, STAFF),
                    lambda: tickets.take(self.ticket),
                    lambda: tickets.set_priority(self.ticket, "urgent"),
                    lambda: tickets.set_category(self.ticket, ""),
                    lambda: tickets.history(self.ticket),
                ):
                    with self.assertRaises(Unauthorized):
                        call()
        with as_user(self.portal, CUSTOMER):
            brain = self.catalog(portal_type="Ticket")[0]
        # The catalog, which customers may query, holds a token, not the id.
        self.assertNotIn(STAFF, str(brain.ticket_assignee))
        self.assertEqual(brain.ticket_assignee, desk.assignee_token(STAFF))


class TestPriorityAndCategory(DeskTestCase):
    def test_priority_defaults_to_normal_and_is_validated(self):
        with as_user(self.portal, STAFF):
            self.assertEqual(tickets.priority(self.ticket), "normal")
            tickets.set_priority(self.ticket, "urgent")
            with self.assertRaises(tickets.TicketInputError):
                tickets.set_priority(self.ticket, "whenever")
        self.assertEqual(len(self.catalog(ticket_priority=3)), 1)

    def test_categories_come_from_the_settings_with_translations(self):
        api.portal.set_registry_record(
            "categories", CATEGORIES, interface=ITicketSettings
        )
        self.assertEqual(desk.category_title("billing", "es"), "Facturación")
        self.assertEqual(desk.category_title("billing", "en"), "Billing")
        with as_user(self.portal, STAFF):
            tickets.set_category(self.ticket, "billing")
            with self.assertRaises(tickets.TicketInputError):
                tickets.set_category(self.ticket, "cooking")
        self.assertEqual(len(self.catalog(ticket_category="billing")), 1)
        with as_user(self.portal, CUSTOMER):
            opened = tickets.create("Login", "<p>x</p>", category="access")
            with self.assertRaises(tickets.TicketInputError):
                tickets.create("Login", "<p>x</p>", category="cooking")
        self.assertEqual(opened.ticket_category, "access")


class TestHistory(DeskTestCase):
    def test_customers_see_the_state_changes_only(self):
        with as_user(self.portal, STAFF):
            tickets.set_priority(self.ticket, "high")
            tickets.close(self.ticket)
            tickets.reopen(self.ticket)
            fields = [c.field for c in tickets.history(self.ticket)]
        self.assertEqual(fields, ["priority", "state", "state"])
        from collective.tickets.core.history import visible_history

        with as_user(self.portal, CUSTOMER):
            seen = [(c.field, c.old, c.new) for c in visible_history(self.ticket)]
        self.assertEqual(
            seen,
            [
                ("state", "in_progress", "completed"),
                ("state", "completed", "in_progress"),
            ],
        )


class TestNotes(DeskTestCase):
    SECRET = "quasimodoword"

    def add_note(self):
        with as_user(self.portal, STAFF):
            return tickets.add_note(
                self.ticket,
                f"<p>Customer is a {self.SECRET}</p>",
                attachments=[("notes.txt", b"internal", "text/plain")],
            )

    def test_staff_add_notes_to_open_and_closed_tickets(self):
        first = self.add_note()
        with as_user(self.portal, STAFF):
            tickets.close(self.ticket)
            second = tickets.add_note(self.ticket, "<p>closed, but noted</p>")
            messages = tickets.conversation(self.ticket, with_notes=True)
        self.assertEqual([m.obj for m in messages if m.is_note], [first, second])

    def test_reply_ids_betray_no_note(self):
        self.add_note()
        with as_user(self.portal, STAFF):
            first = tickets.reply(self.ticket, "<p>one</p>")
            tickets.add_note(self.ticket, "<p>second note</p>")
            second = tickets.reply(self.ticket, "<p>two</p>")
        self.assertEqual((first.getId(), second.getId()), ("reply-1", "reply-2"))
        self.assertEqual(
            [i for i in self.ticket.objectIds() if i.startswith("note-")],
            ["note-1", "note-2"],
        )

    def test_customers_may_not_add_notes(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER):
            with as_user(self.portal, userid), self.assertRaises(Unauthorized):
                tickets.add_note(self.ticket, "<p>let me in</p>")

    def test_a_note_is_invisible_to_the_customer_by_permission(self):
        note = self.add_note()
        with as_user(self.portal, CUSTOMER):
            self.assertFalse(api.user.has_permission("View", obj=note))
            self.assertFalse(
                api.user.has_permission("Access contents information", obj=note)
            )
            self.assertEqual(tickets.notes(self.ticket), [])
            messages = tickets.conversation(self.ticket, with_notes=True)
            self.assertEqual([m for m in messages if m.is_note], [])
            self.assertEqual(len(self.catalog(SearchableText=self.SECRET)), 0)
            self.assertEqual(len(self.catalog(portal_type="TicketNote")), 0)
        with as_user(self.portal, STAFF):
            self.assertEqual(tickets.notes(self.ticket), [note])
            found = self.catalog(SearchableText=self.SECRET)
            self.assertEqual([b.getObject() for b in found], [note])
            # Mails quote the conversation without notes, whoever sends them.
            self.assertEqual(
                [m for m in tickets.conversation(self.ticket) if m.is_note], []
            )

    def test_a_note_changes_nothing_customers_can_read_in_the_catalog(self):
        with as_user(self.portal, CUSTOMER):
            before = self.catalog(portal_type="Ticket")[0]
            before = (
                before.ticket_last_activity,
                before.ticket_last_author,
                before.ticket_reply_count,
            )
        self.add_note()
        with as_user(self.portal, CUSTOMER):
            after = self.catalog(portal_type="Ticket")[0]
            self.assertEqual(
                (
                    after.ticket_last_activity,
                    after.ticket_last_author,
                    after.ticket_reply_count,
                ),
                before,
            )
            self.assertEqual(
                len(self.catalog(portal_type="Ticket", SearchableText=self.SECRET)), 0
            )
