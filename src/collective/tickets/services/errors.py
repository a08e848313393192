"""The JSON error a ticket service answers bad input with."""

from zope.i18n import translate


def input_error(request, error):
    """A 400 that names the field, in the user's language."""
    request.response.setStatus(400)
    return {
        "error": {
            "type": "ValidationError",
            "field": error.field,
            "message": translate(error.message, context=request),
        }
    }
