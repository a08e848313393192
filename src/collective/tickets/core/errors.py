"""The one error that bad input for a ticket raises."""

from zope.i18n import translate
from zope.schema import ValidationError


class TicketInputError(ValidationError, ValueError):
    """Bad input for a ticket or a reply.

    Carries a translatable message (``message``) and the name of the field
    it is about (``field``, or None). Python callers catch it as a
    ``ValueError`` and read the message in English; the forms raise the
    very same exception from a field's constraint or show it on the widget
    named by ``field``, because it is a zope.schema ``ValidationError`` and
    z3c.form shows ``doc()`` in the user's language.
    """

    def __init__(self, message, field=None):
        self.message = message
        self.field = field
        super().__init__(translate(message))

    def doc(self):
        return self.message

    def with_field_and_value(self, field, value):
        # zope.schema names the schema field here; ``field`` stays the
        # name the forms and the REST API report.
        self.value = value
        return self


class TicketStateError(TicketInputError):
    """The ticket is in a state that does not allow the action (the REST API
    answers it with 409 Conflict, the forms with a message)."""
