from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import PDF
from helpers import PNG
from plone import api
from plone.app.testing import logout
from plone.namedfile.interfaces import INamedBlobImage

import unittest


class TestCreate(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def open_ticket(self, **kw):
        kw.setdefault("subject", "Invoice 42 is wrong")
        kw.setdefault("text", "<p>The <strong>total</strong> is off.</p>")
        with as_user(self.portal, CUSTOMER):
            return tickets.create(**kw)

    def test_ticket_is_stored_in_the_customers_member_folder(self):
        ticket = self.open_ticket()
        members = self.portal["Members"]
        self.assertIn(CUSTOMER, members.objectIds())
        self.assertIs(ticket.aq_parent.aq_base, members[CUSTOMER].aq_base)
        self.assertEqual(ticket.portal_type, "Ticket")
        self.assertEqual(ticket.getOwnerTuple()[1], CUSTOMER)
        self.assertIn("Owner", ticket.get_local_roles_for_userid(CUSTOMER))

    def test_new_ticket_is_in_progress(self):
        ticket = self.open_ticket()
        self.assertEqual(tickets.state(ticket), "in_progress")

    def test_cc_rows_and_strings_are_normalized(self):
        ticket = self.open_ticket(
            cc=["a@example.com", {"email": " b@example.org ", "name": " Bea  B "}]
        )
        self.assertEqual(
            ticket.cc_recipients,
            [
                {"email": "a@example.com", "name": ""},
                {"email": "b@example.org", "name": "Bea B"},
            ],
        )

    def test_invalid_cc_creates_nothing(self):
        with self.assertRaises(TicketInputError) as raised:
            self.open_ticket(cc=["good@example.com", "bob@"])
        self.assertEqual(str(raised.exception), "'bob@' is not a valid e-mail address.")
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 0)

    def test_cc_refuses_duplicates_own_address_and_too_many(self):
        with self.assertRaisesRegex(TicketInputError, "more than once"):
            self.open_ticket(cc=["x@example.com", "X@example.com"])
        with self.assertRaisesRegex(TicketInputError, "your own address"):
            self.open_ticket(cc=["customer1@example.com"])
        with self.assertRaisesRegex(TicketInputError, "at most 20"):
            self.open_ticket(cc=[f"p{i}@example.com" for i in range(21)])

    def test_header_injection_in_cc_is_refused(self):
        with self.assertRaisesRegex(TicketInputError, "not a valid e-mail"):
            self.open_ticket(cc=["a@b.co\nBcc: x@y.zz"])

    def test_subject_rules(self):
        with self.assertRaisesRegex(TicketInputError, "Enter a subject"):
            self.open_ticket(subject="   ")
        with self.assertRaisesRegex(TicketInputError, "single line"):
            self.open_ticket(subject="one\ntwo")
        with self.assertRaisesRegex(TicketInputError, "201 characters; at most 200"):
            self.open_ticket(subject="x" * 201)
        self.assertEqual(self.open_ticket(subject="x" * 200).Title(), "x" * 200)

    def test_empty_message_is_refused(self):
        with self.assertRaisesRegex(TicketInputError, "Write a message"):
            self.open_ticket(text="<p>&nbsp; </p>")

    def test_script_is_filtered_from_the_message(self):
        ticket = self.open_ticket(
            text='<p onclick="evil()">Hi<script>alert(1)</script>'
            '<a href="javascript:alert(2)">x</a></p>'
        )
        html = tickets.conversation(ticket)[0].text
        self.assertIn("Hi", html)
        self.assertNotIn("<script", html)
        self.assertNotIn("onclick", html)
        self.assertNotIn("javascript:", html)

    def test_control_characters_are_dropped_so_the_page_renders(self):
        # Found by the property tests: a NUL in a message broke the page.
        ticket = self.open_ticket(
            subject="Bad\x08 chars",
            text="<p>nul\x00 here</p>",
            cc=[{"email": "a@example.com", "name": "A\x01B"}],
        )
        self.assertEqual(ticket.Title(), "Bad chars")
        self.assertIn("nul here", tickets.conversation(ticket)[0].text)
        self.assertEqual(ticket.cc_recipients[0]["name"], "AB")

    def test_attachments_are_blobs_and_images_get_thumbnails(self):
        ticket = self.open_ticket(
            attachments=[
                ("../../etc/shot.png", PNG, "image/png"),
                ("report.pdf", PDF, None),
            ]
        )
        first = tickets.conversation(ticket)[0]
        names = [att.filename for att in first.attachments]
        self.assertEqual(names, ["shot.png", "report.pdf"])
        self.assertTrue(INamedBlobImage.providedBy(ticket.attachments[0]))
        self.assertTrue(first.attachments[0].is_image)
        self.assertFalse(first.attachments[1].is_image)
        self.assertEqual(first.attachments[1].content_type, "application/pdf")
        self.assertEqual(first.attachments[1].size, len(PDF))

    def test_a_file_named_png_that_is_no_image_is_what_its_content_says(self):
        ticket = self.open_ticket(
            attachments=[("x.png", b"just some notes", "image/png")]
        )
        self.assertEqual(ticket.attachments[0].contentType, "text/plain")
        self.assertFalse(tickets.conversation(ticket)[0].attachments[0].is_image)
        with self.assertRaisesRegex(
            TicketInputError, "'y.png' is of type image/svg\\+xml"
        ):
            self.open_ticket(
                attachments=[("y.png", b"<svg onload=alert(1)>", "image/png")]
            )

    def test_anonymous_cannot_create(self):
        logout()
        with self.assertRaises(Unauthorized):
            tickets.create(subject="x", text="<p>y</p>")

    def test_customer_cannot_open_a_ticket_for_another_customer(self):
        with self.assertRaises(Unauthorized):
            self.open_ticket(customer=OTHER_CUSTOMER)

    def test_staff_opens_a_ticket_on_behalf_of_a_customer(self):
        with as_user(self.portal, STAFF):
            ticket = tickets.create("Phone call", "<p>Called us</p>", customer=CUSTOMER)
        self.assertEqual(ticket.getOwnerTuple()[1], CUSTOMER)
        self.assertIn(f"/Members/{CUSTOMER}/", ticket.absolute_url_path())
        self.assertNotIn("Owner", ticket.get_local_roles_for_userid(STAFF))
        self.assertEqual(tickets.conversation(ticket)[0].author_id, STAFF)

    def test_unknown_customer_is_a_clear_error(self):
        with (
            as_user(self.portal, STAFF),
            self.assertRaisesRegex(TicketInputError, "no user with the id 'nobody'"),
        ):
            tickets.create("x", "<p>y</p>", customer="nobody")


