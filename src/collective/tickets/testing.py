"""Test layers of collective.tickets, with the users every test speaks of."""

from plone import api
from plone.app.testing import applyProfile
from plone.app.testing import FunctionalTesting
from plone.app.testing import IntegrationTesting
from plone.app.testing import PLONE_FIXTURE
from plone.app.testing import PloneSandboxLayer
from plone.app.testing import setRoles
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import TEST_USER_ID
from plone.testing import zope as zope_testing
from Products.CMFPlone.tests.utils import MockMailHost
from Products.MailHost.interfaces import IMailHost
from zope.component import getSiteManager


PASSWORD = "secret-Pa55word"
CUSTOMER = "customer1"
OTHER_CUSTOMER = "customer2"
STAFF = "staff1"
SITE_ADMIN = "siteadmin1"
MANAGER = "manager1"
CC_MEMBER = "ccmember1"
USERS = {
    CUSTOMER: {"email": "customer1@example.com", "fullname": "Carla Customer"},
    OTHER_CUSTOMER: {"email": "customer2@example.com", "fullname": "Otto Other"},
    STAFF: {"email": "staff1@example.com", "fullname": "Sam Staff"},
    SITE_ADMIN: {"email": "siteadmin1@example.com", "fullname": "Sue Admin"},
    MANAGER: {"email": "manager1@example.com", "fullname": "Max Manager"},
    # A site member who is only on a ticket's CC list.
    CC_MEMBER: {"email": "ccmember1@example.com", "fullname": "Cecilia CC"},
}


# Outside the ZODB: ticket mail leaves after the request's commit, when
# whatever the mail host writes would belong to no transaction.
SENT_MAIL = []


class TestMailHost(MockMailHost):
    """The MockMailHost, recording every message in SENT_MAIL."""

    def reset(self):
        SENT_MAIL.clear()

    @property
    def messages(self):
        return SENT_MAIL


class CollectiveTicketsLayer(PloneSandboxLayer):
    defaultBases = (PLONE_FIXTURE,)

    def setUpZope(self, app, configurationContext):
        import collective.tickets

        self.loadZCML(package=collective.tickets)
        # As Plone's autoinclude of add-on overrides does on a real instance.
        self.loadZCML("overrides.zcml", package=collective.tickets)

    def setUpPloneSite(self, portal):
        # As a real site has it: folders, the members' folders too, are private.
        portal.portal_workflow.setDefaultChain("simple_publication_workflow")
        applyProfile(portal, "collective.tickets:default")
        portal._original_MailHost = portal.MailHost
        portal.MailHost = mailhost = TestMailHost("MailHost")
        mailhost.smtp_host = "localhost"
        getSiteManager(portal).registerUtility(mailhost, provided=IMailHost)
        api.portal.set_registry_record(
            "plone.email_from_address", "helpdesk@example.com"
        )
        api.portal.set_registry_record("plone.email_from_name", "Helpdesk")
        # Many tests fill listings with dozens of tickets at once; the tests
        # of the rate limits set the limits they need.
        for name in (
            "max_tickets_per_hour",
            "max_tickets_per_day",
            "max_cc_per_hour",
            "max_cc_per_day",
        ):
            api.portal.set_registry_record(
                f"collective.tickets.interfaces.ITicketSettings.{name}", 0
            )
        for userid, props in USERS.items():
            api.user.create(
                email=props["email"],
                username=userid,
                password=PASSWORD,
                properties={"fullname": props["fullname"]},
            )
        api.group.add_user(groupname="ticket-staff", username=STAFF)
        api.user.grant_roles(username=SITE_ADMIN, roles=["Site Administrator"])
        api.user.grant_roles(username=MANAGER, roles=["Manager"])
        setRoles(portal, TEST_USER_ID, ["Manager"])


FIXTURE = CollectiveTicketsLayer()

INTEGRATION_TESTING = IntegrationTesting(
    bases=(FIXTURE,), name="CollectiveTickets:Integration"
)
FUNCTIONAL_TESTING = FunctionalTesting(
    bases=(FIXTURE,), name="CollectiveTickets:Functional"
)
# A real HTTP server on 127.0.0.1, for tests that drive a real browser.
SERVER_TESTING = FunctionalTesting(
    bases=(FIXTURE, zope_testing.WSGI_SERVER_FIXTURE),
    name="CollectiveTickets:Server",
)

__all__ = [
    "CC_MEMBER",
    "CUSTOMER",
    "MANAGER",
    "FUNCTIONAL_TESTING",
    "INTEGRATION_TESTING",
    "OTHER_CUSTOMER",
    "PASSWORD",
    "SENT_MAIL",
    "SITE_ADMIN",
    "SERVER_TESTING",
    "SITE_OWNER_NAME",
    "STAFF",
]
