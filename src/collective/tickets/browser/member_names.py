"""The names on Plone's personal-information, user-management, registration
and add-user forms.

plone.app.users builds those forms from the member schema (Plone's fields and
ours, member_fields.py), so the check is a z3c.form validator for the name
fields of its forms.
"""

from collective.tickets.core.people import name_problem
from plone.app.users.browser.interfaces import IAccountPanelForm
from plone.app.users.browser.register import BaseRegistrationForm
from z3c.form import validator
from zope.interface import Invalid
from zope.schema.interfaces import ITextLine


NAME_FIELDS = ("fullname", "ticket_display_name")


class MemberNameValidator(validator.SimpleFieldValidator):
    """Refuse names with control characters or markup, and names of staff
    members, the site or its mail sender for anybody but the staff."""

    def validate(self, value, force=False):
        super().validate(value, force)
        if self.field.__name__ not in NAME_FIELDS or not value:
            return
        # The member being edited; a new member (registration) is nobody yet.
        member = getattr(self.view, "member", None)
        userid = member.getId() if member is not None else None
        problem = name_problem(value, userid)
        if problem is not None:
            raise Invalid(problem)


validator.WidgetValidatorDiscriminators(
    MemberNameValidator, view=IAccountPanelForm, field=ITextLine
)


class NewMemberNameValidator(MemberNameValidator):
    """The same rules when somebody registers or a manager adds a user."""


validator.WidgetValidatorDiscriminators(
    NewMemberNameValidator, view=BaseRegistrationForm, field=ITextLine
)
