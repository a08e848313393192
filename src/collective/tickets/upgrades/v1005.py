"""1004 -> 1005, service levels: business hours and response targets, the
due-time index and the figures of the report."""

from collective.tickets import logger
from collective.tickets.core.sla import DUE_INDEX
from collective.tickets.core.sla import SLA_COLUMN
from plone import api


PROFILE = "profile-collective.tickets.upgrades:to_1005"


def add_service_indexes():
    """The due-time index and the figures' column, filled for every ticket
    (closed ones too: the report reads their figures)."""
    catalog = api.portal.get_tool("portal_catalog")
    if DUE_INDEX not in catalog.indexes():
        catalog.addIndex(DUE_INDEX, "FieldIndex")
    for name in (DUE_INDEX, SLA_COLUMN):
        if name not in catalog.schema():
            catalog.addColumn(name)
    count = 0
    for brain in catalog.unrestrictedSearchResults(portal_type="Ticket"):
        brain._unrestrictedGetObject().reindexObject(idxs=[DUE_INDEX])
        count += 1
    return count


def upgrade(context):
    context.runAllImportStepsFromProfile(PROFILE)
    count = add_service_indexes()
    logger.info("collective.tickets upgraded to 1005: %s tickets measured", count)
