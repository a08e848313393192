"""Who a message seems to come from, and what a ticket or a member folder
gives away: impersonation of the staff, ticket subjects through public
helper views, and content other than tickets in member folders."""

from collective.tickets import api as tickets
from collective.tickets.core.people import display_name
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import PASSWORD
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from collective.tickets.upgrades.v1001 import upgrade
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import post_multipart
from plone import api
from unittest import mock
from zExceptions import Unauthorized

import base64
import json
import re
import transaction
import unittest


def rest(layer, method, url, userid=None, body=None):
    """A JSON request to plone.restapi; the webtest response."""
    headers = {"Accept": "application/json"}
    if userid:
        token = base64.b64encode(f"{userid}:{PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    app = browser_for(layer).testapp
    call = getattr(app, f"{method.lower()}_json")
    return call(url, body or {}, headers=headers, expect_errors=True)


def text(browser):
    body = browser.contents
    return body if isinstance(body, str) else body.decode("utf-8", "replace")


class IdentityTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.portal_url = self.portal.absolute_url()

    def ticket_of(self, userid, subject="Secret subject 4711"):
        with as_user(self.portal, userid):
            ticket = tickets.create(subject, "<p>Private text</p>")
        transaction.commit()
        return ticket

    def stored_name(self, userid=CUSTOMER):
        return api.user.get(userid=userid).getProperty("ticket_display_name")


class TestNamesOnTheProfileForm(IdentityTestCase):
    def save_name(self, userid, value, editor=None, field="ticket_display_name"):
        browser = browser_for(self.layer, editor or userid)
        if editor:
            browser.open(f"{self.portal_url}/@@user-information?userid={userid}")
        else:
            browser.open(self.portal_url + "/@@personal-information")
        browser.getControl(name=f"form.widgets.{field}").value = value
        browser.getControl("Save").click()
        transaction.begin()
        return browser

    def test_customer_cannot_take_a_staff_members_name(self):
        for value in ("Sam Staff", "  sam   STAFF ", "Ｓａｍ Ｓｔａｆｆ", "SAM STAFF"):
            browser = self.save_name(CUSTOMER, value)
            self.assertIn("is the name of the support team", browser.contents, value)
            self.assertFalse(self.stored_name(), value)
        browser = self.save_name(CUSTOMER, "ACME Ltd.")
        self.assertIn("Changes saved", browser.contents)
        self.assertEqual(self.stored_name(), "ACME Ltd.")

    def test_customer_cannot_take_a_staff_members_display_name(self):
        api.user.get(userid=STAFF).setMemberProperties(
            {"ticket_display_name": "Sam from Support"}
        )
        transaction.commit()
        browser = self.save_name(CUSTOMER, "SAM FROM SUPPORT")
        self.assertIn("is the name of the support team", browser.contents)
        self.assertFalse(self.stored_name())

    def test_customer_cannot_take_the_site_or_mail_sender_name(self):
        for value in (self.portal.Title(), "helpdesk"):
            browser = self.save_name(CUSTOMER, value)
            self.assertIn("is the name of the support team", browser.contents)
            self.assertFalse(self.stored_name())

    def test_customer_cannot_take_a_staff_name_as_full_name(self):
        browser = self.save_name(CUSTOMER, "Max Manager", field="fullname")
        self.assertIn("is the name of the support team", browser.contents)
        self.assertEqual(
            api.user.get(userid=CUSTOMER).getProperty("fullname"), "Carla Customer"
        )

    def test_bidi_and_control_characters_are_refused(self):
        for value in ("ACME\u202eLtd", "ACME\u2066Ltd", "ACME\x07Ltd", "A\u200fB"):
            browser = self.save_name(CUSTOMER, value)
            self.assertIn("text-direction control characters", browser.contents)
            self.assertFalse(self.stored_name(), repr(value))

    def test_markup_is_refused(self):
        browser = self.save_name(CUSTOMER, "<b>Support</b>")
        self.assertIn("may not contain the characters", browser.contents)
        self.assertFalse(self.stored_name())

    def test_staff_member_may_keep_their_own_name_but_no_control_characters(self):
        browser = self.save_name(STAFF, "sam staff")
        self.assertIn("Changes saved", browser.contents)
        self.assertEqual(self.stored_name(STAFF), "sam staff")
        browser = self.save_name(STAFF, "Sam\u202eStaff")
        self.assertIn("text-direction control characters", browser.contents)

    def test_user_admin_cannot_give_a_customer_a_staff_name(self):
        browser = self.save_name(CUSTOMER, "Sue Admin", editor=SITE_ADMIN)
        self.assertIn("is the name of the support team", browser.contents)
        self.assertFalse(self.stored_name())
        browser = self.save_name(STAFF, "Helpdesk", editor=SITE_ADMIN)
        self.assertIn("Changes saved", browser.contents)
        self.assertEqual(self.stored_name(STAFF), "Helpdesk")

    def test_new_user_form_refuses_a_staff_name(self):
        browser = browser_for(self.layer, SITE_ADMIN)
        browser.open(self.portal_url + "/@@new-user")
        browser.getControl(name="form.widgets.fullname").value = "Sam  Staff"
        browser.getControl(name="form.widgets.username").value = "mallory"
        browser.getControl(name="form.widgets.email").value = "mallory@example.com"
        browser.getControl(name="form.widgets.password").value = PASSWORD
        browser.getControl(name="form.widgets.password_ctl").value = PASSWORD
        browser.getControl(name="form.buttons.register").click()
        self.assertIn("is the name of the support team", browser.contents)
        transaction.begin()
        self.assertIsNone(api.user.get(userid="mallory"))


class TestNamesThroughRest(IdentityTestCase):
    def test_customer_cannot_patch_a_staff_name_or_control_characters(self):
        url = f"{self.portal_url}/@users/{CUSTOMER}"
        for body, words in (
            ({"ticket_display_name": "sam staff"}, "support team"),
            ({"fullname": "Sam Staff"}, "support team"),
            ({"ticket_display_name": "ACME\u202eLtd"}, "control characters"),
            ({"ticket_display_name": "<img src=x>"}, "< or >"),
        ):
            response = rest(self.layer, "PATCH", url, CUSTOMER, body)
            self.assertEqual(response.status_int, 400, body)
            (problem,) = json.loads(response.json["message"])
            self.assertEqual(problem["field"], next(iter(body)))
            self.assertIn(words, problem["message"])
        transaction.begin()
        user = api.user.get(userid=CUSTOMER)
        self.assertFalse(user.getProperty("ticket_display_name"))
        self.assertEqual(user.getProperty("fullname"), "Carla Customer")
        response = rest(
            self.layer, "PATCH", url, CUSTOMER, {"ticket_display_name": "ACME"}
        )
        self.assertEqual(response.status_int, 204)
        # Nobody else learns whether a name is a staff name.
        body = {"ticket_display_name": "Sam Staff"}
        self.assertEqual(rest(self.layer, "PATCH", url, None, body).status_int, 401)
        response = rest(self.layer, "PATCH", url, OTHER_CUSTOMER, body)
        self.assertEqual(response.status_int, 403)

    def test_manager_cannot_create_a_customer_with_a_staff_name(self):
        response = rest(
            self.layer,
            "POST",
            self.portal_url + "/@users",
            MANAGER,
            {
                "username": "mallory",
                "email": "mallory@example.com",
                "password": PASSWORD,
                "fullname": "Sam Staff",
            },
        )
        self.assertEqual(response.status_int, 400)
        transaction.begin()
        self.assertIsNone(api.user.get(userid="mallory"))


class TestNamesShown(IdentityTestCase):
    def test_a_stored_name_that_breaks_the_rules_is_not_shown(self):
        user = api.user.get(userid=CUSTOMER)
        with mock.patch("collective.tickets.core.people.getRequest", return_value=None):
            for value in ("Sam Staff", "ACME\u202eLtd", "<b>x</b>", "HELPDESK"):
                user.setMemberProperties({"ticket_display_name": value})
                self.assertEqual(display_name(CUSTOMER), "Carla Customer", value)
            user.setMemberProperties(
                {"ticket_display_name": "Sam Staff", "fullname": "Sam Staff"}
            )
            self.assertEqual(display_name(CUSTOMER), CUSTOMER)
            staff = api.user.get(userid=STAFF)
            staff.setMemberProperties({"ticket_display_name": "Helpdesk"})
            self.assertEqual(display_name(STAFF), "Helpdesk")

    def test_staff_messages_carry_a_support_badge_no_name_can_fake(self):
        api.user.get(userid=CUSTOMER).setMemberProperties(
            {"ticket_display_name": "Support"}
        )
        ticket = self.ticket_of(CUSTOMER)
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>We are on it.</p>")
        with as_user(self.portal, CUSTOMER):
            tickets.reply(ticket, "<p>Thanks.</p>")
        transaction.commit()
        for userid in (CUSTOMER, STAFF):
            browser = browser_for(self.layer, userid)
            browser.open(ticket.absolute_url())
            headers = re.findall(
                r'class="message-author">([^<]*)</strong>\s*(<span[^>]*staff-badge)?',
                browser.contents,
            )
            self.assertEqual(
                [(name, bool(badge)) for name, badge in headers],
                [("Support", False), ("Sam Staff", True), ("Support", False)],
            )


class TestTicketsThroughPublicViews(IdentityTestCase):
    PATHS = (
        "/@@breadcrumbs_view/breadcrumbs",
        "/@@plone_context_state/object_title",
        "/@@plone_context_state/current_page_url",
    )

    def setUp(self):
        super().setUp()
        self.ticket = self.ticket_of(CUSTOMER)
        with as_user(self.portal, CUSTOMER):
            self.reply = tickets.reply(self.ticket, "<p>More</p>")
        transaction.commit()

    def fetch(self, userid, url):
        browser = browser_for(self.layer, userid)
        browser.open(url)
        return browser

    def test_anonymous_and_other_customer_get_nothing_of_a_ticket_or_reply(self):
        for obj in (self.ticket, self.reply):
            for path in self.PATHS + ("", "/@@attachment/0/x"):
                for userid in (None, OTHER_CUSTOMER):
                    url = obj.absolute_url() + path
                    browser = self.fetch(userid, url)
                    where = f"{userid} {obj.getId()}{path}"
                    self.assertNotIn("Secret subject 4711", text(browser), where)
                    # Sent to log in, or told they lack the privileges there.
                    self.assertRegex(
                        browser.url, r"/login\?|/insufficient-privileges", where
                    )
        # While the customer and the staff keep their breadcrumbs.
        for userid in (CUSTOMER, STAFF):
            for obj in (self.ticket, self.reply):
                url = obj.absolute_url() + "/@@breadcrumbs_view/breadcrumbs"
                browser = self.fetch(userid, url)
                self.assertIn("Secret subject 4711", text(browser), userid)


class TestMemberFolders(IdentityTestCase):
    TYPES = ("Document", "File", "Folder", "Event", "Link", "Image", "News Item")

    def setUp(self):
        super().setUp()
        self.ticket_of(CUSTOMER)
        self.folder = tickets.member_folder(CUSTOMER)
        self.folder_url = self.folder.absolute_url()

    def test_only_staff_roles_add_other_content_by_any_path(self):
        for type_name in self.TYPES:
            browser = browser_for(self.layer, CUSTOMER)
            for path in (f"++add++{type_name}", f"createObject?type_name={type_name}"):
                browser.open(f"{self.folder_url}/{path}")
                body = browser.contents
                body = (
                    body if isinstance(body, str) else body.decode("utf-8", "replace")
                )
                self.assertNotIn("form.buttons.save", body, path)
            response = rest(
                self.layer,
                "POST",
                self.folder_url,
                CUSTOMER,
                {"@type": type_name, "title": "Evil", "remoteUrl": "javascript:x()"},
            )
            self.assertIn(response.status_int, (400, 401, 403), type_name)
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.folder_url + "/folder_factories")
        self.assertNotIn("++add++Document", browser.contents)
        transaction.begin()
        self.assertEqual(
            [o.portal_type for o in self.folder.objectValues()], ["Ticket"]
        )
        with as_user(self.portal, CUSTOMER):
            allowed = [t.getId() for t in self.folder.allowedContentTypes()]
        self.assertEqual([t for t in allowed if t != "Ticket"], [])
        for userid in (SITE_ADMIN, MANAGER):
            response = rest(
                self.layer,
                "POST",
                self.folder_url,
                userid,
                {"@type": "Document", "title": f"Page by {userid}"},
            )
            self.assertEqual(response.status_int, 201, userid)

    def test_customer_still_opens_tickets_by_form_api_and_rest(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal_url + "/@@new-ticket")
        post_multipart(
            browser,
            self.portal_url + "/@@new-ticket",
            new_ticket_fields(authenticator(browser), "By form", "<p>x</p>"),
        )
        response = rest(
            self.layer,
            "POST",
            self.portal_url + "/@tickets",
            CUSTOMER,
            {"title": "By REST", "text": "<p>x</p>"},
        )
        self.assertEqual(response.status_int, 201, response.body)
        transaction.begin()
        with as_user(self.portal, CUSTOMER):
            tickets.create("By API", "<p>x</p>")
        transaction.commit()
        titles = sorted(
            o.Title() for o in self.folder.objectValues() if o.portal_type == "Ticket"
        )
        self.assertEqual(
            titles, ["By API", "By REST", "By form", "Secret subject 4711"]
        )
        with as_user(self.portal, CUSTOMER), self.assertRaises(Unauthorized):
            self.folder.invokeFactory("Document", "evil-page")

    def test_upgrade_restricts_member_folders_made_before(self):
        permission = "plone.app.contenttypes: Add Document"
        self.folder.manage_permission(permission, roles=(), acquire=True)
        with as_user(self.portal, CUSTOMER):
            self.assertTrue(api.user.has_permission(permission, obj=self.folder))
        upgrade(self.portal.portal_setup)
        with as_user(self.portal, CUSTOMER):
            self.assertFalse(api.user.has_permission(permission, obj=self.folder))
        self.assertTrue(
            api.user.has_permission(permission, username=MANAGER, obj=self.folder)
        )
