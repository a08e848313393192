"""Internal notes and the handling panel on the ticket's page, as the
customer, the other customer, anonymous and the staff: every path a note
could leak through, and the mails."""

from collective.tickets import api as tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import post_multipart
from helpers import SentMailMixin
from plone import api
from urllib.parse import quote
from urllib.parse import urlparse

import transaction
import unittest


SECRET = "zanzibarword"
# What the note's attached file holds.
PAYLOAD = "payloadofthenotefile"
CC_MAIL = "boss@example.org"
CUSTOMERS_AND_STRANGERS = (CUSTOMER, OTHER_CUSTOMER, None)


def text(browser):
    contents = browser.contents
    return (
        contents.decode("utf-8", "replace") if isinstance(contents, bytes) else contents
    )


class DeskScreenTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                "Broken login", "<p>I cannot log in.</p>", cc=[CC_MAIL]
            )
        self.commit()
        SENT_MAIL.clear()
        self.url = self.ticket.absolute_url()

    def add_note_through_the_form(self, userid=MANAGER):
        browser = browser_for(self.layer, userid)
        browser.open(self.url)
        post_multipart(
            browser,
            self.url,
            [
                ("_authenticator", authenticator(browser)),
                ("reply.widgets.text", f"<p>The customer is a {SECRET}.</p>"),
                ("reply.widgets.text.mimeType", "text/html"),
                (
                    "reply.widgets.attachments",
                    ("secret-notes.txt", PAYLOAD.encode(), "text/plain"),
                ),
                ("reply.buttons.note", "Add internal note"),
            ],
        )
        return browser


