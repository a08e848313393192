"""Dates as people read them: Plone's own long format, on pages and in mails."""

from plone import api


def localized(date):
    """``date`` (a datetime or a DateTime) in the site's long date format,
    exactly as Plone shows it (its translations and the format set in the
    "Language" control panel), or "" for no date."""
    if not date:
        return ""
    return api.portal.get_localized_time(datetime=date, long_format=True)
