"""Dates as people read them: Plone's own long format, on pages and in mails."""

from DateTime import DateTime
from plone import api
from plone.base.i18nl10n import get_formatstring_from_registry
from zope.globalrequest import getRequest


# Plone formats a date by translating its format and then each month and
# weekday name (about 1 ms a date): a conversation of 50 messages spent 40 ms
# on its dates. What it gives depends only on the reader's language, the
# format of the "Language" control panel and the date itself, so it is kept,
# for as many dates as a busy site shows.
_FORMATTED = {}
_FORMATTED_LIMIT = 20000


def _date_key(date):
    if isinstance(date, DateTime):
        return ("DateTime", date.ISO8601(), date.timezone())
    return (type(date).__name__, date.isoformat(), str(date.tzname() or ""))


def localized(date):
    """``date`` (a datetime or a DateTime) in the site's long date format,
    exactly as Plone shows it (its translations and the format set in the
    "Language" control panel), or "" for no date."""
    if not date:
        return ""
    request = getRequest()
    language = request.get("LANGUAGE") if request is not None else None
    if not language:
        return api.portal.get_localized_time(datetime=date, long_format=True)
    key = (
        language,
        get_formatstring_from_registry("date_format_long"),
        _date_key(date),
    )
    text = _FORMATTED.get(key)
    if text is None:
        text = api.portal.get_localized_time(datetime=date, long_format=True)
        if len(_FORMATTED) >= _FORMATTED_LIMIT:
            _FORMATTED.clear()
        _FORMATTED[key] = text
    return text
