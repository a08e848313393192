"""One customer must not get the list of the others.

Plone lets every member search the site's users: the user and principal
vocabularies (REST ``@vocabularies``, ``@@getVocabulary``, the Creator values
of ``@@qsOptions`` and ``@querystring``), the sharing page's search (and its
REST twin), the member search form and the author pages with their contact
form. With ``restrict_user_listing`` on (the default) only the staff search
users; a customer sees themselves. With it off Plone's behaviour is back.
Everything is asked over HTTP as anonymous, both customers, staff and a site
administrator.
"""

from collective.tickets import api as tickets
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import browser_for
from helpers import fetch
from plone import api

import transaction
import unittest


# What a listing must not show a customer about the other one, and the
# reverse.
OTHER = ("customer2", "Otto Other")
CARLA = ("customer1", "Carla Customer")
REFUSED = (302, 401, 403, 404)

USER_VOCABULARIES = (
    "plone.app.vocabularies.Users",
    "plone.app.vocabularies.Principals",
)
GROUPS = "plone.app.vocabularies.Groups"


class PrivacyTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url()
        # Both customers have a ticket, so a member folder and an author page
        # that lists something.
        for userid in (CUSTOMER, OTHER_CUSTOMER):
            with as_user(self.portal, userid):
                tickets.create(f"Ticket of {userid}", "<p>Help</p>")
        transaction.commit()

    def restrict(self, value):
        api.portal.set_registry_record(
            "restrict_user_listing", value, interface=ITicketSettings
        )
        transaction.commit()

    def get(self, userid, path, json=False, data=None):
        return fetch(self.layer, userid, f"{self.url}/{path}", data=data, json=json)

    def assertHidden(self, userid, path, secrets, json=False, data=None):
        """The answer is a refusal or a listing without ``secrets``."""
        status, body = self.get(userid, path, json=json, data=data)
        self.assertLess(status, 500, f"{userid} broke {path}: {body[:300]}")
        for secret in secrets:
            self.assertNotIn(secret, body, f"{userid} read {secret!r} at {path}")
        return status, body

    def assertShown(self, userid, path, secrets, json=False, data=None):
        status, body = self.get(userid, path, json=json, data=data)
        self.assertEqual(status, 200, f"{userid} got {status} at {path}")
        for secret in secrets:
            self.assertIn(secret, body, f"{userid} missed {secret!r} at {path}")
        return body

    def vocabulary_paths(self, name, search):
        return [
            (f"@vocabularies/{name}?title={search}", True),
            (f"@@getVocabulary?name={name}&query={search}", False),
        ]


class TestVocabularies(PrivacyTestCase):
    def test_customers_do_not_find_each_other_in_user_vocabularies(self):
        for userid, secrets, search in (
            (CUSTOMER, OTHER, "Otto"),
            (OTHER_CUSTOMER, CARLA, "Carla"),
            (None, OTHER, "Otto"),
        ):
            for name in USER_VOCABULARIES:
                for path, json in self.vocabulary_paths(name, search):
                    with self.subTest(user=userid, path=path):
                        self.assertHidden(userid, path, secrets, json=json)

    def test_customers_do_not_list_every_user_with_an_empty_search(self):
        for name in USER_VOCABULARIES:
            for path, json in self.vocabulary_paths(name, ""):
                with self.subTest(path=path):
                    self.assertHidden(CUSTOMER, path, OTHER + ("staff1",), json=json)

    def test_customer_cannot_resolve_another_users_token(self):
        for token in ("customer2", "user__customer2"):
            for name in USER_VOCABULARIES:
                path = f"@vocabularies/{name}?token={token}"
                with self.subTest(path=path):
                    self.assertHidden(CUSTOMER, path, ("Otto Other",), json=True)

    def test_customer_finds_only_themselves_in_the_users_vocabulary(self):
        body = self.assertShown(
            CUSTOMER,
            "@vocabularies/plone.app.vocabularies.Users?title=Carla",
            CARLA,
            json=True,
        )
        self.assertNotIn("customer2", body)

    def test_customers_do_not_list_the_sites_groups(self):
        for userid in (None, CUSTOMER, OTHER_CUSTOMER):
            for path, json in self.vocabulary_paths(GROUPS, ""):
                with self.subTest(user=userid, path=path):
                    self.assertHidden(
                        userid, path, ("ticket-staff", "Site Administrators"), json=json
                    )

    def test_customers_do_not_get_creators_from_the_querystring_options(self):
        for userid in (None, CUSTOMER, OTHER_CUSTOMER):
            for path, json in (("@@qsOptions", False), ("@querystring", True)):
                with self.subTest(user=userid, path=path):
                    secrets = (
                        ("Otto Other",) if userid != OTHER_CUSTOMER else ("Carla",)
                    )
                    self.assertHidden(userid, path, secrets + ("Sam Staff",), json=json)

    def test_staff_search_every_user_and_group(self):
        for userid in (STAFF, SITE_ADMIN):
            for name in USER_VOCABULARIES:
                for path, json in self.vocabulary_paths(name, "Otto"):
                    with self.subTest(user=userid, path=path):
                        self.assertShown(userid, path, OTHER, json=json)
            for path, json in self.vocabulary_paths(GROUPS, ""):
                with self.subTest(user=userid, path=path):
                    self.assertShown(userid, path, ("ticket-staff",), json=json)
            for path, json in (("@@qsOptions", False), ("@querystring", True)):
                with self.subTest(user=userid, path=path):
                    self.assertShown(userid, path, ("Otto Other",), json=json)

    def test_with_the_setting_off_customers_search_users_as_in_plone(self):
        self.restrict(False)
        for name in USER_VOCABULARIES:
            for path, json in self.vocabulary_paths(name, "Otto"):
                with self.subTest(path=path):
                    self.assertShown(CUSTOMER, path, OTHER, json=json)
        for path, json in self.vocabulary_paths(GROUPS, ""):
            with self.subTest(path=path):
                self.assertShown(CUSTOMER, path, ("ticket-staff",), json=json)
        self.assertShown(CUSTOMER, "@@qsOptions", ("Otto Other",))


