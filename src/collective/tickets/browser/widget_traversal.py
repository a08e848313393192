"""``++widget++`` traversal that checks the form's permissions.

plone.z3cform's traverser updates the form, which processes a submission,
during traversal, when the publisher does not know the user yet, and "delegates
the check to the widget view", which nothing does. Through
``<ticket>/@@edit/++widget++text`` anybody read a ticket's message and, by
posting the edit form's fields there, rewrote it. These traversers, registered
for the add-on's browser layer, never let the form act on a submission while
it is traversed, and ask for every permission the form itself needs as soon
as the user is known (a post-traversal hook, which runs after authentication
and before anything is rendered). Tickets, replies and the add-on's own forms
are always checked; the rest of the site too while the
``protect_widget_traversal`` setting is on.
"""

from AccessControl import getSecurityManager
from AccessControl import Unauthorized
from AccessControl.PermissionRole import PermissionRole
from Acquisition import aq_inner
from collective.tickets.content.reply import ITicketReply
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.settings import setting
from collective.tickets.permissions import permission_title
from plone.dexterity.interfaces import IDexterityFTI
from plone.z3cform.traversal import FormWidgetTraversal
from plone.z3cform.traversal import WrapperWidgetTraversal
from Products.CMFCore.permissions import AddPortalContent
from Products.CMFCore.permissions import ModifyPortalContent
from Products.CMFCore.permissions import View
from z3c.form.interfaces import IAddForm
from z3c.form.interfaces import IDisplayForm
from z3c.form.interfaces import IEditForm
from zope.component import queryUtility


PACKAGE = "collective.tickets"


def _is_ours(form, content, portal_type):
    if ITicket.providedBy(content) or ITicketReply.providedBy(content):
        return True
    if type(form).__module__.startswith(PACKAGE + "."):
        return True
    fti = queryUtility(IDexterityFTI, name=portal_type) if portal_type else None
    return fti is not None and (fti.klass or "").startswith(PACKAGE + ".")


def _view_permissions(view):
    """The permission the publisher would check before calling ``view``."""
    roles = getattr(type(view), "__call____roles__", None)
    if isinstance(roles, PermissionRole):
        return [roles.__name__]
    return []


def required_permissions(view, form):
    """Every permission that a user needs on the form's context to use it.

    The view's own permission (what publishing the form would ask), View on
    what the form shows, and what the kind of form implies: Modify portal
    content for an edit form, the type's add permission for an add form.
    """
    permissions = [View, *_view_permissions(view)]
    if view is not form:
        permissions += _view_permissions(form)
    if IEditForm.providedBy(form):
        permissions.append(ModifyPortalContent)
    if IAddForm.providedBy(form):
        permissions.append(AddPortalContent)
        fti = queryUtility(IDexterityFTI, name=getattr(form, "portal_type", ""))
        if fti is not None and fti.add_permission:
            permissions.append(permission_title(fti.add_permission))
    elif IDisplayForm.providedBy(form):
        permissions.append(View)
    return list(dict.fromkeys(permissions))


def check_widget_traversal(view, form):
    """Raise Unauthorized unless the current user may use ``form``."""
    content = aq_inner(form.context)
    portal_type = getattr(form, "portal_type", None) or getattr(
        content, "portal_type", None
    )
    if not (
        _is_ours(form, content, portal_type) or setting("protect_widget_traversal")
    ):
        return
    if IAddForm.providedBy(form):
        # What the add form itself checks, but skips while it is traversed.
        fti = queryUtility(IDexterityFTI, name=getattr(form, "portal_type", ""))
        allowed = getattr(content, "allowedContentTypes", list)()
        if fti is not None and (
            not fti.isConstructionAllowed(content)
            or fti.getId() not in [info.getId() for info in allowed]
        ):
            raise Unauthorized(f"Cannot add {fti.getId()} here.")
    check = getSecurityManager().checkPermission
    for permission in required_permissions(view, form):
        if not check(permission, content):
            raise Unauthorized(f"'{permission}' is needed to use this form.")
    # A form that refuses more than its permissions say (the new ticket form
    # refuses anonymous) says so in check_access.
    check_access = getattr(form, "check_access", None)
    if check_access is not None:
        check_access()


def check_when_user_known(request, view, form):
    """Run check_widget_traversal once the publisher has authenticated the
    user: during traversal the security manager still holds Anonymous."""
    try:
        request.post_traverse(check_widget_traversal, (view, form))
    except (AttributeError, RuntimeError):
        # Traversed from code (restrictedTraverse), not published: the
        # security manager already holds the real user.
        check_widget_traversal(view, form)


def without_actions(form):
    """Let ``form`` update its widgets but run none of its buttons: a URL
    that reaches a widget must never save, add or delete anything."""
    update_actions = form.updateActions

    def updateActions():
        update_actions()
        form.actions.execute = lambda: None

    form.updateActions = updateActions
    return form


class CheckedFormWidgetTraversal(FormWidgetTraversal):
    """``<form-view>/++widget++name``, where the view is the form itself."""

    def _prepareForm(self):
        form = super()._prepareForm()
        check_when_user_known(self.request, form, form)
        return without_actions(form)


class CheckedWrapperWidgetTraversal(WrapperWidgetTraversal):
    """``<context>/@@edit/++widget++name``: the view wraps the form."""

    def _prepareForm(self):
        check_when_user_known(self.request, self.context, self.context.form_instance)
        return without_actions(super()._prepareForm())
