"""The add-on adds its member field to the site's member schema and leaves the
site's other member fields, Plone's and those added through the web, alone."""

from collective.tickets.member_fields import add_member_fields
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import INTEGRATION_TESTING
from plone import api
from plone.app.users.browser.schemaeditor import applySchema
from plone.app.users.browser.schemaeditor import get_schema
from plone.app.users.browser.schemaeditor import load_ttw_schema
from plone.app.users.browser.userdatapanel import getUserDataSchema
from plone.autoform.interfaces import WIDGETS_KEY
from plone.schemaeditor.interfaces import IEditableSchema
from plone.supermodel import loadString
from plone.supermodel import serializeModel
from zope import schema
from zope.schema import getFieldNamesInOrder

import unittest


PLONE_FIELDS = ["home_page", "description", "location", "portrait"]


def member_fields():
    return getFieldNamesInOrder(load_ttw_schema())


def add_field_through_the_web(name):
    """What Site Setup > Users and Groups > Member fields stores."""
    model = loadString(get_schema())
    field = schema.TextLine(title=name, required=False)
    field.forms_selection = ["In User Profile"]
    IEditableSchema(model.schemata["member-fields"]).addField(field, name)
    applySchema(serializeModel(model))


class TestMemberFields(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.setup = api.portal.get_tool("portal_setup")
        self.installer = self.portal.unrestrictedTraverse("@@installer")

    def test_display_name_comes_after_plones_fields(self):
        self.assertEqual(member_fields(), PLONE_FIELDS + ["ticket_display_name"])
        self.assertEqual(
            getFieldNamesInOrder(getUserDataSchema()),
            ["fullname", "email"] + PLONE_FIELDS + ["ticket_display_name"],
        )

    def test_display_name_is_in_the_members_own_form_with_its_limit(self):
        field = load_ttw_schema()["ticket_display_name"]
        self.assertEqual(field.forms_selection, ["In User Profile"])
        self.assertEqual(field.max_length, 100)
        self.assertFalse(field.required)
        self.assertEqual(field.title.default, "Display name for tickets")
        self.assertEqual(field.title.domain, "collective.tickets")

    def test_the_portrait_keeps_plones_widget(self):
        widgets = load_ttw_schema().queryTaggedValue(WIDGETS_KEY, {})
        self.assertEqual(
            widgets["portrait"].getWidgetFactoryName(),
            "plone.app.users.schema.PortraitFieldWidget",
        )

    def test_a_field_added_through_the_web_survives_a_reinstall(self):
        add_field_through_the_web("phone")
        self.setup.runAllImportStepsFromProfile("profile-collective.tickets:default")
        self.assertEqual(
            member_fields(), PLONE_FIELDS + ["ticket_display_name", "phone"]
        )

    def test_adding_twice_changes_nothing(self):
        before = get_schema()
        add_member_fields()
        self.assertEqual(get_schema(), before)

    def test_uninstall_removes_only_the_display_name(self):
        add_field_through_the_web("phone")
        self.installer.uninstall_product("collective.tickets")
        self.assertEqual(member_fields(), PLONE_FIELDS + ["phone"])
        memberdata = api.portal.get_tool("portal_memberdata")
        self.assertFalse(memberdata.hasProperty("ticket_display_name"))
        self.assertTrue(memberdata.hasProperty("phone"))

    def test_reinstalling_gives_members_their_display_name_back(self):
        api.user.get(userid=CUSTOMER).setMemberProperties(
            {"ticket_display_name": "ACME Ltd."}
        )
        self.installer.uninstall_product("collective.tickets")
        self.installer.install_product("collective.tickets")
        self.assertEqual(member_fields(), PLONE_FIELDS + ["ticket_display_name"])
        self.assertEqual(
            api.user.get(userid=CUSTOMER).getProperty("ticket_display_name"),
            "ACME Ltd.",
        )

    def test_a_site_without_member_fields_gets_the_display_name(self):
        applySchema("")
        add_member_fields()
        self.assertEqual(member_fields(), ["ticket_display_name"])
