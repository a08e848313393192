"""Cutting names and addresses out of a text or an HTML fragment, for
anonymising a ticket (``core.privacy.erasure``)."""

from html import escape

import re


# What a name or an address cut out of a text becomes.
REDACTED = "[…]"
# Shorter strings (initials, "Jo") would cut words out of every text.
SHORTEST = 3


def _alternatives(values):
    return "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))


# A tag of the HTML, left as it is but for the addresses in it (mailto:).
_TAG = re.compile(r"(<[^>]*>)")


def scrubber(identities):
    """A function cutting ``identities`` out of a text or an HTML fragment:
    whole words only ("Ana" stays in "Banana"), in the text between tags;
    inside tags only e-mail addresses (a ``mailto:`` link), so the markup
    itself is never touched."""
    variants = set()
    for value in identities:
        variants.update((value, escape(value, quote=False)))
    if not variants:
        return lambda text: text
    words = re.compile(rf"(?<!\w)(?:{_alternatives(variants)})(?!\w)", re.IGNORECASE)
    addresses = [v for v in variants if "@" in v]
    in_tags = (
        re.compile(rf"(?<![\w.+-])(?:{_alternatives(addresses)})(?!\w)", re.IGNORECASE)
        if addresses
        else None
    )

    def scrub(text):
        if not text:
            return text
        parts = _TAG.split(text)
        for index, part in enumerate(parts):
            if index % 2:
                if in_tags is not None:
                    parts[index] = in_tags.sub(REDACTED, part)
            else:
                parts[index] = words.sub(REDACTED, part)
        return "".join(parts)

    return scrub
