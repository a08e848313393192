"""Form-side checks that show every CC problem at once, in the user's words."""

from collective.tickets import _
from collective.tickets.browser.base import filled_cc_rows
from collective.tickets.content.ticket import ITicket
from collective.tickets.errors import as_validation_error
from collective.tickets.errors import TicketInputError
from collective.tickets.errors import TicketValidationError
from collective.tickets.recipients import normalize_cc
from collective.z3cform.datagridfield.datagridfield import DataGridValidator
from plone import api
from z3c.form import validator


class CCRecipientsValidator(DataGridValidator):
    def validate(self, value, force=False):
        try:
            super().validate(value, force)
        except ValueError:
            # The grid only knows that a row failed; each row shows why.
            raise TicketValidationError(
                _(
                    "error_cc_rows",
                    default="Correct the CC recipients marked above.",
                )
            ) from None
        owner = api.user.get_current()
        try:
            normalize_cc(
                filled_cc_rows(value), owner_email=owner.getProperty("email", "")
            )
        except TicketInputError as error:
            raise as_validation_error(error) from error


validator.WidgetValidatorDiscriminators(
    CCRecipientsValidator, field=ITicket["cc_recipients"]
)
