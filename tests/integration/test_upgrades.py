"""Upgrade steps, run on a site that looks like the version before them."""

from collective.tickets.core.keys import ring_keys
from collective.tickets.core.mailin.key import KEY_RECORD
from collective.tickets.core.mailin.tokens import RING
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import INTEGRATION_TESTING
from plone import api
from plone.app.users.browser.schemaeditor import applySchema
from plone.app.users.browser.schemaeditor import get_schema
from plone.app.users.browser.schemaeditor import load_ttw_schema
from plone.app.users.schema import SCHEMATA_KEY
from plone.contentrules.engine.interfaces import IRuleStorage
from plone.keyring.interfaces import IKeyManager
from plone.registry.interfaces import IRegistry
from plone.supermodel import loadString
from plone.supermodel import serializeModel
from plone.supermodel.interfaces import FIELDSETS_KEY
from Products.MailHost.MailHost import MailHost
from unittest import mock
from zope.component import getUtility
from zope.i18nmessageid import Message
from zope.schema import getFieldNamesInOrder

import os
import shutil
import tempfile
import unittest


PROFILE = "collective.tickets:default"
NEW_IN_1001 = (
    "max_tickets_per_hour",
    "max_tickets_per_day",
    "max_cc_per_hour",
    "max_cc_per_day",
    "cc_own_domain_only",
    "max_message_size",
    "max_image_megapixels",
    "restrict_user_listing",
    "protect_widget_traversal",
)


def record_name(field):
    return f"{ITicketSettings.__identifier__}.{field}"


