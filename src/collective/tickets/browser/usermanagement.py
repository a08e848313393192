"""Plone's per-user management pages, with a "Customer tickets" tab.

Plone writes those tabs into the templates, with no viewlet manager, action
category or macro slot to add one, so the templates are copies with one tab
more; the classes are Plone's own. tests/unit/test_plone_copies.py fails when
the installed originals change.
"""

from plone.app.users.browser.personalpreferences import PersonalPreferencesConfiglet
from plone.app.users.browser.userdatapanel import UserDataConfiglet
from Products.CMFPlone.controlpanel.browser.usergroups_usermembership import (
    UserMembershipControlPanel,
)
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile


ACCOUNT_CONFIGLET = ViewPageTemplateFile(
    "templates/usermanagement/account-configlet.pt"
)


class UserInformation(UserDataConfiglet):
    template = ACCOUNT_CONFIGLET


class UserPreferences(PersonalPreferencesConfiglet):
    template = ACCOUNT_CONFIGLET


class UserMembership(UserMembershipControlPanel):
    """Registered with its template in ZCML, as Plone registers the original."""
