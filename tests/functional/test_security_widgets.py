"""``++widget++`` URLs ask for the form's permissions before they answer.

plone.z3cform updates a form while traversing to one of its widgets, before
any permission is checked; without the add-on's traversers, anybody read a
ticket at ``<ticket>/@@edit/++widget++text`` and rewrote it by posting the
edit form there. Every form and field of our types is tried here as
anonymous, the other customer, the customer, the staff and a manager.
"""

from collective.tickets import api as tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import fetch
from plone import api

import transaction
import unittest


SUBJECT = "Secret subject 7731"
TEXT = "<p>Secret message 4402</p>"
CC = "secret-cc-9911@example.com"
REPLY = "<p>Secret reply 5518</p>"

# Where the first message and the CC list can be read, and what each answer
# would leak.
TICKET_EDIT_WIDGETS = {
    "title": "Secret subject 7731",
    "text": "Secret message 4402",
    "cc_recipients": CC,
    "form.widgets.cc_recipients": CC,
    "cc_recipients.0.widgets.email": CC,
}
REFUSED = (302, 401, 403)


class WidgetTraversalTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                SUBJECT, TEXT, cc=[{"email": CC, "name": "Cee"}]
            )
            self.reply = tickets.reply(self.ticket, REPLY)
        transaction.commit()
        self.ticket_url = self.ticket.absolute_url()
        self.reply_url = self.reply.absolute_url()

    def request(self, userid, url, data=None):
        return fetch(self.layer, userid, url, data)

    def assertRefused(self, userid, url, secrets=(), data=None):
        status, body = self.request(userid, url, data)
        self.assertIn(status, REFUSED, f"{userid} got {status} at {url}")
        for secret in secrets:
            self.assertNotIn(secret, body, f"{userid} read {secret!r} at {url}")

    def edit_post(self, prefix="form"):
        """What an attacker posts: the edit form's fields and its save button."""
        return {
            f"{prefix}.widgets.title": "Owned",
            f"{prefix}.widgets.text": "<p>Owned</p>",
            f"{prefix}.widgets.text.mimeType": "text/html",
            f"{prefix}.widgets.cc_recipients.count": "1",
            f"{prefix}.widgets.cc_recipients.0.widgets.email": "evil@example.com",
            f"{prefix}.widgets.cc_recipients.0.widgets.name": "Evil",
            f"{prefix}.buttons.save": "Save",
            f"{prefix}.buttons.add": "Open ticket",
        }

    def assertTicketUntouched(self):
        transaction.begin()
        ticket = self.portal.unrestrictedTraverse(self.ticket.getPhysicalPath())
        self.assertEqual(ticket.title, SUBJECT)
        self.assertEqual(ticket.text.raw, TEXT)
        self.assertEqual([row["email"] for row in ticket.cc_recipients], [CC])
        reply = ticket[self.reply.getId()]
        self.assertEqual(reply.text.raw, REPLY)
        self.assertEqual(len(tickets.replies(ticket)), 1)
        # Opening an edit form takes a WebDAV lock where the type locks.
        self.assertFalse(ticket.wl_isLocked(), "the ticket was locked")
        self.assertFalse(reply.wl_isLocked(), "the reply was locked")


class TestEditFormWidgets(WidgetTraversalTestCase):
    def test_nobody_without_modify_reads_a_ticket_through_edit_widgets(self):
        for userid in (None, OTHER_CUSTOMER, CUSTOMER, STAFF):
            for view in ("@@edit", "edit"):
                for name, secret in TICKET_EDIT_WIDGETS.items():
                    with self.subTest(user=userid, view=view, widget=name):
                        self.assertRefused(
                            userid,
                            f"{self.ticket_url}/{view}/++widget++{name}",
                            secrets=[secret, SUBJECT],
                        )

    def test_nobody_without_modify_reads_a_reply_through_edit_widgets(self):
        for userid in (None, OTHER_CUSTOMER, CUSTOMER, STAFF):
            for view in ("@@edit", "edit"):
                with self.subTest(user=userid, view=view):
                    self.assertRefused(
                        userid,
                        f"{self.reply_url}/{view}/++widget++text",
                        secrets=["Secret reply 5518"],
                    )

    def test_nobody_without_modify_rewrites_a_ticket_through_a_widget_url(self):
        for userid in (None, OTHER_CUSTOMER, CUSTOMER, STAFF):
            for name in ("text", "title", "cc_recipients"):
                with self.subTest(user=userid, widget=name):
                    self.assertRefused(
                        userid,
                        f"{self.ticket_url}/@@edit/++widget++{name}",
                        data=self.edit_post(),
                    )
                    self.assertTicketUntouched()

    def test_nobody_without_modify_rewrites_a_reply_through_a_widget_url(self):
        for userid in (None, OTHER_CUSTOMER, CUSTOMER, STAFF):
            with self.subTest(user=userid):
                self.assertRefused(
                    userid,
                    f"{self.reply_url}/@@edit/++widget++text",
                    data=self.edit_post(),
                )
                self.assertTicketUntouched()

    def test_manager_reads_edit_widgets_but_a_widget_url_saves_nothing(self):
        status, body = self.request(MANAGER, f"{self.ticket_url}/@@edit/++widget++text")
        self.assertEqual(status, 200)
        self.assertIn("Secret message 4402", body)
        status, body = self.request(
            MANAGER,
            f"{self.ticket_url}/@@edit/++widget++cc_recipients",
        )
        self.assertEqual(status, 200)
        self.assertIn(CC, body)
        for url in (
            f"{self.ticket_url}/@@edit/++widget++text",
            f"{self.reply_url}/@@edit/++widget++text",
        ):
            status, _ = self.request(MANAGER, url, data=self.edit_post())
            self.assertEqual(status, 200)
            self.assertTicketUntouched()