class TestUpgradeTo1001(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")
        registry = getUtility(IRegistry)
        # A 1000 site: none of the new records, a setting the manager changed.
        for field in NEW_IN_1001:
            del registry.records[record_name(field)]
        api.portal.set_registry_record("max_file_size", 3, interface=ITicketSettings)
        self.setup.setLastVersionForProfile(PROFILE, "1000")

    def test_the_step_is_listed_from_1000(self):
        steps = self.setup.listUpgrades(PROFILE)
        self.assertIn(("1000",), [tuple(step["source"]) for step in steps])

    def test_upgrade_adds_the_security_settings_and_keeps_the_old_ones(self):
        self.setup.upgradeProfile(PROFILE, dest="1001")
        registry = getUtility(IRegistry)
        for field in NEW_IN_1001:
            with self.subTest(field=field):
                self.assertEqual(
                    registry[record_name(field)], ITicketSettings[field].default
                )
        self.assertEqual(
            api.portal.get_registry_record("max_file_size", interface=ITicketSettings),
            3,
        )
        self.assertEqual(self.setup.getLastVersionForProfile(PROFILE), ("1001",))


class TestUpgradeTo1002(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.setup = api.portal.get_tool("portal_setup")
        # A 1001 site: the display name's texts in Plone's domain, as the
        # userschema.xml of 1001 installed them.
        model = loadString(get_schema())
        field = model.schemata[SCHEMATA_KEY]["ticket_display_name"]
        field.title = Message(field.title, domain="plone", default=field.title.default)
        field.description = Message(
            field.description, domain="plone", default=field.description.default
        )
        applySchema(serializeModel(model))
        api.user.get(userid=CUSTOMER).setMemberProperties(
            {"ticket_display_name": "ACME Ltd."}
        )
        self.setup.setLastVersionForProfile(PROFILE, "1001")

    def display_name_field(self):
        return load_ttw_schema()["ticket_display_name"]

    def test_the_display_name_moves_to_the_addons_translations(self):
        self.assertEqual(self.display_name_field().title.domain, "plone")
        self.setup.upgradeProfile(PROFILE, dest="1002")
        field = self.display_name_field()
        self.assertEqual(field.title.domain, "collective.tickets")
        self.assertEqual(field.description.domain, "collective.tickets")
        self.assertEqual(field.title.default, "Display name for tickets")
        self.assertEqual(
            getFieldNamesInOrder(load_ttw_schema()),
            ["home_page", "description", "location", "portrait", "ticket_display_name"],
        )
        self.assertEqual(
            api.user.get(userid=CUSTOMER).getProperty("ticket_display_name"),
            "ACME Ltd.",
        )
        self.assertEqual(self.setup.getLastVersionForProfile(PROFILE), ("1002",))

    def test_a_label_the_site_rewrote_stays(self):
        model = loadString(get_schema())
        model.schemata[SCHEMATA_KEY]["ticket_display_name"].title = "Signature"
        applySchema(serializeModel(model))
        self.setup.upgradeProfile(PROFILE, dest="1002")
        self.assertEqual(self.display_name_field().title, "Signature")


# The settings of the "Reply by e-mail" fieldset came with 1003.
NEW_IN_1003 = next(
    fieldset.fields
    for fieldset in ITicketSettings.queryTaggedValue(FIELDSETS_KEY)
    if fieldset.__name__ == "mail_in"
)


class TestUpgradeTo1003(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")
        registry = getUtility(IRegistry)
        # A 1002 site: no mail-in settings, key, keyring or index; a setting
        # the manager changed; a real MailHost without a queue.
        for field in NEW_IN_1003:
            del registry.records[record_name(field)]
        del registry.records[KEY_RECORD]
        keyrings = getUtility(IKeyManager)
        if RING in keyrings:
            del keyrings[RING]
        api.portal.get_tool("portal_catalog").delIndex("ticket_mail_ids")
        api.portal.set_registry_record("max_file_size", 3, interface=ITicketSettings)
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.mailhost = MailHost("MailHost")
        self.portal.MailHost = self.mailhost
        self.setup.setLastVersionForProfile(PROFILE, "1002")

    def test_upgrade_adds_mail_in_and_keeps_the_old_settings(self):
        queue = os.path.join(self.tmp, "mailqueue")
        with mock.patch(
            "collective.tickets.core.mailqueue.default_queue_directory",
            return_value=queue,
        ):
            self.setup.upgradeProfile(PROFILE, dest="1003")
        registry = getUtility(IRegistry)
        for field in NEW_IN_1003:
            with self.subTest(field=field):
                self.assertEqual(
                    registry[record_name(field)], ITicketSettings[field].default
                )
        self.assertEqual(
            api.portal.get_registry_record("max_file_size", interface=ITicketSettings),
            3,
        )
        self.assertTrue(registry[KEY_RECORD])
        self.assertTrue(ring_keys(RING))
        self.assertIn(
            "ticket_mail_ids", api.portal.get_tool("portal_catalog").indexes()
        )
        self.assertTrue(self.mailhost.smtp_queue)
        self.assertEqual(self.mailhost.smtp_queue_directory, queue)
        self.assertTrue(os.path.isdir(os.path.join(queue, "new")))
        self.assertEqual(self.setup.getLastVersionForProfile(PROFILE), ("1003",))

    def test_a_queue_the_manager_set_up_is_kept(self):
        own = os.path.join(self.tmp, "own-queue")
        self.mailhost.smtp_queue = True
        self.mailhost.smtp_queue_directory = own
        self.setup.upgradeProfile(PROFILE, dest="1003")
        self.assertEqual(self.mailhost.smtp_queue_directory, own)


class TestUpgradeTo1004(unittest.TestCase):
    """A 1003 site: tickets without numbers, no notes, no desk indexes, no
    categories setting, the old subjects in the shipped rules."""

    layer = INTEGRATION_TESTING

    def setUp(self):
        from collective.tickets import api as tickets
        from collective.tickets.core.numbers import COUNTER_KEY
        from plone.contentrules.engine.interfaces import IRuleStorage
        from zope.annotation.interfaces import IAnnotations

        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")
        with api.env.adopt_user(username=CUSTOMER):
            self.first = tickets.create("First", "<p>one</p>")
            self.second = tickets.create("Second", "<p>two</p>")
        for ticket in (self.first, self.second):
            del ticket.ticket_number
        del IAnnotations(self.portal)[COUNTER_KEY]
        catalog = api.portal.get_tool("portal_catalog")
        for name in ("ticket_number", "ticket_priority", "ticket_category"):
            catalog.delIndex(name)
            catalog.delColumn(name)
        del getUtility(IRegistry).records[record_name("categories")]
        types = api.portal.get_tool("portal_types")
        types.manage_delObjects(["TicketNote"])
        types["Ticket"].allowed_content_types = ("TicketReply",)
        storage = getUtility(IRuleStorage)
        for rule_id in ("collective-tickets-note-added", "collective-tickets-assigned"):
            del storage[rule_id]
        self.rule = storage["collective-tickets-created-customer"]
        self.rule.actions[0].subject = "[Ticket] ${ticket_title}"
        self.edited = storage["collective-tickets-closed"]
        self.edited.actions[0].subject = "Closed: ${ticket_title}"
        self.setup.setLastVersionForProfile(PROFILE, "1003")

    def test_upgrade_numbers_tickets_and_adds_the_desk(self):
        from plone.contentrules.engine.interfaces import IRuleStorage

        self.setup.upgradeProfile(PROFILE, dest="1004")
        self.assertEqual((self.first.ticket_number, self.second.ticket_number), (1, 2))
        catalog = api.portal.get_tool("portal_catalog")
        for name in ("ticket_number", "ticket_priority", "ticket_category"):
            self.assertIn(name, catalog.indexes())
            self.assertIn(name, catalog.schema())
        brain = catalog.unrestrictedSearchResults(ticket_number=2)[0]
        self.assertEqual(brain.getPath(), "/".join(self.second.getPhysicalPath()))
        self.assertEqual(brain.ticket_priority, 1)
        self.assertEqual(
            api.portal.get_registry_record("categories", interface=ITicketSettings),
            [],
        )
        types = api.portal.get_tool("portal_types")
        self.assertIn("TicketNote", types.objectIds())
        self.assertIn("TicketNote", types["Ticket"].allowed_content_types)
        storage = getUtility(IRuleStorage)
        self.assertIn("collective-tickets-note-added", storage)
        self.assertIn("collective-tickets-assigned", storage)
        self.assertEqual(
            self.rule.actions[0].subject, "[${ticket_number}] ${ticket_title}"
        )
        # A subject an editor wrote stays.
        self.assertEqual(self.edited.actions[0].subject, "Closed: ${ticket_title}")
        self.assertEqual(self.setup.getLastVersionForProfile(PROFILE), ("1004",))


class TestUpgradeTo1005(unittest.TestCase):
    """A 1004 site: no service-level settings, no due-time index, no
    figures in the catalog."""

    layer = INTEGRATION_TESTING

    def setUp(self):
        from collective.tickets import api as tickets

        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")
        with api.env.adopt_user(username=CUSTOMER):
            self.ticket = tickets.create("First", "<p>one</p>")
        catalog = api.portal.get_tool("portal_catalog")
        catalog.delIndex("ticket_due")
        catalog.delIndex("ticket_next_job")
        catalog.delIndex("ticket_closed")
        catalog.delColumn("ticket_due")
        catalog.delColumn("ticket_sla")
        records = getUtility(IRegistry).records
        for name in ("hours_monday", "holidays", "resolution_normal"):
            del records[record_name(name)]
        storage = getUtility(IRuleStorage)
        for rule_id in ("collective-tickets-overdue", "collective-tickets-reminder"):
            del storage[rule_id]
        # The closing mail as shipped before ratings, and a rule an editor
        # wrote (left alone).
        from collective.tickets.contentrules.rules import FOOTER
        from collective.tickets.contentrules.rules import MAIL_CLOSED_BEFORE_RATING
        from zope.i18n import translate

        self.closed = storage["collective-tickets-closed"].actions[0]
        self.closed.message = "\n\n".join(
            translate(message, target_language="es")
            for message in (MAIL_CLOSED_BEFORE_RATING, FOOTER)
        )
        self.reopened = storage["collective-tickets-reopened"].actions[0]
        self.reopened.message = "Edited by hand"
        self.setup.setLastVersionForProfile(PROFILE, "1004")

    def test_upgrade_adds_the_settings_and_measures_every_ticket(self):
        self.setup.upgradeProfile(PROFILE, dest="1005")
        self.assertEqual(
            api.portal.get_registry_record("hours_monday", interface=ITicketSettings),
            "09:00-17:00",
        )
        self.assertEqual(
            api.portal.get_registry_record("holidays", interface=ITicketSettings), []
        )
        catalog = api.portal.get_tool("portal_catalog")
        self.assertIn("ticket_due", catalog.indexes())
        (brain,) = catalog.unrestrictedSearchResults(UID=self.ticket.UID())
        # No targets are set: nothing is due, and it is the staff's turn.
        self.assertIsNone(brain.ticket_due)
        self.assertTrue(brain.ticket_sla[6])
        self.assertIn("ticket_next_job", catalog.indexes())
        storage = getUtility(IRuleStorage)
        self.assertIn("collective-tickets-overdue", storage)
        self.assertIn("collective-tickets-reminder", storage)
        self.assertIn("${ticket_rating_url}", self.closed.message)
        self.assertEqual(self.reopened.message, "Edited by hand")
        self.assertEqual(self.setup.getLastVersionForProfile(PROFILE), ("1005",))


class TestUpgradeTo1006(unittest.TestCase):
    """A 1005 site: the ticket workflow leaves "Show Toolbar" to the site, so
    customers get the editing toolbar on their tickets."""

    layer = INTEGRATION_TESTING

    def setUp(self):
        from collective.tickets import api as tickets

        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")
        with api.env.adopt_user(username=CUSTOMER):
            self.open = tickets.create("Open", "<p>one</p>")
            self.closed = tickets.create("Closed", "<p>two</p>")
        with api.env.adopt_roles(["Manager"]):
            api.content.transition(obj=self.closed, transition="complete")
        workflow = api.portal.get_tool("portal_workflow")["ticket_workflow"]
        workflow.permissions = tuple(
            p for p in workflow.permissions if p != "Show Toolbar"
        )
        for state in workflow.states.objectValues():
            state.permission_roles.pop("Show Toolbar", None)
        for ticket in (self.open, self.closed):
            ticket.manage_permission("Show Toolbar", roles=[], acquire=1)
        # Replies were catalogued before 1006.
        with api.env.adopt_user(username=CUSTOMER):
            self.reply = tickets.reply(self.open, "<p>a reply</p>")
        catalog = api.portal.get_tool("portal_catalog")
        catalog.catalog_object(self.reply, "/".join(self.reply.getPhysicalPath()))
        self.setup.setLastVersionForProfile(PROFILE, "1005")

    def shows_toolbar(self, username, ticket):
        with api.env.adopt_user(username=username):
            return bool(api.user.has_permission("Show Toolbar", obj=ticket))

    def test_upgrade_takes_the_toolbar_from_customers_on_every_ticket(self):
        from collective.tickets.testing import STAFF

        for ticket in (self.open, self.closed):
            self.assertTrue(self.shows_toolbar(CUSTOMER, ticket))
        self.setup.upgradeProfile(PROFILE, dest="1006")
        for ticket in (self.open, self.closed):
            self.assertFalse(self.shows_toolbar(CUSTOMER, ticket))
            self.assertTrue(self.shows_toolbar(STAFF, ticket))
        # Elsewhere on the site the customer keeps Plone's default.
        self.assertTrue(self.shows_toolbar(CUSTOMER, self.portal))

    def test_upgrade_takes_replies_out_of_the_catalog(self):
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(portal_type="TicketReply")), 1
        )
        self.setup.upgradeProfile(PROFILE, dest="1006")
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(portal_type="TicketReply")), 0
        )
        # The ticket's entry still finds the reply's words.
        (brain,) = catalog.unrestrictedSearchResults(SearchableText="reply")
        self.assertEqual(brain.getObject(), self.open)
        self.assertEqual(self.setup.getLastVersionForProfile(PROFILE), ("1006",))


