"""1004 -> 1005, service levels: business hours and response targets, the
due-time and periodic-job indexes, the figures of the report, the rules of
overdue tickets and reminders, the canned replies' configlet, the rating link in the closing mail."""

from collective.tickets import logger
from collective.tickets.contentrules.rules import add_rating_link
from collective.tickets.contentrules.rules import install_rules
from collective.tickets.core.satisfaction import RATING_COLUMN
from collective.tickets.core.sla import CLOCK_INDEXES
from collective.tickets.core.sla import DUE_INDEX
from collective.tickets.core.sla import SLA_COLUMN
from plone import api


PROFILE = "profile-collective.tickets.upgrades:to_1005"
DEFAULT = "profile-collective.tickets:default"


def add_service_indexes():
    """The due-time index and the figures' column, filled for every ticket
    (closed ones too: the report reads their figures)."""
    catalog = api.portal.get_tool("portal_catalog")
    for name in (*CLOCK_INDEXES, RATING_COLUMN):
        if name not in catalog.indexes():
            catalog.addIndex(name, "FieldIndex")
    for name in (DUE_INDEX, SLA_COLUMN, RATING_COLUMN):
        if name not in catalog.schema():
            catalog.addColumn(name)
    count = 0
    for brain in catalog.unrestrictedSearchResults(portal_type="Ticket"):
        brain._unrestrictedGetObject().reindexObject(idxs=list(CLOCK_INDEXES))
        count += 1
    return count


def upgrade(context):
    context.runAllImportStepsFromProfile(PROFILE)
    # The "Canned replies" configlet.
    context.runImportStepFromProfile(DEFAULT, "controlpanel", run_dependencies=False)
    count = add_service_indexes()
    install_rules()
    add_rating_link()
    logger.info("collective.tickets upgraded to 1005: %s tickets measured", count)
