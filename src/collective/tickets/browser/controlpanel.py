"""The "Tickets settings" control panel: plone.registry records, so they are
exported with the profile and editable here or in the registry."""

from collective.tickets import _
from collective.tickets.interfaces import ITicketSettings
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.z3cform import layout


class TicketsSettingsForm(RegistryEditForm):
    schema = ITicketSettings
    label = _("heading_tickets_settings", default="Tickets settings")
    description = _(
        "help_tickets_settings",
        default="Attachments, who may close tickets, and where notifications go.",
    )


TicketsSettingsView = layout.wrap_form(TicketsSettingsForm, ControlPanelFormWrapper)
