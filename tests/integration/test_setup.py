"""What installing (and uninstalling) collective.tickets does to a site."""

from collective.tickets import api as tickets
from collective.tickets.core.mailin.tokens import reply_address
from collective.tickets.core.unsubscribe import unsubscribe_url
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import INTEGRATION_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from plone import api
from plone.api.exc import InvalidParameterError
from plone.app.testing import setRoles
from plone.app.testing import TEST_USER_ID
from plone.browserlayer.utils import registered_layers
from plone.dexterity.utils import createContentInContainer
from plone.keyring.interfaces import IKeyManager
from plone.registry.interfaces import IRegistry
from zope.component import getUtility

import unittest


class TestInstall(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def test_product_is_installed(self):
        installer = self.portal.unrestrictedTraverse("@@installer")
        self.assertTrue(installer.is_product_installed("collective.tickets"))

    def test_browser_layer_is_registered(self):
        from collective.tickets.interfaces import ICollectiveTicketsLayer

        self.assertIn(ICollectiveTicketsLayer, registered_layers())

    def test_types_and_workflow(self):
        types = api.portal.get_tool("portal_types")
        self.assertEqual(
            types["Ticket"].allowed_content_types, ("TicketReply", "TicketNote")
        )
        self.assertFalse(types["TicketNote"].global_allow)
        self.assertFalse(types["Ticket"].global_allow)
        self.assertFalse(types["TicketReply"].global_allow)
        workflow = api.portal.get_tool("portal_workflow")
        self.assertEqual(workflow.getChainForPortalType("Ticket"), ("ticket_workflow",))
        self.assertEqual(
            workflow.getChainForPortalType("TicketNote"), ("ticket_note_workflow",)
        )
        self.assertEqual(workflow.getChainForPortalType("TicketReply"), ())
        wf = workflow["ticket_workflow"]
        self.assertEqual(wf.initial_state, "in_progress")
        self.assertEqual(sorted(wf.states.objectIds()), ["completed", "in_progress"])
        self.assertEqual(sorted(wf.transitions.objectIds()), ["complete", "reopen"])

    def test_staff_group_has_the_ticket_manager_role(self):
        self.assertIn("TicketManager", api.group.get_roles(groupname="ticket-staff"))
        self.assertIn("TicketManager", api.user.get_roles(username=STAFF))

    def test_member_folders_are_on_and_members_exists(self):
        self.assertIn("Members", self.portal.objectIds())
        self.assertTrue(api.portal.get_registry_record("plone.enable_user_folders"))
        membership = api.portal.get_tool("portal_membership")
        self.assertTrue(membership.getMemberareaCreationFlag())
        # Customers reach their tickets through "My tickets", not their folder.
        self.assertFalse(api.portal.get_tool("portal_actions").user.mystuff.visible)

    def test_member_folder_is_created_on_demand(self):
        self.assertNotIn(OTHER_CUSTOMER, self.portal["Members"].objectIds())
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.create("First", "<p>one</p>")
        folder = self.portal["Members"][OTHER_CUSTOMER]
        self.assertIn("Owner", folder.get_local_roles_for_userid(OTHER_CUSTOMER))

    def test_reinstall_keeps_tickets(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Kept", "<p>kept</p>")
        setup = api.portal.get_tool("portal_setup")
        setup.runAllImportStepsFromProfile("profile-collective.tickets:default")
        self.assertEqual(tickets.state(ticket), "in_progress")
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 1)
        self.assertEqual(
            len(api.group.get_groups()), len({g.id for g in api.group.get_groups()})
        )

    def test_notification_rules_and_settings_are_installed_once(self):
        from plone.contentrules.engine.interfaces import IRuleStorage
        from zope.component import getUtility

        def ours():
            return [
                n
                for n in getUtility(IRuleStorage)
                if n.startswith("collective-tickets")
            ]

        from collective.tickets.contentrules.rules import RULES

        self.assertEqual(len(ours()), len(RULES))
        self.assertEqual(len(RULES), 9)
        setup = api.portal.get_tool("portal_setup")
        setup.runAllImportStepsFromProfile("profile-collective.tickets:default")
        self.assertEqual(len(ours()), len(RULES))
        self.assertEqual(
            api.portal.get_registry_record(
                "collective.tickets.interfaces.ITicketSettings.staff_email"
            ),
            "",
        )

    def test_replies_are_not_searched_on_their_own(self):
        self.assertIn(
            "TicketReply", api.portal.get_registry_record("plone.types_not_searched")
        )


class TestPlacement(unittest.TestCase):
    """Tickets only in member folders, replies only in tickets."""

    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        setRoles(self.portal, TEST_USER_ID, ["Manager"])

    def test_ticket_is_not_addable_at_the_root_or_in_a_folder(self):
        folder = api.content.create(self.portal, "Folder", id="folder")
        for container in (self.portal, folder):
            allowed = [fti.getId() for fti in container.allowedContentTypes()]
            self.assertNotIn("Ticket", allowed)
            self.assertNotIn("TicketReply", allowed)
            with self.assertRaises(InvalidParameterError):
                api.content.create(container, "Ticket", title="nope")

    def test_reply_is_addable_only_in_a_ticket(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Where", "<p>here</p>")
        with as_user(self.portal, CUSTOMER):
            self.assertEqual(
                [fti.getId() for fti in ticket.allowedContentTypes()], ["TicketReply"]
            )
        with as_user(self.portal, STAFF):
            self.assertEqual(
                [fti.getId() for fti in ticket.allowedContentTypes()],
                ["TicketReply", "TicketNote"],
            )
        with self.assertRaises(ValueError):
            createContentInContainer(self.portal, "TicketReply")

    def test_customer_gets_none_of_the_editing_tools(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Tools", "<p>tools</p>")
            for permission in (
                "Add portal content",
                "Copy or Move",
                "Delete objects",
                "Modify portal content",
                "Modify view template",
                "Sharing page: Delegate roles",
                "List folder contents",
                "Manage Context Aliases",
            ):
                self.assertFalse(
                    api.user.has_permission(permission, obj=ticket), permission
                )


class TestUninstall(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        # Secrets are made on first use: use them, as a running site has.
        tickets.mail_in_key()
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Before uninstall", "<p>x</p>")
        unsubscribe_url(ticket, "cc@example.com")
        reply_address(ticket)
        installer = self.portal.unrestrictedTraverse("@@installer")
        installer.uninstall_product("collective.tickets")

    def test_product_is_uninstalled(self):
        installer = self.portal.unrestrictedTraverse("@@installer")
        self.assertFalse(installer.is_product_installed("collective.tickets"))

    def test_everything_installed_is_removed(self):
        from collective.tickets.interfaces import ICollectiveTicketsLayer

        self.assertNotIn(ICollectiveTicketsLayer, registered_layers())
        types = api.portal.get_tool("portal_types")
        self.assertNotIn("Ticket", types.objectIds())
        self.assertNotIn("TicketReply", types.objectIds())
        self.assertNotIn("TicketNote", types.objectIds())
        workflows = api.portal.get_tool("portal_workflow").objectIds()
        self.assertNotIn("ticket_workflow", workflows)
        self.assertNotIn("ticket_note_workflow", workflows)
        catalog = api.portal.get_tool("portal_catalog")
        self.assertNotIn("ticket_customer", catalog.indexes())
        self.assertNotIn("ticket_last_author", catalog.schema())
        self.assertNotIn("ticket_mail_ids", catalog.indexes())
        for name in ("ticket_number", "ticket_priority", "ticket_assignee"):
            self.assertNotIn(name, catalog.indexes())
            self.assertNotIn(name, catalog.schema())
        self.assertNotIn(
            "TicketReply", api.portal.get_registry_record("plone.types_not_searched")
        )
        registry = getUtility(IRegistry)
        self.assertFalse(
            [name for name in registry.records if name.startswith("collective.tickets")]
        )
        keyrings = getUtility(IKeyManager)
        self.assertFalse([name for name in keyrings if name.startswith("collective.")])


class TestNewSites(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_a_new_plone_site_can_be_created_with_the_add_on_loaded(self):
        from Products.CMFPlone.factory import addPloneSite
        from zope.component.hooks import getSite
        from zope.component.hooks import setSite

        # As in the ZMI or a script: no Plone site is current yet.
        current = getSite()
        setSite(None)
        try:
            site = addPloneSite(
                self.layer["app"],
                "another",
                extension_ids=(
                    "plone.app.contenttypes:default",
                    "collective.tickets:default",
                ),
            )
        finally:
            setSite(current)
        self.assertIn("Members", site.objectIds())


class TestUninstallGivesMemberFoldersBack(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_members_may_add_plones_types_in_their_folder_again(self):
        portal = self.layer["portal"]
        folder = tickets.member_folder(CUSTOMER)
        permission = "plone.app.contenttypes: Add Document"
        with api.env.adopt_user(username=CUSTOMER):
            self.assertFalse(api.user.has_permission(permission, obj=folder))
        portal.unrestrictedTraverse("@@installer").uninstall_product(
            "collective.tickets"
        )
        with api.env.adopt_user(username=CUSTOMER):
            self.assertTrue(api.user.has_permission(permission, obj=folder))


class TestMemberSchema(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]

    def member_fields(self):
        from plone.app.users.browser.schemaeditor import get_ttw_edited_schema
        from zope.schema import getFieldNames

        return set(getFieldNames(get_ttw_edited_schema()))

    def test_ticket_display_name_is_added_and_default_fields_kept(self):
        fields = self.member_fields()
        for name in (
            "home_page",
            "description",
            "location",
            "portrait",
            "ticket_display_name",
        ):
            self.assertIn(name, fields)
        memberdata = api.portal.get_tool("portal_memberdata")
        self.assertTrue(memberdata.hasProperty("ticket_display_name"))

    def test_ticket_display_name_survives_a_reinstall(self):
        user = api.user.get(userid=CUSTOMER)
        user.setMemberProperties({"ticket_display_name": "ACME Ltd."})
        setup = api.portal.get_tool("portal_setup")
        setup.runAllImportStepsFromProfile("profile-collective.tickets:default")
        user = api.user.get(userid=CUSTOMER)
        self.assertEqual(user.getProperty("ticket_display_name"), "ACME Ltd.")
        self.assertIn("ticket_display_name", self.member_fields())
