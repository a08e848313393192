"""1005 -> 1006: no editing toolbar for customers on their tickets.

The ticket workflow now manages Plone's "Show Toolbar" permission (the staff
roles only), so every existing ticket's permissions are set again from its
state; a customer then gets Plone's own member menu in the page header
(``plone.membertools``) instead of the toolbar."""

from collective.tickets import logger
from plone import api

import transaction


WORKFLOW = "ticket_workflow"
DEFAULT = "profile-collective.tickets:default"
BATCH = 1000


def update_ticket_permissions():
    """Every ticket's permissions from its workflow state; "Show Toolbar" is
    no indexed permission, so nothing is reindexed. A savepoint every
    ``BATCH`` tickets keeps the memory of a large site flat."""
    workflow = api.portal.get_tool("portal_workflow").getWorkflowById(WORKFLOW)
    catalog = api.portal.get_tool("portal_catalog")
    count = 0
    for brain in catalog.unrestrictedSearchResults(portal_type="Ticket"):
        ticket = brain._unrestrictedGetObject()
        workflow.updateRoleMappingsFor(ticket)
        count += 1
        if count % BATCH == 0:
            transaction.savepoint(optimistic=True)
            ticket._p_jar.cacheGC()
    return count


def uncatalog_replies():
    catalog = api.portal.get_tool("portal_catalog")
    paths = [
        brain.getPath()
        for brain in catalog.unrestrictedSearchResults(portal_type="TicketReply")
    ]
    for count, path in enumerate(paths, start=1):
        catalog.uncatalog_object(path)
        if count % BATCH == 0:
            transaction.savepoint(optimistic=True)
    return len(paths)


def upgrade(context):
    context.runImportStepFromProfile(DEFAULT, "workflow", run_dependencies=False)
    count = update_ticket_permissions()
    replies = uncatalog_replies()
    logger.info(
        "collective.tickets upgraded to 1006: the toolbar's permission set on "
        "%s tickets, %s replies out of the catalog",
        count,
        replies,
    )
