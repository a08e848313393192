from zope.i18nmessageid import MessageFactory

import logging


_ = MessageFactory("collective.tickets")
logger = logging.getLogger("collective.tickets")
