"""``PATCH <ticket>/@desk``: assignee, priority and category (staff only),
each through the API that the handling panel uses."""

from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.people import is_staff
from collective.tickets.restapi.serializers.ticket import desk_json
from collective.tickets.restapi.services.base import bad_request
from collective.tickets.restapi.services.base import body_fields
from collective.tickets.restapi.services.base import cross_site_problem
from plone.protect.interfaces import IDisableCSRFProtection
from plone.restapi.services import Service
from zExceptions import Unauthorized
from zope.i18nmessageid import Message
from zope.interface import alsoProvides


def _field(name):
    return (
        str,
        _(
            "error_api_desk_type",
            default="'${name}' must be a string.",
            mapping={"name": name},
        ),
    )


FIELDS = {"priority": _field("priority"), "category": _field("category")}
DESK_FIELDS = ("assignee", "priority", "category")
UNKNOWN_FIELD = _(
    "error_api_desk_unknown_field",
    default="'${name}' is not a value of the desk: send 'assignee', "
    "'priority' or 'category'.",
)
ASSIGNEE_TYPE = _(
    "error_api_assignee_type",
    default="'assignee' must be the user id of a staff member, or null to unassign.",
)


class DeskPatch(Service):
    def reply(self):
        problem = cross_site_problem(self.request)
        if problem is not None:
            raise problem
        # The checks above stand in for the form's CSRF token.
        alsoProvides(self.request, IDisableCSRFProtection)
        ticket = self.context
        if not is_staff(obj=ticket):
            raise Unauthorized("Only the staff may change this.")
        try:
            body = body_fields(self.request, FIELDS)
            for name in body:
                if name not in DESK_FIELDS:
                    # A misspelt field would otherwise change nothing, silently.
                    raise TicketInputError(
                        Message(UNKNOWN_FIELD, mapping={"name": name[:80]}),
                        field=name[:80],
                    )
            if "assignee" in body:
                assignee = body["assignee"]
                if assignee is not None and not isinstance(assignee, str):
                    raise TicketInputError(ASSIGNEE_TYPE, field="assignee")
                self.apply("assignee", lambda: tickets.assign(ticket, assignee))
            if "priority" in body:
                self.apply(
                    "priority", lambda: tickets.set_priority(ticket, body["priority"])
                )
            if "category" in body:
                self.apply(
                    "category",
                    lambda: tickets.set_category(ticket, body["category"] or ""),
                )
        except TicketInputError as error:
            raise bad_request(self.request, error.message, error.field) from None
        return desk_json(ticket, self.request)

    def apply(self, field, change):
        try:
            change()
        except TicketInputError as error:
            error.field = error.field or field
            raise
