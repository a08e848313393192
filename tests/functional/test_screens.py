"""The screens, driven through the real forms with the test browser."""

from collective.tickets import api as tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import PDF
from helpers import PNG
from helpers import post_multipart
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD

import re
import transaction
import unittest


class ScreenTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()

    def open_ticket_as_customer(
        self, subject="Broken login", text="<p>I cannot log in.</p>", **kw
    ):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(subject, text, **kw)
        transaction.commit()
        return ticket

    def submit_new_ticket(self, browser, **kw):
        browser.open(self.portal_url + "/@@new-ticket")
        post_multipart(
            browser,
            self.portal_url + "/@@new-ticket",
            new_ticket_fields(authenticator(browser), **kw),
        )


class TestMyTickets(ScreenTestCase):
    def test_anonymous_is_sent_to_log_in(self):
        browser = browser_for(self.layer)
        browser.open(self.portal_url + "/@@my-tickets")
        self.assertIn("login", browser.url)

    def test_customer_sees_own_tickets_with_state_and_new_button(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@my-tickets")
        self.assertIn("Broken login", browser.contents)
        self.assertIn("In progress", browser.contents)
        self.assertIn("No replies yet", browser.contents)
        browser.getLink("New ticket").click()
        self.assertTrue(browser.url.endswith("/@@new-ticket"))
        browser.open(self.portal_url + "/@@my-tickets")
        browser.getLink("Broken login").click()
        self.assertEqual(browser.url, ticket.absolute_url())

    def test_other_customer_sees_none_of_them(self):
        self.open_ticket_as_customer()
        browser = browser_for(self.layer, OTHER_CUSTOMER)
        browser.open(self.portal_url + "/@@my-tickets")
        self.assertNotIn("Broken login", browser.contents)
        self.assertIn("There are no tickets to show.", browser.contents)

    def test_state_filter_and_last_reply(self):
        first = self.open_ticket_as_customer(subject="First one")
        second = self.open_ticket_as_customer(subject="Second one")
        with as_user(self.portal, STAFF):
            tickets.reply(first, "<p>Looking</p>")
        with as_user(self.portal, CUSTOMER):
            tickets.close(second)
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@my-tickets")
        contents = browser.contents
        # Newest activity first: the reply to the first ticket is newer.
        self.assertLess(contents.index("First one"), contents.index("Second one"))
        self.assertIn("Sam Staff", contents)
        browser.open(self.portal_url + "/@@my-tickets?state=completed")
        self.assertIn("Second one", browser.contents)
        self.assertNotIn("First one", browser.contents)
        browser.open(self.portal_url + "/@@my-tickets?state=bogus")
        self.assertIn("First one", browser.contents)

    def test_listing_is_batched(self):
        with as_user(self.portal, CUSTOMER):
            for number in range(25):
                tickets.create(f"Question {number:02d}", "<p>?</p>")
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@my-tickets")
        self.assertEqual(browser.contents.count('class="badge '), 20)
        browser.getLink("Next 5 items").click()
        self.assertEqual(browser.contents.count('class="badge '), 5)
        self.assertIn("Question 00", browser.contents)


class TestNewTicketForm(ScreenTestCase):
    def test_customer_opens_a_ticket_with_cc_and_attachments(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_new_ticket(
            browser,
            subject="Cannot print invoices",
            text="<p>The <strong>print</strong> button does nothing.</p>",
            cc=[("boss@example.com", "The Boss")],
            files=[
                ("screen.png", PNG, "image/png"),
                ("invoice.pdf", PDF, "application/pdf"),
            ],
        )
        self.assertIn("Your ticket has been opened.", browser.contents)
        self.assertIn("/Members/customer1/cannot-print-invoices", browser.url)
        self.assertIn("The Boss", browser.contents)
        self.assertIn("boss@example.com", browser.contents)
        self.assertIn("<strong>print</strong>", browser.contents)
        self.assertIn("screen.png", browser.contents)
        self.assertIn("invoice.pdf", browser.contents)
        self.assertIn("@@attachment/thumb/0", browser.contents)
        browser.open(self.portal_url + "/@@my-tickets")
        self.assertIn("Cannot print invoices", browser.contents)
        self.assertIn("In progress", browser.contents)

    def test_invalid_cc_shows_error_and_creates_nothing(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_new_ticket(
            browser,
            subject="Keep this subject",
            text="<p>Keep this text</p>",
            cc=[("bob@", "")],
        )
        self.assertIn("There were some errors.", browser.contents)
        self.assertIn("Correct the CC recipients marked above.", browser.contents)
        self.assertNotIn(
            "The system could not process the given value.", browser.contents
        )
        self.assertIn("'bob@' is not a valid e-mail address.", browser.contents)
        self.assertEqual(
            browser.getControl(name="form.widgets.title").value, "Keep this subject"
        )
        self.assertIn(
            "Keep this text", browser.getControl(name="form.widgets.text").value
        )
        self.assertEqual(
            len(api.content.find(portal_type="Ticket", unrestricted=True)), 0
        )

    def test_duplicate_cc_is_refused_with_clear_message(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_new_ticket(
            browser,
            subject="Dupes",
            text="<p>x</p>",
            cc=[("a@example.com", ""), ("A@example.com", "")],
        )
        self.assertIn("is in the CC list more than once", browser.contents)
        self.assertEqual(browser.getControl(name="form.widgets.title").value, "Dupes")

    def test_empty_grid_rows_are_ignored_and_a_name_needs_an_address(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_new_ticket(
            browser,
            subject="Rows",
            text="<p>x</p>",
            cc=[("a@example.com", ""), ("", ""), ("", "Just a name")],
        )
        self.assertIn("Enter an e-mail address.", browser.contents)
        self.assertEqual(
            len(api.content.find(portal_type="Ticket", unrestricted=True)), 0
        )
        self.submit_new_ticket(
            browser,
            subject="Rows",
            text="<p>x</p>",
            cc=[("a@example.com", ""), ("", "")],
        )
        self.assertIn("Your ticket has been opened.", browser.contents)
        ticket = api.content.find(portal_type="Ticket", unrestricted=True)[
            0
        ]._unrestrictedGetObject()
        self.assertEqual(ticket.cc_recipients, [{"email": "a@example.com", "name": ""}])

    def test_files_are_kept_after_an_error(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_new_ticket(
            browser,
            subject="",
            text="<p>x</p>",
            files=[("a.pdf", PDF, "application/pdf")],
        )
        self.assertIn("Required input is missing.", browser.contents)
        self.assertIn("These files are already attached", browser.contents)
        self.assertIn("a.pdf", browser.contents)

    def test_open_ticket_is_the_primary_button(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@new-ticket")
        button = re.search(
            r"<button[^>]*>Open ticket</button>", browser.contents
        ).group(0)
        self.assertIn("btn-primary", button)

    def test_missing_subject_and_message_are_required(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_new_ticket(browser, subject="", text="")
        self.assertIn("There were some errors.", browser.contents)
        self.assertIn("Required input is missing.", browser.contents)

    def test_whitespace_message_is_refused(self):
        browser = browser_for(self.layer, CUSTOMER)
        self.submit_new_ticket(browser, subject="Blank", text="<p>&nbsp;</p>")
        self.assertIn("Write a message.", browser.contents)

    def test_missing_csrf_token_is_refused(self):
        browser = browser_for(self.layer, CUSTOMER)
        fields = new_ticket_fields("wrong-token", subject="Forged", text="<p>x</p>")
        post_multipart(browser, self.portal_url + "/@@new-ticket", fields)
        self.assertEqual(browser.headers["status"].split()[0], "403")
        self.assertEqual(
            len(api.content.find(portal_type="Ticket", unrestricted=True)), 0
        )

    def test_anonymous_is_sent_to_log_in(self):
        browser = browser_for(self.layer)
        browser.open(self.portal_url + "/@@new-ticket")
        self.assertIn("login", browser.url)


class TestTicketPage(ScreenTestCase):
    def test_conversation_and_reply_form(self):
        ticket = self.open_ticket_as_customer(
            attachments=[("notes.txt", b"hello", "text/plain")]
        )
        staff = browser_for(self.layer, STAFF)
        staff.open(ticket.absolute_url())
        self.assertIn("I cannot log in.", staff.contents)
        self.assertIn("Carla Customer", staff.contents)
        post_multipart(
            staff,
            ticket.absolute_url(),
            [
                ("_authenticator", authenticator(staff)),
                ("reply.widgets.text", "<p>Try resetting your password.</p>"),
                ("reply.widgets.text.mimeType", "text/html"),
                ("reply.widgets.attachments", ("howto.pdf", PDF, "application/pdf")),
                ("reply.widgets.attachments", ("shot.png", PNG, "image/png")),
                ("reply.buttons.save", "Send reply"),
            ],
        )
        self.assertIn("Your reply has been added.", staff.contents)
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(ticket.absolute_url())
        contents = customer.contents
        self.assertLess(
            contents.index("I cannot log in."), contents.index("Try resetting")
        )
        self.assertIn("Sam Staff", contents)
        self.assertIn("howto.pdf", contents)
        self.assertIn("shot.png", contents)
        reply = tickets.replies(ticket)[0]
        self.assertEqual(
            [a.filename for a in reply.attachments], ["howto.pdf", "shot.png"]
        )

    def test_empty_reply_shows_error(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        browser.getControl(name="reply.widgets.text").value = "<p> </p>"
        browser.getControl("Send reply").click()
        self.assertIn("Write a message.", browser.contents)
        self.assertEqual(len(tickets.conversation(ticket)), 1)

    def test_customer_closes_the_ticket_and_the_reply_form_disappears(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        self.assertNotIn("reopen-ticket", browser.contents)
        browser.getControl("Close ticket").click()
        self.assertIn("The ticket is now completed.", browser.contents)
        self.assertIn("Completed", browser.contents)
        self.assertNotIn("Send reply", browser.contents)
        self.assertNotIn("close-ticket", browser.contents)
        self.assertNotIn("reopen-ticket", browser.contents)
        browser.open(self.portal_url + "/@@my-tickets")
        self.assertIn("Completed", browser.contents)

    def test_staff_reopens(self):
        ticket = self.open_ticket_as_customer()
        with as_user(self.portal, CUSTOMER):
            tickets.close(ticket)
        transaction.commit()
        browser = browser_for(self.layer, STAFF)
        browser.open(ticket.absolute_url())
        browser.getControl("Reopen").click()
        self.assertIn("The ticket is in progress again.", browser.contents)
        self.assertIn("Send reply", browser.contents)

    def test_closing_twice_is_a_message_not_an_error(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        token = authenticator(browser)
        for _attempt in range(2):
            browser.post(
                ticket.absolute_url() + "/@@ticket-transition",
                f"transition=complete&_authenticator={token}",
            )
        self.assertIn("This ticket is already completed.", browser.contents)

    def test_transition_without_csrf_token_is_refused(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.post(
            ticket.absolute_url() + "/@@ticket-transition", "transition=complete"
        )
        self.assertEqual(browser.headers["status"].split()[0], "403")
        self.assertEqual(tickets.state(ticket), "in_progress")

    def test_reply_without_csrf_token_is_refused(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        for token in ("", "forged"):
            post_multipart(
                browser,
                ticket.absolute_url(),
                [
                    ("_authenticator", token),
                    ("reply.widgets.text", "<p>forged</p>"),
                    ("reply.widgets.text.mimeType", "text/html"),
                    ("reply.buttons.save", "Send reply"),
                ],
            )
            self.assertEqual(browser.headers["status"].split()[0], "403")
        transaction.begin()
        self.assertEqual(len(tickets.conversation(ticket)), 1)

    def test_reply_posted_to_a_completed_ticket_is_refused(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        token = authenticator(browser)
        with as_user(self.portal, CUSTOMER):
            tickets.close(ticket)
        transaction.commit()
        post_multipart(
            browser,
            ticket.absolute_url(),
            [
                ("_authenticator", token),
                ("reply.widgets.text", "<p>sneaky</p>"),
                ("reply.widgets.text.mimeType", "text/html"),
                ("reply.buttons.save", "Send reply"),
            ],
        )
        self.assertNotIn("Your reply has been added.", browser.contents)
        self.assertIn(
            "This ticket is completed: no more replies can be added.", browser.contents
        )
        self.assertEqual(len(tickets.conversation(ticket)), 1)


class TestDoubleSubmit(ScreenTestCase):
    def test_the_same_new_ticket_form_sent_twice_opens_one_ticket(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@new-ticket")
        submission_id = browser.getControl(name="form.widgets.submission_id").value
        self.assertEqual(len(submission_id), 32)
        fields = new_ticket_fields(
            authenticator(browser),
            subject="Clicked twice",
            text="<p>x</p>",
            submission_id=submission_id,
        )
        for _attempt in range(2):
            post_multipart(browser, self.portal_url + "/@@new-ticket", fields)
            self.assertIn("Your ticket has been opened.", browser.contents)
        transaction.begin()
        self.assertEqual(
            len(api.content.find(portal_type="Ticket", unrestricted=True)), 1
        )

    def test_the_same_reply_sent_twice_is_added_once(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        fields = [
            ("_authenticator", authenticator(browser)),
            (
                "reply.widgets.submission_id",
                browser.getControl(name="reply.widgets.submission_id").value,
            ),
            ("reply.widgets.text", "<p>Only once</p>"),
            ("reply.widgets.text.mimeType", "text/html"),
            ("reply.buttons.save", "Send reply"),
        ]
        for _attempt in range(2):
            post_multipart(browser, ticket.absolute_url(), fields)
        transaction.begin()
        self.assertEqual(len(tickets.conversation(ticket)), 2)
        # A new page is a new form: its reply is a new one.
        browser.open(ticket.absolute_url())
        browser.getControl(name="reply.widgets.text").value = "<p>Another</p>"
        browser.getControl("Send reply").click()
        transaction.begin()
        self.assertEqual(len(tickets.conversation(ticket)), 3)


class TestAccess(ScreenTestCase):
    def test_other_customer_and_anonymous_are_refused_everywhere(self):
        ticket = self.open_ticket_as_customer(
            attachments=[
                ("secret.pdf", PDF, "application/pdf"),
                ("shot.png", PNG, "image/png"),
            ]
        )
        with as_user(self.portal, STAFF):
            reply = tickets.reply(
                ticket, "<p>r</p>", [("r.pdf", PDF, "application/pdf")]
            )
        transaction.commit()
        urls = [
            ticket.absolute_url(),
            ticket.absolute_url() + "/ticket_view",
            ticket.absolute_url() + "/@@attachment/0/secret.pdf",
            ticket.absolute_url() + "/@@attachment/thumb/1",
            reply.absolute_url(),
            reply.absolute_url() + "/@@attachment/0/r.pdf",
        ]
        for who in (OTHER_CUSTOMER, None):
            browser = browser_for(self.layer, who)
            for url in urls:
                browser.open(url)
                if who is None:
                    self.assertIn("login", browser.url, url)
                else:
                    self.assertIn("insufficient-privileges", browser.url, url)
                self.assertNotIn("%PDF", browser.contents)
                self.assertNotIn("I cannot log in.", browser.contents)
            browser.post(
                ticket.absolute_url() + "/@@ticket-transition", "transition=complete"
            )
        self.assertEqual(tickets.state(ticket), "in_progress")

    def test_downloads_have_real_type_and_disposition(self):
        # A site that accepts HTML files still never serves them inline.
        api.portal.set_registry_record(
            "allowed_types",
            [*ITicketSettings["allowed_types"].default, "text/html"],
            interface=ITicketSettings,
        )
        ticket = self.open_ticket_as_customer(
            attachments=[
                ("secret.pdf", PDF, "application/pdf"),
                ("shot.png", PNG, "image/png"),
                ("page.html", b"<script>alert(1)</script>", "text/html"),
            ]
        )
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url() + "/@@attachment/0/secret.pdf")
        self.assertEqual(browser.headers["content-type"], "application/pdf")
        self.assertTrue(
            browser.headers["content-disposition"].startswith("attachment;")
        )
        self.assertEqual(
            browser.contents.encode()
            if isinstance(browser.contents, str)
            else browser.contents,
            PDF,
        )
        browser.open(ticket.absolute_url() + "/@@attachment/1/shot.png")
        self.assertEqual(browser.headers["content-type"], "image/png")
        self.assertTrue(browser.headers["content-disposition"].startswith("inline"))
        browser.open(ticket.absolute_url() + "/@@attachment/2/page.html")
        self.assertTrue(
            browser.headers["content-disposition"].startswith("attachment;")
        )
        self.assertEqual(browser.headers["x-content-type-options"], "nosniff")
        browser.open(ticket.absolute_url() + "/@@attachment/7/nothing")
        self.assertEqual(browser.headers["status"].split()[0], "404")

    def test_staff_sees_every_ticket(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, STAFF)
        browser.open(ticket.absolute_url())
        self.assertIn("I cannot log in.", browser.contents)
        self.assertIn("Close ticket", browser.contents)


class TestTicketChrome(ScreenTestCase):
    def test_editing_a_ticket_keeps_its_attachments(self):
        ticket = self.open_ticket_as_customer(
            attachments=[("a.pdf", PDF, "application/pdf")]
        )
        browser = browser_for(self.layer, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        browser.open(ticket.absolute_url() + "/@@edit")
        self.assertNotIn("form.widgets.attachments", browser.contents)
        browser.getControl(name="form.widgets.title").value = "Renamed"
        browser.getControl("Save").click()
        self.assertIn("Renamed", browser.contents)
        self.assertEqual([a.filename for a in ticket.attachments], ["a.pdf"])

    def test_breadcrumbs_lead_to_my_tickets_not_the_member_folder(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        breadcrumbs = browser.contents[
            browser.contents.index('id="portal-breadcrumbs"') :
        ]
        breadcrumbs = breadcrumbs[: breadcrumbs.index("</nav>")]
        self.assertIn("@@my-tickets", breadcrumbs)
        self.assertNotIn("/Members", breadcrumbs)
        staff = browser_for(self.layer, STAFF)
        staff.open(ticket.absolute_url())
        staff.getLink("Tickets overview", index=0).click()
        self.assertTrue(staff.url.endswith("/@@tickets"))

    def test_customers_get_the_member_menu_not_the_editing_toolbar(self):
        """On their tickets customers have Plone's member menu in the header
        (with My tickets and Log out), not the toolbar with its Add and State
        menus; the staff keep the toolbar, and customers keep it elsewhere."""
        ticket = self.open_ticket_as_customer()
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Seen</p>")
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        for url in (ticket.absolute_url(), ticket.absolute_url() + "/reply-1"):
            browser.open(url)
            self.assertNotIn('id="edit-zone"', browser.contents)
            self.assertNotIn("plone-contentmenu-workflow", browser.contents)
            menu = browser.contents[browser.contents.index('id="portal-membertools"') :]
            menu = menu[: menu.index("</ul>")]
            self.assertIn("Carla Customer", menu)
            self.assertIn("@@my-tickets", menu)
            self.assertIn("/logout", menu)
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.portal_url + "/@@my-tickets")
        self.assertIn('id="edit-zone"', customer.contents)
        staff = browser_for(self.layer, STAFF)
        staff.open(ticket.absolute_url())
        self.assertIn('id="edit-zone"', staff.contents)

    def test_the_staff_toolbar_on_a_ticket_keeps_only_the_actions_menu(self):
        """The content menu's "Add new", "State", "Display" and "Manage
        portlets" are left out on a ticket (the page's composer and buttons
        do what they offer); on other content the menus are Plone's."""
        ticket = self.open_ticket_as_customer()
        transaction.commit()
        left_out = ("factories", "workflow", "display", "portletmanager")
        for userid, password in ((STAFF, None), (SITE_OWNER_NAME, SITE_OWNER_PASSWORD)):
            browser = browser_for(self.layer, userid, password)
            browser.open(ticket.absolute_url())
            self.assertIn('id="edit-zone"', browser.contents)
            for menu in left_out:
                self.assertNotIn(f"plone-contentmenu-{menu}", browser.contents)
        self.assertIn("plone-contentmenu-actions", browser.contents)
        with api.env.adopt_roles(["Manager"]):
            document = api.content.create(
                container=self.portal, type="Document", id="doc", title="Doc"
            )
            folder = api.content.create(
                container=self.portal, type="Folder", id="folder", title="Folder"
            )
        transaction.commit()
        browser.open(document.absolute_url())
        self.assertIn("plone-contentmenu-workflow", browser.contents)
        browser.open(folder.absolute_url())
        self.assertIn("plone-contentmenu-factories", browser.contents)
        self.assertIn("plone-contentmenu-display", browser.contents)

    def test_add_menu_entry_leads_to_the_reply_form(self):
        ticket = self.open_ticket_as_customer()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url() + "/++add++TicketReply")
        self.assertEqual(browser.url, ticket.absolute_url() + "#ticket-reply")
        self.assertIn("Send reply", browser.contents)
        self.assertEqual(len(tickets.conversation(ticket)), 1)

    def test_reply_url_shows_the_reply_in_its_conversation(self):
        ticket = self.open_ticket_as_customer()
        with as_user(self.portal, STAFF):
            reply = tickets.reply(ticket, "<p>Seen</p>")
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(reply.absolute_url())
        self.assertEqual(browser.url, f"{ticket.absolute_url()}#{reply.getId()}")
        self.assertIn(f'id="{reply.getId()}"', browser.contents)