class TestLifecycle(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Printer", "<p>It jams.</p>")

    def test_conversation_in_chronological_order_with_authors(self):
        with as_user(self.portal, STAFF):
            tickets.reply(
                self.ticket, "<p>Which model?</p>", [("log.txt", b"x", "text/plain")]
            )
        with as_user(self.portal, CUSTOMER):
            tickets.reply(self.ticket, "<p>The big one.</p>")
        messages = tickets.conversation(self.ticket)
        self.assertEqual([m.author_id for m in messages], [CUSTOMER, STAFF, CUSTOMER])
        self.assertEqual(
            [m.author_name for m in messages],
            ["Carla Customer", "Sam Staff", "Carla Customer"],
        )
        self.assertIn("Which model?", messages[1].text)
        self.assertEqual(messages[1].attachments[0].filename, "log.txt")
        self.assertTrue(messages[0].is_first)
        dates = [m.date for m in messages]
        self.assertEqual(dates, sorted(dates))

    def test_other_customer_cannot_reply_or_close(self):
        with as_user(self.portal, OTHER_CUSTOMER):
            with self.assertRaises(Unauthorized):
                tickets.reply(self.ticket, "<p>hi</p>")
            with self.assertRaises(Unauthorized):
                tickets.close(self.ticket)

    def test_owner_closes_and_cannot_reopen(self):
        with as_user(self.portal, CUSTOMER):
            tickets.close(self.ticket)
            self.assertEqual(tickets.state(self.ticket), "completed")
            with self.assertRaises(Unauthorized):
                tickets.reopen(self.ticket)

    def test_reply_to_completed_ticket_is_refused(self):
        with as_user(self.portal, CUSTOMER):
            tickets.close(self.ticket)
            with self.assertRaisesRegex(TicketStateError, "completed"):
                tickets.reply(self.ticket, "<p>one more</p>")
        with as_user(self.portal, STAFF), self.assertRaises(TicketStateError):
            tickets.reply(self.ticket, "<p>one more</p>")
        self.assertEqual(len(tickets.conversation(self.ticket)), 1)

    def test_a_repeated_submission_adds_nothing(self):
        with as_user(self.portal, CUSTOMER):
            first = tickets.reply(self.ticket, "<p>once</p>", submission_id="abc")
            again = tickets.reply(self.ticket, "<p>once</p>", submission_id="abc")
            other = tickets.reply(self.ticket, "<p>twice</p>", submission_id="def")
            ticket = tickets.create("Same", "<p>x</p>", submission_id="t1")
            self.assertEqual(
                tickets.create("Same", "<p>x</p>", submission_id="t1"), ticket
            )
        self.assertEqual(first, again)
        self.assertNotEqual(first, other)
        self.assertEqual(len(tickets.conversation(self.ticket)), 3)

    def test_closing_twice_says_so(self):
        with as_user(self.portal, CUSTOMER):
            tickets.close(self.ticket)
            with self.assertRaisesRegex(TicketStateError, "already completed"):
                tickets.close(self.ticket)

    def test_staff_closes_and_reopens(self):
        for userid in (STAFF, SITE_ADMIN):
            with as_user(self.portal, userid):
                tickets.close(self.ticket)
                tickets.reopen(self.ticket)
                self.assertEqual(tickets.state(self.ticket), "in_progress")

    def test_tickets_of_is_catalog_based_and_filtered_by_state(self):
        with as_user(self.portal, CUSTOMER):
            second = tickets.create("Second", "<p>two</p>")
            tickets.close(second)
        with as_user(self.portal, CUSTOMER):
            self.assertEqual(
                [b.getId for b in tickets.tickets_of(CUSTOMER)],
                [second.getId(), self.ticket.getId()],
            )
            self.assertEqual(
                [b.Title for b in tickets.tickets_of(CUSTOMER, state="completed")],
                ["Second"],
            )
        with as_user(self.portal, OTHER_CUSTOMER):
            self.assertEqual(len(tickets.tickets_of(CUSTOMER)), 0)
        with as_user(self.portal, STAFF):
            self.assertEqual(len(tickets.tickets_of(CUSTOMER)), 2)

    def test_reply_updates_last_activity_in_the_catalog(self):
        with as_user(self.portal, STAFF):
            tickets.reply(self.ticket, "<p>On it</p>")
        brain = api.content.find(UID=api.content.get_uuid(self.ticket))[0]
        self.assertEqual(brain.ticket_last_author, STAFF)
        self.assertEqual(brain.ticket_reply_count, 1)
        self.assertEqual(
            len(api.content.find(SearchableText="On it", portal_type="Ticket")), 1
        )

    def test_bad_arguments_say_what_was_wrong(self):
        with as_user(self.portal, CUSTOMER):
            with self.assertRaisesRegex(TicketInputError, "is not a ticket"):
                tickets.reply(self.portal, "<p>x</p>")
            with self.assertRaisesRegex(
                TicketInputError, "filename, data, content_type"
            ):
                tickets.reply(self.ticket, "<p>x</p>", attachments=["just-a-name"])
