"""1003 -> 1004, the staff desk: internal notes, ticket numbers, assignee,
priority and category, the staff's menu entry and their notifications."""

from collective.tickets import logger
from collective.tickets.contentrules.rules import install_rules
from collective.tickets.contentrules.rules import number_mail_subjects
from collective.tickets.core.numbers import number_existing_tickets
from collective.tickets.setuphandlers import prepare_desk
from plone import api


PROFILE = "profile-collective.tickets.upgrades:to_1004"
DEFAULT = "profile-collective.tickets:default"
INDEXES = ("ticket_number", "ticket_priority", "ticket_category", "ticket_assignee")


def add_desk_indexes():
    """The new indexes and columns, filled for the existing tickets: the
    numbers first (``number_existing_tickets`` indexes them), then the
    others."""
    catalog = api.portal.get_tool("portal_catalog")
    added = [name for name in INDEXES if name not in catalog.indexes()]
    for name in added:
        catalog.addIndex(name, "FieldIndex")
    for name in INDEXES:
        if name not in catalog.schema():
            catalog.addColumn(name)
    numbered = number_existing_tickets()
    for brain in catalog.unrestrictedSearchResults(portal_type="Ticket"):
        # Only the new indexes (the text index of a long conversation is the
        # costly one); the metadata row is written again with them.
        brain._unrestrictedGetObject().reindexObject(idxs=list(INDEXES[1:]))
    return numbered


def upgrade(context):
    context.runAllImportStepsFromProfile(PROFILE)
    for step in ("typeinfo", "workflow", "rolemap", "actions"):
        context.runImportStepFromProfile(DEFAULT, step, run_dependencies=False)
    prepare_desk()
    numbered = add_desk_indexes()
    install_rules()
    number_mail_subjects()
    logger.info(
        "collective.tickets upgraded to 1004: %s existing tickets numbered", numbered
    )
