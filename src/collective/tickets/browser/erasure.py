"""Erasure on request, for the staff: ``<ticket>/@@anonymise`` and
``@@anonymise-customer?userid=...``, each a confirmation form (see
``core.privacy.erasure`` for what anonymising does)."""

from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.core.people import display_name
from plone import api
from plone.protect.authenticator import check as check_authenticator
from plone.z3cform import layout
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from urllib.parse import urlencode
from z3c.form import button
from z3c.form import field
from z3c.form import form
from zope import schema
from zope.interface import Interface


class IAnonymise(Interface):
    remove_attachments = schema.Bool(
        title=_("label_remove_attachments", default="Delete the attachments too"),
        description=_(
            "help_remove_attachments",
            default="Files can hold names, addresses and signatures; without "
            "this they are kept.",
        ),
        required=False,
        default=False,
    )


class AnonymiseForm(form.Form):
    fields = field.Fields(IAnonymise)
    ignoreContext = True
    enable_autofocus = False

    def update(self):
        hide_portlet_columns(self.request)
        super().update()
        if not self.status:
            self.status = self.problem() or ""

    def anonymise(self, remove_attachments):
        raise NotImplementedError

    def back_url(self):
        raise NotImplementedError

    def problem(self):
        """What keeps the form from doing its work, as a message; None."""
        return None

    @button.buttonAndHandler(_("button_anonymise", default="Anonymise"), name="save")
    def handle_anonymise(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        problem = self.problem()
        if problem is not None:
            self.status = problem
            return
        check_authenticator(self.request)
        message, url = self.anonymise(bool(data.get("remove_attachments")))
        api.portal.show_message(message, request=self.request)
        self.request.response.redirect(url)

    @button.buttonAndHandler(_("button_cancel", default="Cancel"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(self.back_url())


class AnonymiseTicketForm(AnonymiseForm):
    label = _("heading_anonymise_ticket", default="Anonymise this ticket")
    description = _(
        "help_anonymise_ticket",
        default="The customer's and the CC recipients' names and e-mail "
        "addresses are cut out of the subject, every message and note; the CC "
        "list is emptied and the original mails are deleted. The customer no "
        "longer sees the ticket; the staff keep it, with its history. This "
        "cannot be undone.",
    )

    def back_url(self):
        return self.context.absolute_url()

    def anonymise(self, remove_attachments):
        ticket = tickets.anonymise_ticket(
            self.context, remove_attachments=remove_attachments
        )
        return (
            _("msg_ticket_anonymised", default="The ticket was anonymised."),
            ticket.absolute_url(),
        )


class AnonymiseCustomerForm(AnonymiseForm):
    description = _(
        "help_anonymise_customer",
        default="Every ticket of this customer is anonymised as one anonymous "
        "customer: their and their CC recipients' names and e-mail addresses "
        "are cut out, the CC lists emptied, the original mails deleted. Mail "
        "from their address is refused from now on. Their account is not "
        "deleted. This cannot be undone.",
    )

    @property
    def userid(self):
        return (self.request.form.get("userid") or "").strip()

    @property
    def label(self):
        return _(
            "heading_anonymise_customer",
            default="Anonymise every ticket of ${customer}",
            mapping={"customer": display_name(self.userid) or self.userid},
        )

    def problem(self):
        if not self.userid:
            return _(
                "error_no_customer",
                default="No customer was given: open the customer's "
                '"Customer tickets" tab in Users and Groups and follow its '
                "link.",
            )
        return None

    @property
    def action(self):
        query = urlencode({"userid": self.userid})
        return f"{self.context.absolute_url()}/@@anonymise-customer?{query}"

    def back_url(self):
        query = urlencode({"userid": self.userid})
        return f"{self.context.absolute_url()}/@@customer-tickets?{query}"

    def anonymise(self, remove_attachments):
        count = tickets.anonymise_customer(
            self.userid, remove_attachments=remove_attachments
        )
        return (
            _(
                "msg_customer_anonymised",
                default="${count} tickets were anonymised.",
                mapping={"count": count},
            ),
            self.back_url(),
        )


class ExplainedFormWrapper(layout.FormWrapper):
    """A form page with its explanation under the title (Plone's form page
    has no room for a form's description)."""

    index = ViewPageTemplateFile("templates/explained_form.pt")


AnonymiseTicketView = layout.wrap_form(AnonymiseTicketForm, ExplainedFormWrapper)
AnonymiseCustomerView = layout.wrap_form(AnonymiseCustomerForm, ExplainedFormWrapper)
