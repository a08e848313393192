"""Form-side checks that show every CC problem at once, in the user's words."""

from collective.tickets import _
from collective.tickets.browser.base import filled_cc_rows
from collective.tickets.content.ticket import ITicket
from collective.tickets.core.cc import normalize_cc
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import user_email
from collective.z3cform.datagridfield.datagridfield import DataGridValidator
from z3c.form import validator


class CCRecipientsValidator(DataGridValidator):
    def validate(self, value, force=False):
        try:
            super().validate(value, force)
        except ValueError:
            # The grid only knows that a row failed; each row shows why.
            raise TicketInputError(
                _(
                    "error_cc_rows",
                    default="Correct the CC recipients marked above.",
                )
            ) from None
        normalize_cc(filled_cc_rows(value), owner_email=user_email(current_userid()))


validator.WidgetValidatorDiscriminators(
    CCRecipientsValidator, field=ITicket["cc_recipients"]
)
