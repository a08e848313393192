"""The "New ticket" form: a customer opens a ticket without seeing their member folder."""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.base import filled_cc_rows
from collective.tickets.browser.base import MessageFormMixin
from collective.tickets.browser.desk import category_choices
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.content.ticket import ITicket
from collective.tickets.core import desk
from plone import api
from plone.autoform.form import AutoExtensibleForm
from plone.z3cform import layout
from plone.z3cform.interfaces import IDeferSecurityCheck
from z3c.form import button
from z3c.form import field
from z3c.form import form
from zope import schema


class NewTicketForm(MessageFormMixin, AutoExtensibleForm, form.Form):
    schema = ITicket
    ignoreContext = True
    enable_autofocus = True
    label = _("heading_new_ticket", default="New ticket")
    description = _(
        "help_new_ticket",
        default="Tell us what you need. You can follow the ticket and reply to "
        "the staff from My tickets.",
    )

    def updateFields(self):
        super().updateFields()
        if desk.categories():
            # Asked only while managers keep a list of categories.
            category = field.Fields(
                schema.Choice(
                    __name__="category",
                    title=_("label_category", default="Category"),
                    description=_(
                        "help_category",
                        default="What is your request about? It helps us pass "
                        "it to the right person.",
                    ),
                    source=category_choices,
                    required=True,
                )
            )
            self.fields = (
                self.fields.select("title") + category + self.fields.omit("title")
            )

    def check_access(self):
        """Members open tickets; the view's own permission lets anonymous in."""
        if api.user.is_anonymous():
            raise Unauthorized("Log in to open a ticket.")

    def update(self):
        # While ++widget++ is traversed the user is not known yet; the
        # traverser calls check_access once it is.
        if not IDeferSecurityCheck.providedBy(self.request):
            self.check_access()
        hide_portlet_columns(self.request)
        super().update()

    # "add" makes it the form's primary button, as in Plone's own add forms.
    @button.buttonAndHandler(_("button_open_ticket", default="Open ticket"), name="add")
    def handle_open(self, action):
        ticket = self.submit(
            lambda data: tickets.create(
                subject=data["title"],
                text=data["text"],
                cc=filled_cc_rows(data.get("cc_recipients")),
                attachments=data.get("attachments") or (),
                submission_id=data.get("submission_id"),
                category=data.get("category"),
            )
        )
        if ticket is None:
            return
        api.portal.show_message(
            _("msg_ticket_opened", default="Your ticket has been opened."),
            request=self.request,
        )
        self.request.response.redirect(ticket.absolute_url())

    @button.buttonAndHandler(_("button_cancel", default="Cancel"), name="cancel")
    def handle_cancel(self, action):
        self.request.response.redirect(
            api.portal.get().absolute_url() + "/@@my-tickets"
        )


NewTicketView = layout.wrap_form(NewTicketForm)
