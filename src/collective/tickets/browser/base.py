"""What the ticket forms share: the CC grid's rows, uploads, submission
ids and the display of the API's errors."""

from Acquisition import aq_inner
from collective.tickets import _
from collective.tickets.browser.widgets import share_editor_options
from collective.tickets.core import uploads
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.people import current_userid
from functools import cached_property
from plone import api
from plone.app.layout.viewlets.common import ViewletBase
from plone.app.z3cform.widgets.richtext import RichTextWidget
from plone.protect.authenticator import check as check_authenticator
from plone.z3cform import z2
from plone.z3cform.interfaces import IWrappedForm
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from uuid import uuid4
from z3c.form import field
from z3c.form.interfaces import HIDDEN_MODE
from z3c.form.interfaces import IErrorViewSnippet
from z3c.form.interfaces import IFormLayer
from z3c.form.interfaces import INPUT_MODE
from zExceptions import NotFound
from zope import schema
from zope.component import getMultiAdapter
from zope.i18n import translate
from zope.interface import alsoProvides
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


def filled_cc_rows(rows):
    """The grid always offers an empty row to type in: it is not a recipient."""
    return [row for row in rows or () if row.get("email") or row.get("name")]


def upload_file(upload):
    """``(filename, data, content_type)`` of a browser upload."""
    upload.seek(0)
    content_type = upload.headers.get("content-type") if upload.headers else None
    return upload.filename, upload.read(), content_type


class FormViewlet(ViewletBase):
    """A viewlet that shows a form on the ticket's page (the reply box, the
    note box, the handling panel), as plone.app.discussion shows its
    comment form, while ``available()``."""

    form_class = None
    form = None

    def available(self):
        return True

    def update(self):
        super().update()
        if not self.available():
            return
        z2.switch_on(self, request_layer=IFormLayer)
        self.form = self.new_form
        alsoProvides(self.form, IWrappedForm)
        self.form.update()

    @cached_property
    def new_form(self):
        """The form, made but not yet updated: ``available()`` may ask it
        what it has already worked out (who may use which button)."""
        return self.form_class(aq_inner(self.context), self.request)

    def render(self):
        if self.form is None:
            return ""
        return self.index()


class CompactFormMixin:
    """A form of the ticket's page drawn by a template of ours instead of
    Plone's form macros: the same markup for each field (label, widget,
    help, error) and buttons, without the macros' fieldsets, tabs and groups
    these forms do not have. The macros evaluate a dozen Python expressions
    per field; here Python prepares each field once (``compact_fields``)."""

    template = ViewPageTemplateFile("templates/compact_form.pt")
    css_class = ""
    status_type = "error"

    def compact_fields(self):
        fields = []
        for widget in self.widgets.values():
            if widget.mode == HIDDEN_MODE:
                fields.append({"widget": widget, "hidden": True})
                continue
            editable = widget.mode == INPUT_MODE
            error = widget.error
            empty = widget.value in (None, "", [], ())
            fields.append(
                {
                    "widget": widget,
                    "hidden": False,
                    "id": f"formfield-{widget.id}",
                    "css": (
                        f"mb-3 field fieldname-{widget.name} "
                        f"widget-mode-{widget.mode}"
                        f"{' error' if error else ''}{' empty' if empty else ''}"
                    ),
                    "label": widget.label if editable else "",
                    "required": widget.required,
                    "description": (
                        getattr(widget, "description", widget.field.description)
                        if editable
                        else ""
                    ),
                    "error": error.render() if error else "",
                }
            )
        return fields

    def form_css(self):
        """The ``<form>`` element's CSS classes."""
        classes = ["rowlike", self.css_class]
        if getattr(self, "enable_unload_protection", True):
            classes.append("pat-formunloadalert")
        return " ".join(c for c in classes if c)

    def status_css(self):
        """The status line's classes, as Plone's form macros show them: red
        for a refused submission (all these forms say today), blue for a
        form that sets ``status_type = "info"`` to say something else."""
        if self.status_type == "info":
            return "portalMessage statusmessage statusmessage-info alert alert-info"
        return "portalMessage statusmessage statusmessage-error alert alert-danger"


class MessageFormMixin:
    """What the new ticket and the reply forms do alike on submit."""

    def updateFields(self):
        super().updateFields()
        # One id per rendered form: sending it twice (a double click, the
        # browser's resend) gives back what the first submission created.
        self.fields += field.Fields(
            schema.ASCIILine(__name__="submission_id", required=False)
        )
        self.fields["submission_id"].mode = HIDDEN_MODE

    def updateWidgets(self):
        super().updateWidgets()
        widget = self.widgets["submission_id"]
        if not widget.value:
            widget.value = uuid4().hex
        text = self.widgets.get("text")
        if isinstance(text, RichTextWidget):
            share_editor_options(text)

    def submit(self, action):
        """Validate, check the CSRF token, then return ``action(data)``.

        Returns None when the form has to be shown again with its errors: the
        form's own ones or those the API found (the widget they are about is
        marked, as z3c.form does). The files the form carried are then held
        and shown as already attached, for the next submission.
        """
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            self.hold_uploads()
            return None
        check_authenticator(self.request)
        try:
            result = action(data)
        except TicketStateError:
            raise
        except TicketInputError as error:
            self.show_error(error)
            self.hold_uploads()
            return None
        widget = self.widgets.get("attachments")
        if widget is not None:
            uploads.discard(current_userid(), widget.posted_token())
        return result

    def hold_uploads(self):
        """Browsers never refill a file input: keep the files of this
        submission (and those held before) for the form shown again."""
        widget = self.widgets.get("attachments")
        if widget is None:
            return
        files = widget.new_uploads()
        if not files and not widget.posted_token():
            return
        # Holding files is a write: only for a submission from our own page.
        check_authenticator(self.request)
        token, failures = uploads.hold(
            current_userid(),
            widget.posted_token(),
            [upload_file(upload) for upload in files],
            remove=widget.removed_keys(),
        )
        widget.held_token = token
        if failures:
            details = " ".join(
                translate(message, context=self.request) for message in failures
            )
            self.replace_error(
                widget,
                TicketInputError(
                    _(
                        "error_files_not_attached",
                        default="These files were not attached: ${details}",
                        mapping={"details": details},
                    ),
                    field="attachments",
                ),
            )

    def replace_error(self, widget, error):
        """Show ``error`` on ``widget`` instead of what it said before."""
        self.widgets.errors = tuple(
            snippet
            for snippet in self.widgets.errors
            if getattr(snippet, "widget", None) is not widget
        )
        widget.error = None
        self.show_error(error)

    def show_error(self, error):
        widget = self.widgets.get(error.field) if error.field else None
        if widget is None:
            api.portal.show_message(error.message, request=self.request, type="error")
            self.status = error.message
            return
        snippet = getMultiAdapter(
            (
                error,
                self.request,
                widget,
                widget.field,
                self,
                self.context,
            ),
            IErrorViewSnippet,
        )
        snippet.update()
        widget.error = snippet
        self.widgets.errors += (snippet,)
        self.status = self.formErrorsMessage


@implementer(IPublishTraverse)
class SignedLinkView(BrowserView):
    """A page behind a link from a mail, ``@@view/<signed token>``: the token
    is the visitor's proof (no login), read from the one path segment after
    the view's name."""

    token = None

    def publishTraverse(self, request, name):
        if self.token is None:
            self.token = name
            return self
        raise NotFound(name)

    @property
    def action_url(self):
        return f"{self.context.absolute_url()}/@@{self.__name__}/{self.token}"