class TestAuthorPages(PrivacyTestCase):
    def test_customers_cannot_open_another_users_author_page(self):
        for userid, secrets, other in (
            (CUSTOMER, ("Otto Other",), OTHER_CUSTOMER),
            (OTHER_CUSTOMER, ("Carla Customer",), CUSTOMER),
            (CUSTOMER, ("Sam Staff",), STAFF),
            (None, ("Otto Other",), OTHER_CUSTOMER),
        ):
            for view in ("author", "@@author"):
                path = f"{view}/{other}"
                with self.subTest(user=userid, path=path):
                    status, _ = self.assertHidden(userid, path, secrets)
                    self.assertIn(status, REFUSED)

    def test_customer_opens_their_own_author_page(self):
        self.assertShown(CUSTOMER, f"author/{CUSTOMER}", ("Carla Customer",))

    def mail_through_author_form(self, path):
        """Post the author page's contact form addressed to the other
        customer; (status, whether a mail went to them)."""
        SENT_MAIL.clear()
        data = {
            "form.widgets.author": OTHER_CUSTOMER,
            "form.widgets.referer": self.url,
            "form.widgets.subject": "Hello",
            "form.widgets.message": "Who are you?",
            "form.buttons.send": "Send",
        }
        status, _ = self.assertHidden(CUSTOMER, path, (), data=data)
        mailed = any(
            "customer2@example.com" in (m.decode() if isinstance(m, bytes) else str(m))
            for m in SENT_MAIL
        )
        return status, mailed

    def test_customer_cannot_mail_another_user_through_the_author_form(self):
        for path in (f"author/{CUSTOMER}", "author", f"author/{OTHER_CUSTOMER}"):
            with self.subTest(path=path):
                status, mailed = self.mail_through_author_form(path)
                self.assertIn(status, REFUSED)
                self.assertFalse(mailed, f"a mail went to the other customer at {path}")

    def test_with_the_setting_off_the_author_form_mails_as_in_plone(self):
        self.restrict(False)
        status, mailed = self.mail_through_author_form(f"author/{OTHER_CUSTOMER}")
        self.assertTrue(mailed)

    def test_staff_open_every_author_page(self):
        for userid in (STAFF, SITE_ADMIN):
            with self.subTest(user=userid):
                self.assertShown(userid, f"author/{OTHER_CUSTOMER}", ("Otto Other",))

    def test_with_the_setting_off_customers_open_author_pages_as_in_plone(self):
        self.restrict(False)
        self.assertShown(CUSTOMER, f"author/{OTHER_CUSTOMER}", ("Otto Other",))


