"""1000 -> 1001: the security settings (rate limits, CC domain, message
size, image size, user listing, widget URLs)."""

from collective.tickets import logger

PROFILE = "profile-collective.tickets.upgrades:to_1001"


def upgrade(context):
    context.runAllImportStepsFromProfile(PROFILE)
    logger.info("collective.tickets upgraded to 1001: security settings added")
