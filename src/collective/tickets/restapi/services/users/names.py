"""``PATCH @users/<id>`` and ``POST @users``: the member-name rules of the
personal-information form, which plone.restapi does not apply."""

from collective.tickets.users import name_problem
from collective.tickets.users import STAFF_ROLES
from plone.restapi.services.users.add import UsersPost
from plone.restapi.services.users.update import UsersPatch
from zope.i18n import translate

import json


NAME_FIELDS = ("fullname", "ticket_display_name")


def _body(request):
    """The JSON body, or None: Plone's own service answers a broken one."""
    try:
        return json.loads(request.get("BODY") or "{}")
    except ValueError:
        return None


def _names_error(service, body, userid, staff=None):
    """A 400 answer for the first name in ``body`` that breaks the rules."""
    if not isinstance(body, dict):
        return None
    for field in NAME_FIELDS:
        value = body.get(field)
        if not isinstance(value, str):
            continue
        problem = name_problem(value, userid, staff=staff)
        if problem is not None:
            service.request.response.setStatus(400)
            return {
                "error": {
                    "type": "Bad Request",
                    "message": translate(problem, context=service.request),
                    "field": field,
                }
            }
    return None


class CheckedUsersPatch(UsersPatch):
    def reply(self):
        # Only who may change the user hears about the names: nobody else
        # learns from the answer whether a name belongs to the staff.
        may_change = len(self.params) == 1 and (
            self.can_manage_users or self._get_current_user == self.params[0]
        )
        if may_change:
            error = _names_error(self, _body(self.request), self.params[0])
            if error is not None:
                return error
        return super().reply()


class CheckedUsersPost(UsersPost):
    def reply(self):
        body = _body(self.request)
        if isinstance(body, dict):
            roles = body.get("roles") or ()
            staff = any(role in STAFF_ROLES for role in roles)
            error = _names_error(self, body, body.get("username"), staff=staff)
            if error is not None:
                return error
        return super().reply()
