from collective.tickets.testing import INTEGRATION_TESTING
from plone import api

import unittest


class TestInstall(unittest.TestCase):
    layer = INTEGRATION_TESTING

    def test_product_is_installed(self):
        self.assertTrue(api.addon.get("collective.tickets").valid)
        installer = api.portal.get().unrestrictedTraverse("@@installer")
        self.assertTrue(installer.is_product_installed("collective.tickets"))
