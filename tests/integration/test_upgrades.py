"""Upgrade steps, run on a site that looks like the version before them."""

from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import INTEGRATION_TESTING
from plone import api
from plone.registry.interfaces import IRegistry
from zope.component import getUtility

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
        self.setup.upgradeProfile(PROFILE)
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
