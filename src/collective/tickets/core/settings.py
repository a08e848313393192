"""Reading the "Tickets settings" (plone.registry records)."""

from collective.tickets.interfaces import ITicketSettings
from plone import api


def setting(name):
    """The value of a setting; its default while the record is missing (before
    an upgrade, or outside a site)."""
    default = ITicketSettings[name].default
    try:
        value = api.portal.get_registry_record(
            name, interface=ITicketSettings, default=None
        )
    except Exception:  # noqa: BLE001 - no site, no registry: the defaults apply
        return default
    return default if value is None else value
