"""Who may list the site's users: the ``restrict_user_listing`` setting.

A helpdesk's users are its customers: Plone lets every member search them
(user vocabularies, the sharing page, the member search, author pages), which
hands one customer the list of the others. With the setting on, only the
staff list users; everybody else sees themselves.
"""

from collective.tickets.core.people import current_userid
from collective.tickets.core.people import is_staff
from collective.tickets.core.settings import setting
from collective.tickets.interfaces import ICollectiveTicketsLayer
from plone import api
from plone.app.vocabularies.principals import GroupsFactory
from plone.app.vocabularies.principals import PrincipalsFactory
from plone.app.vocabularies.principals import PrincipalsVocabulary
from plone.app.vocabularies.principals import SOURCES
from plone.app.vocabularies.principals import UsersFactory
from zope.globalrequest import getRequest
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


def user_listing_restricted(request=None):
    """Is the restriction in force for this request?

    Only on sites with the add-on installed (their requests carry its
    browser layer): the vocabularies are replaced for the whole process.
    Code run without a request (scripts, upgrades) is not restricted.
    """
    request = request if request is not None else getRequest()
    if request is None or not ICollectiveTicketsLayer.providedBy(request):
        return False
    return bool(setting("restrict_user_listing"))


def may_list_users():
    """May the current user search and list the site's users and groups?"""
    if not user_listing_restricted():
        return True
    if api.user.is_anonymous():
        return False
    return is_staff()


def may_see_user(userid):
    """May the current user see ``userid``'s name and page? Staff see
    everybody, and everybody sees themselves."""
    if may_list_users():
        return True
    return bool(userid) and userid == current_userid()


class OwnPrincipalsVocabulary(PrincipalsVocabulary):
    """Only the terms it was made with.

    Plone's principals vocabulary answers for any id or token by asking the
    user folder, so a restricted list would still name anybody whose id is
    guessed (``@vocabularies/...?token=customer2``).
    """

    def __contains__(self, value):
        return SimpleVocabulary.__contains__(self, value)

    def getTerm(self, value):
        return SimpleVocabulary.getTerm(self, value)

    def getTermByToken(self, token):
        return SimpleVocabulary.getTermByToken(self, token)


def _own_terms(source, query):
    """The current user's own term, if it matches ``query``; never a group."""
    if source == "group" or api.user.is_anonymous():
        return []
    user = api.user.get_current()
    userid = user.getId()
    title = user.getProperty("fullname", "") or userid
    query = (query or "").replace("*", "").strip().lower()
    if query and query not in f"{userid} {title}".lower():
        return []
    if SOURCES[source]["prefix"]:
        return [SimpleTerm(f"user:{userid}", f"user__{userid}", title)]
    return [SimpleTerm(userid, userid, title)]


class RestrictedFactoryMixin:
    """Plone's factory for staff; for everybody else only their own term."""

    def __call__(self, context, query=""):
        if may_list_users():
            return super().__call__(context, query)
        vocabulary = OwnPrincipalsVocabulary(_own_terms(self.source, query))
        vocabulary.principal_source = self.source
        return vocabulary


class RestrictedUsersFactory(RestrictedFactoryMixin, UsersFactory):
    pass


class RestrictedGroupsFactory(RestrictedFactoryMixin, GroupsFactory):
    pass


class RestrictedPrincipalsFactory(RestrictedFactoryMixin, PrincipalsFactory):
    pass