class TestAddFormWidgets(WidgetTraversalTestCase):
    def test_reply_add_form_widgets_refused_to_anonymous_and_other_customer(self):
        for userid in (None, OTHER_CUSTOMER):
            for name in ("text", "attachments"):
                with self.subTest(user=userid, widget=name):
                    self.assertRefused(
                        userid, f"{self.ticket_url}/++add++TicketReply/++widget++{name}"
                    )

    def test_reply_add_form_widget_url_never_adds_a_reply(self):
        data = {
            "form.widgets.text": "<p>Injected</p>",
            "form.widgets.text.mimeType": "text/html",
            "form.buttons.save": "Save",
        }
        for userid in (None, OTHER_CUSTOMER, CUSTOMER, STAFF, MANAGER):
            with self.subTest(user=userid):
                self.request(
                    userid,
                    f"{self.ticket_url}/++add++TicketReply/++widget++text",
                    data=data,
                )
                self.assertTicketUntouched()

    def test_ticket_add_form_widgets_refused_in_another_customers_folder(self):
        folder_url = tickets.member_folder(CUSTOMER).absolute_url()
        for userid in (None, OTHER_CUSTOMER):
            for name in ("title", "text", "cc_recipients"):
                with self.subTest(user=userid, widget=name):
                    self.assertRefused(
                        userid, f"{folder_url}/++add++Ticket/++widget++{name}"
                    )

    def test_ticket_add_form_widget_url_never_adds_a_ticket(self):
        folder_url = tickets.member_folder(CUSTOMER).absolute_url()
        for userid in (None, OTHER_CUSTOMER, CUSTOMER, MANAGER):
            with self.subTest(user=userid):
                self.request(
                    userid,
                    f"{folder_url}/++add++Ticket/++widget++title",
                    data=self.edit_post(),
                )
                transaction.begin()
                self.assertEqual(len(tickets.tickets_of(CUSTOMER)), 1)


class TestOwnFormWidgets(WidgetTraversalTestCase):
    def test_new_ticket_form_widgets_refused_to_anonymous(self):
        for name in ("title", "text", "cc_recipients", "attachments"):
            with self.subTest(widget=name):
                self.assertRefused(
                    None, f"{self.portal_url}/@@new-ticket/++widget++{name}"
                )

    def test_new_ticket_form_widgets_answer_members_without_opening_a_ticket(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER, STAFF):
            with self.subTest(user=userid):
                status, _ = self.request(
                    userid,
                    f"{self.portal_url}/@@new-ticket/++widget++title",
                    data=self.edit_post(),
                )
                # The widget answers, as it does to the form's own scripts...
                self.assertEqual(status, 200)
                transaction.begin()
                # ...but no ticket was opened by reaching it.
                catalog = api.portal.get_tool("portal_catalog")
                self.assertEqual(
                    len(catalog.unrestrictedSearchResults(portal_type="Ticket")), 1
                )

    def test_settings_form_widgets_refused_to_customers_and_staff(self):
        for userid in (None, CUSTOMER, STAFF):
            with self.subTest(user=userid):
                self.assertRefused(
                    userid,
                    f"{self.portal_url}/@@tickets-controlpanel/++widget++staff_email",
                )


class TestSiteWideProtection(unittest.TestCase):
    """A private core Document leaked the same way; the setting closes it."""

    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with api.env.adopt_roles(["Manager"]):
            self.document = api.content.create(
                container=self.portal,
                type="Document",
                id="private-doc",
                title="Private document",
                text="<p>Private words 6160</p>",
            )
        transaction.commit()
        self.url = (
            self.document.absolute_url() + "/@@edit/++widget++IRichTextBehavior.text"
        )

    def read_anonymously(self):
        return fetch(self.layer, None, self.url)

    def test_anonymous_cannot_read_a_private_document_through_a_widget(self):
        status, body = self.read_anonymously()
        self.assertIn(status, REFUSED)
        self.assertNotIn("Private words 6160", body)

    def test_the_setting_off_leaves_other_content_to_plone(self):
        api.portal.set_registry_record(
            "protect_widget_traversal", False, interface=ITicketSettings
        )
        transaction.commit()
        status, body = self.read_anonymously()
        # Plone's own behaviour, which the setting exists to change.
        self.assertEqual(status, 200)
        self.assertIn("Private words 6160", body)

    def test_the_setting_off_still_protects_tickets(self):
        api.portal.set_registry_record(
            "protect_widget_traversal", False, interface=ITicketSettings
        )
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(SUBJECT, TEXT)
        transaction.commit()
        status, body = fetch(
            self.layer, None, ticket.absolute_url() + "/@@edit/++widget++text"
        )
        self.assertIn(status, REFUSED)
        self.assertNotIn("Secret message 4402", body)
