"""1006 -> 1007: the record of the staff's access to tickets.

Adds the "View Access Record" permission to the site's roles (Manager and
Site Administrator); the logs themselves start empty and fill as the staff
open tickets."""

from collective.tickets import logger


DEFAULT = "profile-collective.tickets:default"


def upgrade(context):
    context.runImportStepFromProfile(DEFAULT, "rolemap", run_dependencies=False)
    logger.info("collective.tickets upgraded to 1007: the record of access")
