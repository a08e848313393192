"""Shared pytest configuration: the Plone layers as pytest-plone fixtures.

The test classes use the layers through zope.pytestlayer (``layer = ...``);
plain test functions ask for ``portal``, ``integration``, ``functional`` or
``http_request`` as pytest-plone names them.
"""

from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import INTEGRATION_TESTING
from pytest_plone import fixtures_factory


pytest_plugins = ["pytest_plone"]

globals().update(
    fixtures_factory(
        (
            (INTEGRATION_TESTING, "integration"),
            (FUNCTIONAL_TESTING, "functional"),
        )
    )
)