class TestSharingAndMemberSearch(PrivacyTestCase):
    def sharing_paths(self, search):
        folder = f"Members/{CUSTOMER}"
        return [
            (f"{folder}/@@sharing?search_term={search}", False),
            (f"{folder}/@sharing?search={search}", True),
        ]

    def test_customer_finds_nobody_on_the_sharing_page_of_their_folder(self):
        for path, json in self.sharing_paths("Otto"):
            with self.subTest(path=path):
                status, _ = self.assertHidden(CUSTOMER, path, OTHER, json=json)
        # The page itself still works: the customer owns the folder.
        self.assertShown(CUSTOMER, f"Members/{CUSTOMER}/@@sharing", ("Carla",))

    def test_site_administrator_searches_users_on_the_sharing_page(self):
        for path, json in self.sharing_paths("Otto"):
            with self.subTest(path=path):
                self.assertShown(SITE_ADMIN, path, ("Otto Other",), json=json)

    def test_with_the_setting_off_the_sharing_page_finds_users_as_in_plone(self):
        self.restrict(False)
        for path, json in self.sharing_paths("Otto"):
            with self.subTest(path=path):
                self.assertShown(CUSTOMER, path, ("Otto Other",), json=json)

    def search_members(self, userid, name):
        browser = browser_for(self.layer, userid)
        browser.open(f"{self.url}/@@member-search")
        browser.getControl(name="form.widgets.fullname").value = name
        browser.getControl(name="form.buttons.search").click()
        return browser

    def test_customers_cannot_search_members(self):
        query = "form.widgets.fullname=Otto&form.buttons.search=Search"
        for userid in (None, CUSTOMER, OTHER_CUSTOMER):
            for path in ("@@member-search", f"@@member-search?{query}"):
                with self.subTest(user=userid, path=path):
                    status, _ = self.assertHidden(userid, path, OTHER)
                    self.assertIn(status, REFUSED)

    def test_staff_search_members(self):
        browser = self.search_members(STAFF, "Otto")
        self.assertIn("Otto Other", browser.contents)

    def test_with_the_setting_off_customers_search_members_as_in_plone(self):
        self.restrict(False)
        browser = self.search_members(CUSTOMER, "Otto")
        self.assertIn("Otto Other", browser.contents)


class TestAlreadyClosed(PrivacyTestCase):
    """Plone refuses these to customers by permission already; they stay so."""

    def test_customers_cannot_query_users_groups_or_principals_over_rest(self):
        for userid in (None, CUSTOMER):
            for path in (
                "@users?query=Otto",
                f"@users/{OTHER_CUSTOMER}",
                "@groups",
                "@principals?search=Otto",
            ):
                with self.subTest(user=userid, path=path):
                    status, _ = self.assertHidden(userid, path, OTHER, json=True)
                    self.assertIn(status, REFUSED)

    def test_customers_cannot_open_the_users_control_panel(self):
        for userid in (None, CUSTOMER, STAFF):
            with self.subTest(user=userid):
                status, _ = self.assertHidden(
                    userid, "@@usergroup-userprefs?searchstring=Otto", OTHER
                )
                self.assertIn(status, REFUSED)


class TestWithoutTheAddonsLayer(unittest.TestCase):
    """The vocabularies are replaced for the whole Zope process; a Plone site
    without the add-on (no browser layer on its requests) keeps Plone's."""

    from collective.tickets.testing import INTEGRATION_TESTING as layer

    def users(self):
        from zope.component import getUtility
        from zope.schema.interfaces import IVocabularyFactory

        factory = getUtility(IVocabularyFactory, "plone.app.vocabularies.Users")
        with as_user(self.layer["portal"], CUSTOMER):
            return [term.value for term in factory(self.layer["portal"], "")]

    def test_vocabulary_is_plones_on_requests_without_the_layer(self):
        from collective.tickets.interfaces import ICollectiveTicketsLayer
        from zope.interface import noLongerProvides

        noLongerProvides(self.layer["request"], ICollectiveTicketsLayer)
        self.assertIn(OTHER_CUSTOMER, self.users())

    def test_vocabulary_is_restricted_on_requests_with_the_layer(self):
        from collective.tickets.interfaces import ICollectiveTicketsLayer
        from zope.interface import alsoProvides

        alsoProvides(self.layer["request"], ICollectiveTicketsLayer)
        self.assertEqual(self.users(), [CUSTOMER])