class TestNotesOnThePage(DeskScreenTestCase):
    def test_staff_add_a_note_shown_as_internal(self):
        browser = self.add_note_through_the_form()
        self.assertIn("#note-", browser.url)
        self.assertIn(SECRET, browser.contents)
        self.assertIn("Internal note", browser.contents)
        self.assertIn("secret-notes.txt", browser.contents)
        self.assertEqual(len(self.ticket.objectIds()), 1)
        staff = browser_for(self.layer, STAFF)
        staff.open(self.url)
        self.assertIn(SECRET, staff.contents)
        self.assertIn("ticket-note", staff.contents)

    def test_customers_get_no_note_form(self):
        for userid in (CUSTOMER,):
            browser = browser_for(self.layer, userid)
            browser.open(self.url)
            self.assertNotIn("reply.buttons.note", browser.contents)
            self.assertNotIn("desk.widgets", browser.contents)

    def test_one_composer_the_button_says_who_reads_it(self):
        """The staff write a reply or a note in one composer; the customer
        gets "Send reply" alone; on a completed ticket the staff may still
        add a note, and nobody may reply."""
        staff = browser_for(self.layer, STAFF)
        staff.open(self.url)
        self.assertIn("Reply or internal note", staff.contents)
        self.assertIn('id="reply-buttons-save"', staff.contents)
        self.assertIn('id="reply-buttons-note"', staff.contents)
        self.assertIn("btn-warning", staff.contents)
        self.assertEqual(staff.contents.count("<textarea"), 1)
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.url)
        self.assertIn('id="reply-buttons-save"', customer.contents)
        self.assertNotIn("Reply or internal note", customer.contents)
        with as_user(self.portal, STAFF):
            tickets.close(self.ticket)
        self.commit()
        customer.open(self.url)
        self.assertNotIn("reply.widgets.text", customer.contents)
        staff.open(self.url)
        self.assertNotIn('id="reply-buttons-save"', staff.contents)
        self.assertIn('id="reply-buttons-note"', staff.contents)
        browser = self.add_note_through_the_form(STAFF)
        self.assertIn("Your internal note has been added.", browser.contents)
        self.assertEqual(
            [
                message.is_note
                for message in tickets.conversation(self.ticket, with_notes=True)
            ],
            [False, True],
        )
        # A reply posted from a page opened before the ticket closed.
        post_multipart(
            staff,
            self.url,
            [
                ("_authenticator", authenticator(staff)),
                ("reply.widgets.text", "<p>Late</p>"),
                ("reply.widgets.text.mimeType", "text/html"),
                ("reply.buttons.save", "Send reply"),
            ],
        )
        self.assertEqual(len(self.ticket.objectIds()), 1)

    def test_an_empty_note_is_refused_with_its_files_kept(self):
        browser = browser_for(self.layer, STAFF)
        browser.open(self.url)
        post_multipart(
            browser,
            self.url,
            [
                ("_authenticator", authenticator(browser)),
                ("reply.widgets.text", "<p> </p>"),
                ("reply.widgets.text.mimeType", "text/html"),
                (
                    "reply.widgets.attachments",
                    ("secret-notes.txt", PAYLOAD.encode(), "text/plain"),
                ),
                ("reply.buttons.note", "Add internal note"),
            ],
        )
        self.assertEqual(self.ticket.objectIds(), [])
        self.assertIn("There were some errors", browser.contents)
        self.assertIn("secret-notes.txt", browser.contents)

    def test_the_add_url_leads_to_the_composer(self):
        staff = browser_for(self.layer, STAFF)
        staff.open(f"{self.url}/++add++TicketNote")
        self.assertEqual(staff.url, f"{self.url}#ticket-reply")
        self.assertEqual(self.ticket.objectIds(), [])

    def test_a_note_posted_by_a_customer_is_not_added(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.url)
        post_multipart(
            browser,
            self.url,
            [
                ("_authenticator", authenticator(browser)),
                ("reply.widgets.text", "<p>sneaky</p>"),
                ("reply.widgets.text.mimeType", "text/html"),
                ("reply.buttons.note", "Add internal note"),
            ],
        )
        self.assertEqual(self.ticket.objectIds(), [])

    def test_the_note_leaks_through_no_page_for_anyone_but_staff(self):
        self.add_note_through_the_form()
        note_id = self.ticket.objectIds()[0]
        note_url = f"{self.url}/{note_id}"
        paths = [
            self.url,
            note_url,
            f"{note_url}/view",
            f"{note_url}/@@attachment/0/secret-notes.txt",
            f"{note_url}/@@download/attachments",
            f"{note_url}/@@edit",
            f"{note_url}/@@edit/++widget++form.widgets.text",
            f"{self.url}/folder_contents",
            f"{self.url}/@@historyview",
            f"{self.url}/@@contenthistory",
            f"{self.url}/RSS",
            f"{self.url}/@@rss.xml",
            f"{self.portal_url}/@@ticket-conversation-text",
        ]
        # Searches repeat the word searched for: what they must not show is
        # the ticket.
        searches = [
            f"{self.portal_url}/@@search?SearchableText={SECRET}",
        ]
        for userid in CUSTOMERS_AND_STRANGERS:
            browser = browser_for(self.layer, userid)
            for path in paths:
                browser.open(path)
                # A login form repeats the address asked for: not a leak.
                asked = urlparse(path).path
                contents = text(browser).replace(asked, "").replace(quote(asked), "")
                for secret in (SECRET, PAYLOAD, "secret-notes.txt"):
                    self.assertNotIn(secret, contents, (userid, path))
            for path in searches:
                browser.open(path)
                self.assertNotIn("Broken login", browser.contents, (userid, path))
                self.assertNotIn(note_id, browser.contents, (userid, path))
        staff = browser_for(self.layer, STAFF)
        staff.open(f"{note_url}/@@attachment/0/secret-notes.txt")
        self.assertEqual(text(staff), PAYLOAD)
        staff.open(f"{self.portal_url}/@@search?SearchableText={SECRET}")
        self.assertIn("Broken login", staff.contents)
        self.assertIn(note_url, staff.contents)
        staff.open(note_url)
        self.assertEqual(staff.url, f"{self.url}#{note_id}")

    def test_note_mails_go_to_the_staff_only_and_cannot_be_answered_into_the_ticket(
        self,
    ):
        self.add_note_through_the_form(MANAGER)
        mails = self.take_mail()
        self.assertEqual([mail["To"] for mail in mails], ["staff1@example.com"])
        mail = mails[0]
        self.assertIn(SECRET, mail.get_body(("plain",)).get_content())
        number = self.ticket.ticket_number
        self.assertIn(f"[#{number}] Internal note: Broken login", mail["Subject"])
        self.assertIsNone(mail["Reply-To"])
        self.assertIsNone(mail["In-Reply-To"])
        self.assertNotIn(self.ticket.UID(), mail["Message-ID"])

    def test_later_mails_to_the_customer_carry_no_note(self):
        self.add_note_through_the_form(MANAGER)
        self.take_mail()
        with as_user(self.portal, STAFF):
            tickets.reply(self.ticket, "<p>Try again now.</p>")
            tickets.close(self.ticket)
        self.commit()
        mails = self.take_mail()
        self.assertTrue(mails)
        for mail in mails:
            self.assertNotIn(SECRET, mail.as_string())


