"""1000 -> 1001, the security release: the new settings, the catalog column
the CC rate limits add up, shipped rules that no longer quote the whole
conversation, and member folders where customers add tickets only."""

from collective.tickets import logger
from collective.tickets.contentrules.rules import drop_conversation_from_mails
from collective.tickets.core.limits import DAY
from collective.tickets.core.memberfolders import restrict_existing_member_folders
from DateTime import DateTime
from plone import api


PROFILE = "profile-collective.tickets.upgrades:to_1001"
CC_COUNT_COLUMN = "ticket_cc_count"


def add_cc_count_column():
    """Only the last day's tickets count towards the CC limits, so only they
    are reindexed; older ones keep no value."""
    catalog = api.portal.get_tool("portal_catalog")
    if CC_COUNT_COLUMN in catalog.schema():
        return
    catalog.addColumn(CC_COUNT_COLUMN)
    for brain in catalog.unrestrictedSearchResults(
        portal_type="Ticket", created={"query": DateTime() - DAY, "range": "min"}
    ):
        # Reindexing one small index also refreshes the brain's metadata.
        brain._unrestrictedGetObject().reindexObject(idxs=["ticket_customer"])


def upgrade(context):
    context.runAllImportStepsFromProfile(PROFILE)
    add_cc_count_column()
    drop_conversation_from_mails()
    restrict_existing_member_folders()
    logger.info("collective.tickets upgraded to 1001")
