from zope.i18n import translate
from zope.schema import ValidationError


class TicketInputError(ValueError):
    """Bad input for a ticket or a reply.

    Carries a translatable message, so the forms show it in the user's
    language while Python callers read it in English.
    """

    def __init__(self, message, field=None):
        self.message = message
        self.field = field
        super().__init__(translate(message))

    def doc(self):
        return self.message


class TicketStateError(TicketInputError):
    """The ticket is in a state that does not allow the action."""


class TicketValidationError(ValidationError):
    """The form-side twin of TicketInputError: z3c.form shows ``doc()``."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def doc(self):
        return self.message


def as_validation_error(error):
    return TicketValidationError(error.message)
