"""1006 -> 1007, privacy: the settings for a deleted member's tickets and
for the retention of completed tickets, and the record of the staff's
access to tickets ("View Access Record": Manager and Site Administrator).
The access logs start empty and fill as the staff open tickets."""

from collective.tickets import logger


PROFILE = "profile-collective.tickets.upgrades:to_1007"
DEFAULT = "profile-collective.tickets:default"


def upgrade(context):
    context.runAllImportStepsFromProfile(PROFILE)
    context.runImportStepFromProfile(DEFAULT, "rolemap", run_dependencies=False)
    logger.info("collective.tickets upgraded to 1007: privacy")
