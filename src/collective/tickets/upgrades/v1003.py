"""1002 -> 1003, reply by e-mail: its settings, the catalog index that finds
a mail delivered twice, the mail-in key, and the MailHost's queue, so that
notifications survive an outage of the mail server."""

from collective.tickets import logger
from collective.tickets.setuphandlers import prepare_mail
from plone import api


PROFILE = "profile-collective.tickets.upgrades:to_1003"
MAIL_IDS_INDEX = "ticket_mail_ids"


def add_mail_ids_index():
    """No ticket came in by mail before 1003: the new index starts empty,
    with nothing to reindex."""
    catalog = api.portal.get_tool("portal_catalog")
    if MAIL_IDS_INDEX not in catalog.indexes():
        catalog.addIndex(MAIL_IDS_INDEX, "KeywordIndex")


def upgrade(context):
    context.runAllImportStepsFromProfile(PROFILE)
    add_mail_ids_index()
    prepare_mail()
    logger.info("collective.tickets upgraded to 1003")
