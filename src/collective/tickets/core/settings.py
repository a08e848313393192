"""Reading the "Tickets settings" (plone.registry records)."""

from collective.tickets.interfaces import ITicketSettings
from plone.registry.interfaces import IRegistry
from zope.component import queryUtility


PREFIX = ITicketSettings.__identifier__ + "."


def setting(name):
    """The value of a setting; its default while the record is missing (before
    an upgrade, or outside a site).

    Read straight from the registry: a ticket's indexing reads some forty
    settings, and plone.api's checks of its arguments cost more than the
    lookup itself."""
    default = ITicketSettings[name].default
    registry = queryUtility(IRegistry)
    if registry is None:
        return default
    try:
        value = registry.get(PREFIX + name)
    except Exception:  # noqa: BLE001 - a registry that cannot read it: the default
        return default
    return default if value is None else value
