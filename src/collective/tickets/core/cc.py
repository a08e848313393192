"""Parsing and validating a ticket's CC recipients."""

from collective.tickets import _
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.text import without_control_characters

import re


MAX_CC_RECIPIENTS = 20
MAX_EMAIL_LENGTH = 254

# Deliberately strict: an address here ends up in a mail header, so anything
# beyond the common dot-atom form is refused rather than quoted.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^{_LOCAL}@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}$")


def check_email(value):
    """Return the address stripped of surrounding blanks, or raise TicketInputError."""
    email = (value or "").strip()
    if not email:
        raise TicketInputError(
            _("error_cc_email_missing", default="Enter an e-mail address."),
            field="cc_recipients",
        )
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_RE.match(email):
        raise TicketInputError(
            _(
                "error_cc_email_invalid",
                default="'${email}' is not a valid e-mail address.",
                mapping={"email": _printable(value)},
            ),
            field="cc_recipients",
        )
    return email


def _printable(value):
    # The address is shown back to the user; never echo control characters.
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return text if len(text) <= 80 else text[:77] + "..."


def normalize_cc(rows, owner_email=None):
    """Turn CC input into a list of ``{"email", "name"}`` dicts.

    ``rows`` holds address strings or mappings with ``email`` and an optional
    ``name``. Raises TicketInputError naming the first offending address:
    invalid, duplicated, the owner's own, or one too many.
    """
    cleaned = []
    seen = set()
    owner = (owner_email or "").strip().lower()
    for row in rows or ():
        if isinstance(row, str):
            email, name = row, ""
        elif hasattr(row, "get"):
            email, name = row.get("email"), row.get("name") or ""
        else:
            raise TicketInputError(
                _(
                    "error_cc_row_type",
                    default="A CC recipient must be an e-mail address or a "
                    "mapping with 'email' and 'name', not ${value}.",
                    mapping={"value": _printable(repr(row))},
                ),
                field="cc_recipients",
            )
        email = check_email(email)
        name = " ".join(without_control_characters(str(name)).split())
        key = email.lower()
        if owner and key == owner:
            raise TicketInputError(
                _(
                    "error_cc_is_owner",
                    default="'${email}' is your own address: you receive every "
                    "update anyway, so leave it out of the CC list.",
                    mapping={"email": email},
                ),
                field="cc_recipients",
            )
        if key in seen:
            raise TicketInputError(
                _(
                    "error_cc_duplicate",
                    default="'${email}' is in the CC list more than once.",
                    mapping={"email": email},
                ),
                field="cc_recipients",
            )
        seen.add(key)
        cleaned.append({"email": email, "name": name})
    if len(cleaned) > MAX_CC_RECIPIENTS:
        raise TicketInputError(
            _(
                "error_cc_too_many",
                default="A ticket can have at most ${max} CC recipients; "
                "this one has ${count}.",
                mapping={"max": MAX_CC_RECIPIENTS, "count": len(cleaned)},
            ),
            field="cc_recipients",
        )
    return cleaned
