"""The "Tickets settings" control panel: plone.registry records, so they are
exported with the profile and editable here or in the registry."""

from collective.tickets import _
from collective.tickets.core.mailin.key import renew_mail_in_key
from collective.tickets.core.mailin.key import stored_key
from collective.tickets.interfaces import ITicketSettings
from plone import api
from plone.app.registry.browser.controlpanel import ControlPanelFormWrapper
from plone.app.registry.browser.controlpanel import RegistryEditForm
from plone.protect import CheckAuthenticator
from plone.z3cform import layout
from Products.statusmessages.interfaces import IStatusMessage
from z3c.form import button
from z3c.form import field
from z3c.form.interfaces import DISPLAY_MODE
from zope import schema
from zope.interface import Interface


def mail_in_url():
    return f"{api.portal.get().absolute_url()}/@@mail-in"


# Display widgets show no field descriptions: the tab's description says it.
MAIL_IN_HELP = _(
    "help_fieldset_mail_in",
    default="Mail reaches the tickets in one of two ways. The mail server's "
    "pipe (tickets-mail-in) or a mail provider's webhook POSTs each message "
    "to the address below, with the mail-in key in the X-Mail-In-Key header; "
    "or the site reads a mailbox (IMAP), set up below. Keep the key secret. "
    'If it may have leaked, press "Renew the mail-in key": the old key stops '
    "working at once, so put the new one into the mail server's key file.",
)


class IMailInAccess(Interface):
    """What the mail server needs to deliver over HTTP: shown, not edited
    (the key is renewed with the form's button, never typed)."""

    mail_in_url = schema.TextLine(
        title=_("label_mail_in_url", default="Address for mail in over HTTP"),
        defaultFactory=mail_in_url,
        readonly=True,
        required=False,
    )

    mail_in_key = schema.TextLine(
        title=_("label_mail_in_key", default="Mail-in key"),
        defaultFactory=stored_key,
        readonly=True,
        required=False,
    )


class TicketsSettingsForm(RegistryEditForm):
    schema = ITicketSettings
    label = _("heading_tickets_settings", default="Tickets settings")
    description = _(
        "help_tickets_settings",
        default="Attachments, who may close tickets, and where notifications go.",
    )
    # Copies, so that the button below is added to this form only.
    buttons = RegistryEditForm.buttons.copy()
    handlers = RegistryEditForm.handlers.copy()

    def updateFields(self):
        super().updateFields()
        access = field.Fields(IMailInAccess, mode=DISPLAY_MODE)
        for name in access:
            # Not registry records: the values come from the fields' defaults.
            access[name].ignoreContext = True
        for group in self.groups:
            if group.__name__ == "mail_in":
                group.fields = access + group.fields
                group.description = group.description or MAIL_IN_HELP

    def updateActions(self):
        super().updateActions()
        self.actions["renew_mail_in_key"].addClass("btn btn-secondary")

    @button.buttonAndHandler(
        _("button_renew_mail_in_key", default="Renew the mail-in key"),
        name="renew_mail_in_key",
    )
    def handle_renew_mail_in_key(self, action):
        CheckAuthenticator(self.request)
        renew_mail_in_key()
        IStatusMessage(self.request).addStatusMessage(
            _(
                "status_mail_in_key_renewed",
                default="The mail-in key was renewed and the old one no longer "
                "works. Put the new key into the mail server's key file.",
            ),
            "info",
        )
        self.request.response.redirect(self.request.getURL())


TicketsSettingsView = layout.wrap_form(TicketsSettingsForm, ControlPanelFormWrapper)
