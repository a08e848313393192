"""The staff desk over the REST API, as the staff, the customer, the other
customer and anonymous: notes, the desk's values, the history, numbers.
The documented calls write docs/http-examples/desk_*."""

from collective.tickets import api as tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from DateTime import DateTime
from helpers import as_user
from helpers import PDF
from plone import api
from test_restapi import DOCS
from test_restapi import record
from test_restapi import RestTestCase

import base64
import transaction


SECRET = "quokkaword"
STRANGERS = (OTHER_CUSTOMER, None)


class DeskRestTestCase(RestTestCase):
    def setUp(self):
        super().setUp()
        api.portal.set_registry_record(
            "categories",
            ["billing | Billing | es: Facturación"],
            interface=ITicketSettings,
        )
        self.ticket = self.open_ticket()
        self.url = self.ticket.absolute_url()
        with as_user(self.portal, STAFF):
            self.note = tickets.add_note(
                self.ticket,
                f"<p>Customer is a {SECRET}</p>",
                attachments=[("internal.pdf", PDF, "application/pdf")],
            )
            tickets.assign(self.ticket, MANAGER)
        transaction.commit()


class TestNotes(DeskRestTestCase):
    def test_staff_add_a_note(self):
        body = {
            "text": "<p>Called the customer: waiting for the invoice.</p>",
            "attachments": [
                {
                    "filename": "call.pdf",
                    "content-type": "application/pdf",
                    "encoding": "base64",
                    "data": base64.b64encode(PDF).decode(),
                }
            ],
        }
        response = self.session(STAFF).post(f"{self.url}/@notes", json=body)
        record("desk_add_note", response, self.base, body)
        self.assertEqual(response.status_code, 201, response.text)
        note = response.json()
        self.assertEqual(note["@type"], "TicketNote")
        self.assertTrue(note["internal"])
        self.assertEqual(note["ticket"], self.url)
        self.assertIn("Called the customer", note["text"]["data"])
        self.assertEqual(note["attachments"][0]["filename"], "call.pdf")
        self.assertEqual(response.headers["Location"], note["@id"])
        ticket = self.session(STAFF).get(self.url).json()
        notes = [m["@id"] for m in ticket["conversation"] if m["internal"]]
        self.assertEqual(notes, [self.note.absolute_url(), note["@id"]])
        download = self.session(STAFF).get(note["attachments"][0]["download"])
        self.assertEqual(download.content, PDF)

    def test_customers_and_anonymous_may_not_add_notes(self):
        for userid in (CUSTOMER, *STRANGERS):
            for body in ({"text": "<p>let me in</p>"}, {"text": 3}):
                response = self.session(userid).post(f"{self.url}/@notes", json=body)
                self.assertEqual(response.status_code, 401, (userid, response.text))
        transaction.begin()
        self.assertEqual(len(self.ticket.objectIds()), 1)

    def test_a_bad_note_names_the_field(self):
        response = self.session(STAFF).post(f"{self.url}/@notes", json={"text": 3})
        self.assertEqual(self.field_error(response)["field"], "text")

    def test_the_customer_never_gets_a_note(self):
        customer = self.session(CUSTOMER)
        data = customer.get(self.url).json()
        self.assertNotIn(SECRET, str(data))
        self.assertEqual([m for m in data["conversation"] if m["internal"]], [])
        self.assertNotIn("assignee", data)
        for url in (
            f"{self.base}/@tickets",
            f"{self.base}/@tickets?SearchableText={SECRET}",
            f"{self.base}/@search?SearchableText={SECRET}",
            f"{self.base}/@search?SearchableText={SECRET}&fullobjects=1",
            f"{self.base}/@search?portal_type=TicketNote",
            f"{self.base}/@search?SearchableText={SECRET}&metadata_fields=_all",
            f"{self.url}?expand=items",
        ):
            data = customer.get(url).json()
            # The answer's own address repeats the query.
            data.pop("@id", None)
            data.pop("batching", None)
            self.assertNotIn(SECRET, str(data), url)
            self.assertNotIn(self.note.absolute_url(), str(data), url)
        self.assertEqual(
            customer.get(f"{self.base}/@tickets?SearchableText={SECRET}").json()[
                "items_total"
            ],
            0,
        )
        for userid in STRANGERS:
            found = self.session(userid).get(
                f"{self.base}/@search?SearchableText={SECRET}"
            )
            self.assertEqual(found.json()["items_total"], 0, userid)
        for userid in (CUSTOMER, *STRANGERS):
            session = self.session(userid)
            for url in (
                self.note.absolute_url(),
                f"{self.note.absolute_url()}/@@attachment/0/internal.pdf",
            ):
                response = session.get(url)
                self.assertIn(response.status_code, (401, 403), (userid, url))
                self.assertNotIn(SECRET, response.text)
                self.assertFalse(response.content.startswith(b"%PDF"), (userid, url))

    def test_a_note_changes_nothing_the_customer_sees(self):
        # A day back, so that a note setting the ticket's modification date
        # to now shows, whatever second the test runs in.
        self.ticket.setModificationDate(DateTime() - 1)
        self.ticket.reindexObject(idxs=["modified"])
        transaction.commit()
        customer = self.session(CUSTOMER)
        before = (
            customer.get(self.url).json(),
            customer.get(f"{self.base}/@tickets").json(),
        )
        with as_user(self.portal, STAFF):
            tickets.add_note(self.ticket, "<p>Second thoughts</p>")
        transaction.commit()
        self.assertEqual(len(self.ticket.objectIds()), 2)
        after = (
            customer.get(self.url).json(),
            customer.get(f"{self.base}/@tickets").json(),
        )
        self.assertEqual(after, before)

    def test_staff_read_notes_everywhere(self):
        staff = self.session(STAFF)
        response = staff.get(self.url)
        record("desk_ticket_get_staff", response, self.base)
        data = response.json()
        (note,) = [m for m in data["conversation"] if m["internal"]]
        self.assertIn(SECRET, note["text"]["data"])
        self.assertEqual(data["assignee"], {"id": MANAGER, "name": "Max Manager"})
        found = staff.get(f"{self.base}/@search?SearchableText={SECRET}").json()
        self.assertEqual(
            [item["@id"] for item in found["items"]], [self.note.absolute_url()]
        )
        response = staff.get(self.note.absolute_url())
        record("desk_note_get", response, self.base)
        data = response.json()
        self.assertEqual(data["@type"], "TicketNote")
        self.assertTrue(data["internal"])
        self.assertEqual(data["ticket"], self.url)
        self.assertEqual(data["author"], {"id": STAFF, "name": "Sam Staff"})
        self.assertEqual(data["attachments"][0]["filename"], "internal.pdf")
        response = staff.get(f"{self.note.absolute_url()}/@@attachment/0/internal.pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))


class TestDesk(DeskRestTestCase):
    def test_staff_change_assignee_priority_and_category(self):
        body = {"assignee": STAFF, "priority": "urgent", "category": "billing"}
        response = self.session(STAFF).patch(f"{self.url}/@desk", json=body)
        record("desk_patch", response, self.base, body)
        self.assertEqual(response.status_code, 200, response.text)
        data = response.json()
        self.assertEqual(data["assignee"]["id"], STAFF)
        self.assertEqual(data["priority"], {"token": "urgent", "title": "Urgent"})
        self.assertEqual(data["category"], {"token": "billing", "title": "Billing"})
        self.assertEqual(data["number"], self.ticket.ticket_number)
        response = self.session(STAFF).patch(
            f"{self.url}/@desk", json={"assignee": None}
        )
        self.assertIsNone(response.json()["assignee"])

    def test_bad_values_name_their_field_and_change_nothing(self):
        staff = self.session(STAFF)
        for body, field in (
            ({"priority": "whenever"}, "priority"),
            ({"category": "cooking"}, "category"),
            ({"assignee": OTHER_CUSTOMER}, "assignee"),
            ({"assignee": 3}, "assignee"),
            # The good value before the bad one is not kept either.
            ({"priority": "high", "category": "cooking"}, "category"),
        ):
            response = staff.patch(f"{self.url}/@desk", json=body)
            self.assertEqual(self.field_error(response)["field"], field, body)
        transaction.begin()
        self.assertEqual(tickets.priority(self.ticket), "normal")
        with as_user(self.portal, STAFF):
            self.assertEqual(
                [c.field for c in tickets.history(self.ticket)], ["assignee"]
            )

    def test_a_misspelt_field_is_named_not_ignored(self):
        body = {"priority": "high", "prority": "urgent"}
        response = self.session(STAFF).patch(f"{self.url}/@desk", json=body)
        problem = self.field_error(response)
        self.assertEqual(problem["field"], "prority")
        self.assertIn("'assignee', 'priority' or 'category'", problem["message"])
        transaction.begin()
        self.assertEqual(tickets.priority(self.ticket), "normal")

    def test_nobody_else_may_change_the_desk(self):
        for userid in (CUSTOMER, *STRANGERS):
            response = self.session(userid).patch(
                f"{self.url}/@desk", json={"priority": "urgent"}
            )
            self.assertEqual(response.status_code, 401, (userid, response.text))
        transaction.begin()
        self.assertEqual(tickets.priority(self.ticket), "normal")

    def test_another_site_may_not_change_it_with_the_cookie(self):
        response = self.session(STAFF).patch(
            f"{self.url}/@desk",
            json={"priority": "urgent"},
            headers={"Origin": "https://evil.example.com"},
        )
        self.assertEqual(response.status_code, 403)
        response = self.session(STAFF).patch(
            f"{self.url}/@desk", data="priority=urgent"
        )
        self.assertEqual(response.status_code, 415)
        transaction.begin()
        self.assertEqual(tickets.priority(self.ticket), "normal")


class TestHistoryAndNumbers(DeskRestTestCase):
    def test_history_for_staff_and_customer(self):
        with as_user(self.portal, STAFF):
            tickets.set_priority(self.ticket, "high")
            tickets.close(self.ticket)
        transaction.commit()
        response = self.session(STAFF).get(f"{self.url}/@history")
        record("desk_history", response, self.base)
        fields = [item["field"] for item in response.json()["items"]]
        self.assertEqual(fields, ["assignee", "priority", "state"])
        customer = self.session(CUSTOMER).get(f"{self.url}/@history").json()
        self.assertEqual(
            [(i["field"], i["from"], i["to"]) for i in customer["items"]],
            [("state", "in_progress", "completed")],
        )
        self.assertEqual(
            [
                i["field"]
                for i in self.session(CUSTOMER).get(self.url).json()["history"]
            ],
            ["state"],
        )
        for userid in STRANGERS:
            response = self.session(userid).get(f"{self.url}/@history")
            self.assertEqual(response.status_code, 401, userid)

    def test_the_customer_reads_the_number_but_not_the_assignee(self):
        data = self.session(CUSTOMER).get(self.url).json()
        number = self.ticket.ticket_number
        self.assertIsInstance(number, int)
        self.assertEqual(data["number"], number)
        self.assertEqual(data["number_label"], f"#{number}")
        self.assertEqual(data["priority"], {"token": "normal", "title": "Normal"})
        self.assertIsNone(data["category"])
        self.assertNotIn("assignee", data)
        self.assertNotIn(MANAGER, str(data))

    def test_numbers_and_desk_in_the_listing(self):
        items = self.session(CUSTOMER).get(f"{self.base}/@tickets").json()["items"]
        self.assertEqual(items[0]["number"], self.ticket.ticket_number)
        self.assertEqual(items[0]["number_label"], f"#{self.ticket.ticket_number}")
        self.assertEqual(items[0]["priority"], {"token": "normal", "title": "Normal"})
        self.assertNotIn("assignee", items[0])
        response = self.session(STAFF).get(
            f"{self.base}/@tickets?assignee={MANAGER}&sort=number"
        )
        record("desk_tickets_get_queue", response, self.base)
        items = response.json()["items"]
        self.assertEqual([i["number"] for i in items], [self.ticket.ticket_number])
        self.assertEqual(items[0]["assignee"]["id"], MANAGER)
        self.assertEqual(
            self.session(STAFF)
            .get(f"{self.base}/@tickets?assignee=none")
            .json()["items_total"],
            0,
        )


class TestQueueFilters(DeskRestTestCase):
    def setUp(self):
        super().setUp()
        with as_user(self.portal, CUSTOMER):
            self.second = tickets.create("Toner empty", "<p>No toner.</p>")
        with as_user(self.portal, STAFF):
            tickets.set_priority(self.second, "urgent")
            tickets.set_category(self.second, "billing")
            tickets.take(self.second)
            tickets.reply(self.ticket, "<p>Which model?</p>")
        transaction.commit()

    def titles(self, query, userid=STAFF):
        response = self.session(userid).get(f"{self.base}/@tickets?{query}")
        self.assertEqual(response.status_code, 200, response.text)
        return [item["title"] for item in response.json()["items"]]

    def test_staff_filter_and_sort_as_the_overview_does(self):
        self.assertEqual(self.titles("priority=urgent"), ["Toner empty"])
        self.assertEqual(self.titles("category=billing"), ["Toner empty"])
        self.assertEqual(self.titles("assignee=me"), ["Toner empty"])
        self.assertEqual(self.titles(f"assignee={MANAGER}"), ["Printer jam"])
        # The staff answered the printer: the customer's turn.
        self.assertEqual(self.titles("waiting=customer"), ["Printer jam"])
        self.assertEqual(self.titles("waiting=staff"), ["Toner empty"])
        self.assertEqual(self.titles("sort=priority"), ["Toner empty", "Printer jam"])
        self.assertEqual(self.titles("sort=number"), ["Toner empty", "Printer jam"])
        number = self.ticket.ticket_number
        self.assertEqual(self.titles(f"SearchableText=%23{number}"), ["Printer jam"])
        self.assertEqual(self.titles(f"SearchableText={SECRET}"), ["Printer jam"])
        # The plain listing's sorts stay; the text search is the queue's.
        self.assertEqual(
            self.titles("sort_on=title&sort_order=ascending"),
            ["Printer jam", "Toner empty"],
        )
        self.assertEqual(
            self.titles(f"sort_on=title&SearchableText={SECRET}"), ["Printer jam"]
        )

    def test_the_staff_listing_is_batched_through_the_queue(self):
        data = self.session(STAFF).get(f"{self.base}/@tickets?b_size=1").json()
        self.assertEqual(data["items_total"], 2)
        self.assertEqual([i["title"] for i in data["items"]], ["Printer jam"])
        following = self.session(STAFF).get(data["batching"]["next"]).json()
        self.assertEqual([i["title"] for i in following["items"]], ["Toner empty"])
        data = self.session(STAFF).get(
            f"{self.base}/@tickets?sort=priority&b_size=1&b_start=1"
        )
        self.assertEqual([i["title"] for i in data.json()["items"]], ["Printer jam"])

    def test_the_customer_cannot_use_the_staff_filters(self):
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.create("Someone else's", "<p>mine</p>")
        transaction.commit()
        for query in (
            "assignee=none",
            f"assignee={MANAGER}",
            "priority=normal",
            "waiting=staff",
            f"customer={OTHER_CUSTOMER}",
            "sort=number",
        ):
            response = self.session(CUSTOMER).get(f"{self.base}/@tickets?{query}")
            items = response.json()["items"]
            self.assertEqual(
                sorted(i["title"] for i in items), ["Printer jam", "Toner empty"], query
            )
            self.assertFalse(any("assignee" in item for item in items), query)

    def test_a_ticket_opened_with_a_category(self):
        response = self.session(CUSTOMER).post(
            f"{self.base}/@tickets",
            json={"title": "Bill", "text": "<p>Wrong</p>", "category": "billing"},
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["category"]["token"], "billing")
        response = self.session(CUSTOMER).post(
            f"{self.base}/@tickets",
            json={"title": "Bill", "text": "<p>Wrong</p>", "category": "cooking"},
        )
        self.assertEqual(self.field_error(response)["field"], "category")


class TestDocumented(DeskRestTestCase):
    def test_every_desk_example_is_in_the_docs(self):
        docs = DOCS.read_text(encoding="utf-8")
        for name in (
            "desk_add_note",
            "desk_note_get",
            "desk_ticket_get_staff",
            "desk_patch",
            "desk_history",
            "desk_tickets_get_queue",
        ):
            for suffix in (".req", ".resp"):
                self.assertIn(f"http-examples/{name}{suffix}", docs)
