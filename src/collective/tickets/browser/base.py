"""What the ticket screens share: state labels and form error display."""

from collective.tickets import _
from collective.tickets.errors import as_validation_error
from collective.tickets.errors import TicketInputError
from collective.tickets.errors import TicketStateError
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
from z3c.form.interfaces import NO_VALUE
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


def warn_about_lost_uploads(form):
    """Browsers never refill a file input: say so instead of losing files silently."""
    widget = form.widgets.get("attachments")
    if widget is not None and widget.extract() is not NO_VALUE:
        api.portal.show_message(
            _(
                "msg_select_files_again",
                default="Your attachments were not saved because the form has "
                "errors: select them again before sending.",
            ),
            request=form.request,
            type="warning",
        )


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
        marked, as z3c.form does).
        """
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            warn_about_lost_uploads(self)
            return None
        check_authenticator(self.request)
        try:
            return action(data)
        except TicketStateError:
            raise
        except TicketInputError as error:
            self.show_error(error)
            warn_about_lost_uploads(self)
            return None

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
