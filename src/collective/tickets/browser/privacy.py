"""Plone's pages that find or show other users, as ``restrict_user_listing``
allows: the same classes, with a check first (see collective.tickets.core.user_listing).
"""

from AccessControl import Unauthorized
from collective.tickets.core.user_listing import may_list_users
from collective.tickets.core.user_listing import may_see_user
from plone.app.users.browser.membersearch import MemberSearchForm
from plone.app.workflow.browser.sharing import SharingView
from Products.CMFPlone.browser import author
from Products.CMFPlone.browser.author import AuthorView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile

import os


class PrivateAuthorView(AuthorView):
    """The author page and its contact form, for the user themselves and
    the staff only."""

    index = ViewPageTemplateFile(
        "templates/author.pt", _prefix=os.path.dirname(author.__file__)
    )

    def __call__(self):
        # The contact form mails whoever its hidden "author" field names,
        # whatever page it is posted to.
        addressed = self.request.form.get("form.widgets.author") or None
        for userid in (self.username, addressed):
            if userid and not may_see_user(userid):
                raise Unauthorized("Only the staff see other users' pages.")
        return super().__call__()


class PrivateSharingView(SharingView):
    """The sharing page: its user and group search answers only the staff.

    The principals that already have roles here are still listed.
    """

    def user_search_results(self):
        if not may_list_users():
            return []
        return super().user_search_results()

    def group_search_results(self):
        if not may_list_users():
            return []
        return super().group_search_results()


class PrivateMemberSearchForm(MemberSearchForm):
    """The member search form, for the staff only."""

    def update(self):
        if not may_list_users():
            raise Unauthorized("Only the staff search the site's users.")
        super().update()
