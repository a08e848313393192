"""1001 -> 1002: the display name for tickets is no longer installed by a
userschema.xml that repeated Plone's member fields in Plone's translation
domain (see member_fields.py); its label and help text move to the add-on's
domain, where its translations now are."""

from collective.tickets import logger
from collective.tickets.member_fields import ITicketMemberFields
from plone.app.users.browser.schemaeditor import applySchema
from plone.app.users.browser.schemaeditor import get_schema
from plone.app.users.schema import SCHEMATA_KEY
from plone.supermodel import loadString
from plone.supermodel import serializeModel
from zope.i18nmessageid import Message


def move_member_field_texts_to_our_domain():
    """Only texts still as the add-on installed them move: one an
    administrator rewrote in the member fields editor stays as it is."""
    stored = get_schema()
    if not stored:
        return
    member_model = loadString(stored)
    fields = member_model.schemata[SCHEMATA_KEY]
    changed = False
    for name in ITicketMemberFields.names():
        field = fields.get(name)
        if field is None:
            continue
        for attr in ("title", "description"):
            text, ours = getattr(field, attr), getattr(ITicketMemberFields[name], attr)
            if (
                isinstance(text, Message)
                and text == ours
                and text.domain != ours.domain
            ):
                setattr(field, attr, ours)
                changed = True
    if changed:
        applySchema(serializeModel(member_model))


def upgrade(context):
    move_member_field_texts_to_our_domain()
    logger.info("collective.tickets upgraded to 1002")
