"""What the ticket screens share: state labels and form error display."""

from collective.tickets import _
from collective.tickets import uploads
from collective.tickets.errors import as_validation_error
from collective.tickets.errors import TicketInputError
from collective.tickets.errors import TicketStateError
from collective.tickets.users import current_userid
from DateTime import DateTime
from plone import api
from plone.base.i18nl10n import get_formatstring_from_registry
from plone.base.i18nl10n import monthname_msgid
from plone.base.i18nl10n import monthname_msgid_abbr
from plone.base.i18nl10n import weekdayname_msgid
from plone.base.i18nl10n import weekdayname_msgid_abbr
from plone.protect.authenticator import check as check_authenticator
from uuid import uuid4
from z3c.form import field
from z3c.form.interfaces import HIDDEN_MODE
from z3c.form.interfaces import IErrorViewSnippet
from zope import schema
from zope.annotation.interfaces import IAnnotations
from zope.component import getMultiAdapter
from zope.globalrequest import getRequest
from zope.i18n import interpolate
from zope.i18n import translate

import re


STATE_TITLES = {
    "in_progress": _("state_in_progress", default="In progress"),
    "completed": _("state_completed", default="Completed"),
}
STATE_BADGES = {
    "in_progress": "text-bg-primary",
    "completed": "text-bg-secondary",
}


def state_title(state):
    return STATE_TITLES.get(state, state)


def state_badge(state):
    return STATE_BADGES.get(state, "text-bg-light")


_DATE_FORMATTER_KEY = "collective.tickets.date_formatter"
_FORMAT_ELEMENT = re.compile(r"\$\{?([a-zA-Z])\}?")
_NAME_MSGIDS = {
    "a": lambda date: weekdayname_msgid_abbr(date.isoweekday() % 7),
    "A": lambda date: weekdayname_msgid(date.isoweekday() % 7),
    "b": lambda date: monthname_msgid_abbr(date.month),
    "B": lambda date: monthname_msgid(date.month),
}
_NUMBER_ELEMENTS = set("HImdMpSYy")


class DateFormatter:
    """Plone's long date format (``ulocalized_time``) for the dates of one page.

    A conversation or a listing shows dozens of dates; Plone translates the
    format and the month name again for each. This looks them up once per
    request and falls back to Plone's own function for what it does not
    know (a strftime format set in the control panel, a time zone name).
    """

    def __init__(self, request):
        self.request = request
        self.names = {}
        self.template = None
        if get_formatstring_from_registry("date_format_long") is not None:
            return
        template = translate("date_format_long", domain="plonelocales", context=request)
        elements = set(_FORMAT_ELEMENT.findall(template))
        if template != "date_format_long" and elements <= (
            _NUMBER_ELEMENTS | set(_NAME_MSGIDS)
        ):
            self.template = template
            self.elements = elements

    def __call__(self, date):
        if not date:
            return ""
        if self.template is None:
            return api.portal.get_localized_time(datetime=date, long_format=True)
        if isinstance(date, DateTime):
            date = date.asdatetime()
        # As Plone's DateTime.strftime: in the server's time zone.
        date = date.astimezone()
        mapping = {}
        for element in self.elements:
            if element in _NAME_MSGIDS:
                mapping[element] = self.name(_NAME_MSGIDS[element](date))
            else:
                mapping[element] = date.strftime("%" + element)
        return interpolate(self.template, mapping)

    def name(self, msgid):
        if msgid not in self.names:
            self.names[msgid] = translate(
                msgid, domain="plonelocales", context=self.request, default=msgid
            )
        return self.names[msgid]


def localized(date):
    """``date`` (a datetime or a DateTime) in the site's long date format."""
    request = getRequest()
    if request is None:
        return api.portal.get_localized_time(datetime=date, long_format=True)
    annotations = IAnnotations(request)
    formatter = annotations.get(_DATE_FORMATTER_KEY)
    if formatter is None:
        formatter = annotations[_DATE_FORMATTER_KEY] = DateFormatter(request)
    return formatter(date)


def filled_cc_rows(rows):
    """The grid always offers an empty row to type in: it is not a recipient."""
    return [row for row in rows or () if row.get("email") or row.get("name")]


def upload_file(upload):
    """``(filename, data, content_type)`` of a browser upload."""
    upload.seek(0)
    content_type = upload.headers.get("content-type") if upload.headers else None
    return upload.filename, upload.read(), content_type


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
                as_validation_error(error),
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