class TestDeskPanel(DeskScreenTestCase):
    def desk_post(self, browser, **fields):
        browser.open(self.url)
        data = [("_authenticator", authenticator(browser))]
        data += [(f"desk.widgets.{name}", value) for name, value in fields.items()]
        data += [(f"desk.widgets.{name}-empty-marker", "1") for name in fields]
        return data

    def test_staff_assign_set_priority_and_category(self):
        api.portal.set_registry_record(
            "categories",
            ["access | Access | es: Acceso"],
            interface=ITicketSettings,
        )
        transaction.commit()
        staff = browser_for(self.layer, STAFF)
        data = self.desk_post(
            staff, assignee=MANAGER, priority="urgent", category="access"
        )
        data.append(("desk.buttons.save", "Save"))
        post_multipart(staff, self.url, data)
        self.assertIn("Changes saved", staff.contents)
        self.assertEqual(self.ticket.ticket_assignee, MANAGER)
        self.assertEqual(self.ticket.ticket_priority, "urgent")
        self.assertEqual(self.ticket.ticket_category, "access")
        self.assertIn("Sam Staff assigned the ticket to Max Manager", staff.contents)
        self.assertIn(
            "Sam Staff changed the priority from Normal to Urgent", staff.contents
        )
        mails = self.take_mail()
        self.assertEqual([mail["To"] for mail in mails], ["manager1@example.com"])
        self.assertIn("Assigned to you", mails[0]["Subject"])
        # The customer sees the priority and category, not who handles it
        # nor the desk's history.
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.url)
        self.assertIn("Urgent", customer.contents)
        self.assertIn("Access", customer.contents)
        self.assertNotIn("Max Manager", customer.contents)
        self.assertNotIn("assigned the ticket", customer.contents)
        self.assertNotIn("changed the priority", customer.contents)

    def test_take_the_ticket(self):
        staff = browser_for(self.layer, STAFF)
        data = self.desk_post(staff)
        data.append(("desk.buttons.take", "Assign to me"))
        post_multipart(staff, self.url, data)
        self.assertEqual(self.ticket.ticket_assignee, STAFF)
        self.assertIn("Sam Staff took the ticket", staff.contents)

    def test_the_desk_form_needs_the_csrf_token_and_staff(self):
        staff = browser_for(self.layer, STAFF)
        data = self.desk_post(staff, priority="high")
        data = [item for item in data if item[0] != "_authenticator"]
        data.append(("desk.buttons.save", "Save"))
        post_multipart(staff, self.url, data)
        self.assertNotEqual(getattr(self.ticket, "ticket_priority", None), "high")
        customer = browser_for(self.layer, CUSTOMER)
        data = self.desk_post(customer, priority="high")
        data.append(("desk.buttons.save", "Save"))
        post_multipart(customer, self.url, data)
        self.assertNotEqual(getattr(self.ticket, "ticket_priority", None), "high")

    def test_customers_see_state_changes_in_the_timeline(self):
        with as_user(self.portal, STAFF):
            tickets.close(self.ticket)
        transaction.commit()
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.url)
        self.assertIn("Sam Staff closed the ticket", customer.contents)

    def test_the_number_heads_the_page_and_the_mails(self):
        number = self.ticket.ticket_number
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.url)
        self.assertIn(f"#{number}", customer.contents)
        with as_user(self.portal, STAFF):
            tickets.reply(self.ticket, "<p>Hello</p>")
        self.commit()
        subjects = {mail["Subject"] for mail in self.take_mail()}
        self.assertEqual(subjects, {f"Re: [#{number}] Broken login"})


class TestCategoryOnTheNewTicketForm(DeskScreenTestCase):
    def test_asked_only_while_there_are_categories(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@new-ticket")
        self.assertNotIn("form.widgets.category", browser.contents)
        api.portal.set_registry_record(
            "categories",
            ["billing | Billing | es: Facturación"],
            interface=ITicketSettings,
        )
        transaction.commit()
        browser.open(self.portal_url + "/@@new-ticket")
        self.assertIn("form.widgets.category", browser.contents)
        fields = new_ticket_fields(authenticator(browser), "Invoice", "<p>Wrong</p>")
        post_multipart(browser, self.portal_url + "/@@new-ticket", fields)
        self.assertIn("Required input is missing", browser.contents)
        fields.append(("form.widgets.category", "billing"))
        fields.append(("form.widgets.category-empty-marker", "1"))
        post_multipart(browser, self.portal_url + "/@@new-ticket", fields)
        self.assertIn("Your ticket has been opened", browser.contents)
        with as_user(self.portal, STAFF):
            brains = api.content.find(portal_type="Ticket", ticket_category="billing")
        self.assertEqual(len(brains), 1)
        browser.open(brains[0].getURL())
        self.assertIn("Billing", browser.contents)


class TestCategoriesInTheControlPanel(DeskScreenTestCase):
    def test_managers_edit_the_list_and_get_told_what_is_wrong(self):
        browser = browser_for(self.layer, MANAGER)
        browser.open(f"{self.portal_url}/@@tickets-controlpanel")
        control = browser.getControl(name="form.widgets.categories")
        control.value = "billing | Billing | es: Facturación\nbad line"
        browser.getControl(name="form.buttons.save").click()
        self.assertIn("'bad line' is not a category", browser.contents)
        self.assertEqual(
            api.portal.get_registry_record("categories", interface=ITicketSettings),
            [],
        )
        control = browser.getControl(name="form.widgets.categories")
        control.value = "billing | Billing | es: Facturación\naccess | Access"
        browser.getControl(name="form.buttons.save").click()
        self.assertEqual(
            api.portal.get_registry_record("categories", interface=ITicketSettings),
            ["billing | Billing | es: Facturación", "access | Access"],
        )
        browser.open(f"{self.portal_url}/@@tickets-controlpanel")
        control = browser.getControl(name="form.widgets.categories")
        control.value = "billing | Billing\nbilling | Twice"
        browser.getControl(name="form.buttons.save").click()
        self.assertIn("is used twice", browser.contents)

    def test_staff_who_are_not_managers_cannot_edit_the_list(self):
        browser = browser_for(self.layer, STAFF)
        browser.open(f"{self.portal_url}/@@tickets-controlpanel")
        self.assertNotIn("form.widgets.categories", browser.contents)
