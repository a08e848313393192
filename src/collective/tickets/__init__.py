from collective.tickets import patches
from zope.i18nmessageid import MessageFactory

import logging


_ = MessageFactory("collective.tickets")
logger = logging.getLogger("collective.tickets")

# Page templates compiled one at a time where CPython needs it (patches.py).
patches.apply()
