"""The member field collective.tickets adds to Plone's: "Display name for
tickets", in the personal information and user management forms.

plone.app.users keeps a site's member fields as one model in the site's
annotations, and its ``userschema.xml`` import step replaces that model whole,
so a profile shipping one would drop Plone's own fields and those an
administrator added through the web. Install adds only this field to the
site's model (as plone.app.users' own upgrade steps add fields), and
uninstall removes only it.
"""

from collective.tickets import _
from plone.app.users.browser.schemaeditor import applySchema
from plone.app.users.browser.schemaeditor import get_schema
from plone.app.users.schema import SCHEMATA_KEY
from plone.schemaeditor.interfaces import IEditableSchema
from plone.supermodel import loadString
from plone.supermodel import model
from plone.supermodel import serializeModel
from zope import schema
from zope.schema import getFieldNamesInOrder

import copy


# A site without plone.app.users' default profile has no model stored yet.
EMPTY_MEMBER_MODEL = (
    '<model xmlns="http://namespaces.plone.org/supermodel/schema">'
    f'<schema name="{SCHEMATA_KEY}"/></model>'
)


class ITicketMemberFields(model.Schema):
    ticket_display_name = schema.TextLine(
        title=_("label_ticket_display_name", default="Display name for tickets"),
        description=_(
            "help_ticket_display_name",
            default="The name shown as the sender of your ticket messages, for "
            "example your company name or a nickname. Leave it empty to use your "
            "full name.",
        ),
        max_length=100,
        required=False,
    )


# Where plone.app.users shows the field: in the members' own personal
# information too, not only in the forms of the user management.
ITicketMemberFields["ticket_display_name"].forms_selection = ["In User Profile"]


def add_member_fields():
    """Add the add-on's fields that the site's member schema lacks, after the
    fields it has; the site keeps everything else as it is."""
    member_model = loadString(get_schema() or EMPTY_MEMBER_MODEL)
    fields = member_model.schemata[SCHEMATA_KEY]
    missing = [
        name for name in getFieldNamesInOrder(ITicketMemberFields) if name not in fields
    ]
    if not missing:
        return
    editable = IEditableSchema(fields)
    for name in missing:
        editable.addField(copy.deepcopy(ITicketMemberFields[name]))
        editable.moveField(name, len(fields.names()) - 1)
    applySchema(serializeModel(member_model))


def remove_member_fields():
    """Take the add-on's fields out of the member schema; the values members
    entered stay in their member data."""
    stored = get_schema()
    if not stored:
        return
    member_model = loadString(stored)
    fields = member_model.schemata[SCHEMATA_KEY]
    present = [name for name in ITicketMemberFields.names() if name in fields]
    if not present:
        return
    editable = IEditableSchema(fields)
    for name in present:
        editable.removeField(name)
    applySchema(serializeModel(member_model))
