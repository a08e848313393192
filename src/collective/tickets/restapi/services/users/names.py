"""``PATCH @users/<id>`` and ``POST @users``: the member-name rules of the
personal-information form, which plone.restapi does not apply."""

from collective.tickets.core.people import name_problem
from collective.tickets.core.people import STAFF_ROLES
from collective.tickets.restapi.services.base import bad_request
from plone.restapi.services.users.add import UsersPost
from plone.restapi.services.users.update import UsersPatch

import json


NAME_FIELDS = ("fullname", "ticket_display_name")


def _body(request):
    """The JSON body, or None: Plone's own service answers a broken one."""
    try:
        return json.loads(request.get("BODY") or "{}")
    except ValueError:
        return None


def check_names(request, body, userid, staff=None):
    """Raise a 400 naming the first name in ``body`` that breaks the rules."""
    if not isinstance(body, dict):
        return
    for field in NAME_FIELDS:
        value = body.get(field)
        if not isinstance(value, str):
            continue
        problem = name_problem(value, userid, staff=staff)
        if problem is not None:
            raise bad_request(request, problem, field)


class CheckedUsersPatch(UsersPatch):
    def reply(self):
        # Only who may change the user hears about the names: nobody else
        # learns from the answer whether a name belongs to the staff.
        may_change = len(self.params) == 1 and (
            self.can_manage_users or self._get_current_user == self.params[0]
        )
        if may_change:
            check_names(self.request, _body(self.request), self.params[0])
        return super().reply()


class CheckedUsersPost(UsersPost):
    def reply(self):
        body = _body(self.request)
        if isinstance(body, dict):
            roles = body.get("roles") or ()
            staff = any(role in STAFF_ROLES for role in roles)
            check_names(self.request, body, body.get("username"), staff=staff)
        return super().reply()