PRIVACY_SETTINGS = (
    "on_member_deleted",
    "erasure_remove_attachments",
    "retention_months",
    "retention_action",
)


class TestUpgradeTo1007(unittest.TestCase):
    """A 1006 site: no "View Access Record" permission for anybody."""

    layer = INTEGRATION_TESTING

    def setUp(self):
        from collective.tickets.permissions import ViewAccessRecord

        self.permission = ViewAccessRecord
        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")
        self.portal.manage_permission(ViewAccessRecord, roles=[], acquire=1)
        records = getUtility(IRegistry).records
        for name in PRIVACY_SETTINGS:
            del records[f"{ITicketSettings.__identifier__}.{name}"]
        self.setup.setLastVersionForProfile(PROFILE, "1006")

    def roles(self):
        return sorted(
            role["name"]
            for role in self.portal.rolesOfPermission(self.permission)
            if role["selected"]
        )

    def test_upgrade_adds_the_privacy_settings(self):
        records = getUtility(IRegistry).records
        self.assertNotIn(f"{ITicketSettings.__identifier__}.retention_months", records)
        self.setup.upgradeProfile(PROFILE, dest="1007")
        for name, value in (
            ("on_member_deleted", "anonymise"),
            ("erasure_remove_attachments", False),
            ("retention_months", 0),
            ("retention_action", "anonymise"),
        ):
            self.assertEqual(
                api.portal.get_registry_record(name, interface=ITicketSettings), value
            )

    def test_upgrade_lets_managers_read_the_record_of_access(self):
        self.assertNotIn("Site Administrator", self.roles())
        self.setup.upgradeProfile(PROFILE, dest="1007")
        self.assertEqual(self.roles(), ["Manager", "Site Administrator"])
        self.assertEqual(self.setup.getLastVersionForProfile(PROFILE), ("1007",))
