"""Canned replies on the screens: the managers' page that keeps them
(``@@tickets-canned-replies``), and the staff's picker in the reply box
(``@@canned-reply`` on a ticket gives one, filled in for that ticket)."""

from Acquisition import aq_inner
from collective.tickets import _
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.core import canned
from collective.tickets.core.errors import TicketInputError
from plone import api
from plone.app.textfield import RichText
from plone.app.textfield.value import RichTextValue
from plone.app.z3cform.widgets.richtext import RichTextFieldWidget
from plone.autoform import directives
from plone.autoform.form import AutoExtensibleForm
from plone.protect.authenticator import check as check_authenticator
from plone.z3cform import z2
from plone.z3cform.interfaces import IWrappedForm
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from z3c.form import button
from z3c.form import form
from z3c.form.interfaces import IFormLayer
from zope import schema
from zope.interface import alsoProvides
from zope.interface import Interface
from zope.interface import provider
from zope.schema.interfaces import IContextSourceBinder
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary

import json


PLACEHOLDER_HELP = _(
    "help_canned_text",
    default="These are replaced by the ticket's values when a staff member "
    "inserts the reply: ${customer_name}, ${ticket_number}, ${ticket_title}, "
    "${staff_name}.",
)


@provider(IContextSourceBinder)
def languages(context):
    available = api.portal.get_registry_record(
        "plone.available_languages", default=["en"]
    )
    terms = [SimpleTerm("", "any", _("canned_any_language", default="Any language"))]
    terms += [SimpleTerm(code, code, code) for code in available]
    return SimpleVocabulary(terms)


class ICannedReplyFields(Interface):
    title = schema.TextLine(
        title=_("label_canned_title", default="Title"),
        max_length=canned.MAX_TITLE,
        required=True,
    )
    language = schema.Choice(
        title=_("label_canned_language", default="Language"),
        source=languages,
        required=False,
    )
    directives.widget("text", RichTextFieldWidget)
    text = RichText(
        title=_("label_canned_text", default="Text"),
        description=PLACEHOLDER_HELP,
        # HTML only, as the messages it goes into: no format to choose.
        default_mime_type="text/html",
        output_mime_type="text/x-html-safe",
        allowed_mime_types=("text/html",),
        required=True,
    )


class CannedReplyForm(AutoExtensibleForm, form.Form):
    schema = ICannedReplyFields
    ignoreContext = True
    prefix = "canned"
    enable_autofocus = False

    @property
    def canned_id(self):
        return self.request.form.get("id") or None

    @property
    def label(self):
        if self.canned_id:
            return _("heading_canned_edit", default="Edit the canned reply")
        return _("heading_canned_add", default="Add a canned reply")

    @property
    def action(self):
        url = f"{api.portal.get().absolute_url()}/@@tickets-canned-replies"
        return f"{url}?id={self.canned_id}" if self.canned_id else url

    def updateWidgets(self):
        super().updateWidgets()
        reply = canned.get_canned(self.canned_id) if self.canned_id else None
        if reply is not None and not self.request.form.get("canned.buttons.save"):
            self.widgets["title"].value = reply.title
            self.widgets["language"].value = [reply.language or "any"]
            self.widgets["text"].value = RichTextValue(
                reply.text, "text/html", "text/x-html-safe"
            )

    @button.buttonAndHandler(_("button_canned_save", default="Save"), name="save")
    def handle_save(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        check_authenticator(self.request)
        text = data["text"]
        try:
            canned.save_canned(
                data["title"],
                text.raw if hasattr(text, "raw") else text,
                data.get("language") or "",
                canned_id=self.canned_id,
            )
        except TicketInputError as error:
            self.status = error.message
            return
        api.portal.show_message(
            _("msg_canned_saved", default="The canned reply was saved."),
            request=self.request,
        )
        self.request.response.redirect(
            f"{api.portal.get().absolute_url()}/@@tickets-canned-replies"
        )


class CannedRepliesView(BrowserView):
    """The managers' list of canned replies, with the form to add one or
    change the one ``?id=`` names, and a delete button per reply."""

    index = ViewPageTemplateFile("templates/canned_replies.pt")

    def __call__(self):
        hide_portlet_columns(self.request)
        if self.request.method == "POST" and self.request.form.get("delete"):
            check_authenticator(self.request)
            canned.delete_canned(self.request.form["delete"])
            api.portal.show_message(
                _("msg_canned_deleted", default="The canned reply was deleted."),
                request=self.request,
            )
            self.request.response.redirect(self.request.getURL())
            return ""
        z2.switch_on(self, request_layer=IFormLayer)
        self.form = CannedReplyForm(aq_inner(self.context), self.request)
        # Rendered in this page, not as a page of its own.
        alsoProvides(self.form, IWrappedForm)
        self.form.update()
        if self.request.response.getStatus() in (301, 302):
            return ""
        return self.index()

    def replies(self):
        return canned.canned_replies()


class CannedReplyJSON(BrowserView):
    """``@@canned-reply?id=…`` on a ticket: the canned reply filled in for
    it, as JSON, for the picker's script (staff only: the page's permission
    and the core's check)."""

    def __call__(self):
        response = self.request.response
        response.setHeader("Content-Type", "application/json")
        response.setHeader("Cache-Control", "no-store")
        reply = canned.get_canned(self.request.form.get("id"))
        if reply is None:
            response.setStatus(404)
            return json.dumps({"error": "There is no such canned reply."})
        return json.dumps(
            {"title": reply.title, "text": canned.fill(reply, aq_inner(self.context))}
        )
