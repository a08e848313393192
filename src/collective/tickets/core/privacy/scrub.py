"""Cutting names and addresses out of a ticket's texts, for anonymising it
(``core.privacy.erasure``): ``Scrubber(identities).text(subject)`` for plain
text, ``.html(message)`` for a message's HTML.

HTML is read by lxml, as a browser reads it: what is matched is the text as
it reads (``Carla&nbsp;Customer`` and ``&#67;arla`` are Carla), in the text
between tags, in comments and in the values of attributes (``alt``,
``title``, ``data-*``, a ``mailto:`` link, percent-escapes decoded); tags,
attribute names and the attributes that only hold the markup's own
keywords (``class``, ``id``, ...) are never touched. A message where
nothing is found comes back as it was; one where something is, as lxml
writes it again (the same markup; entities may come back as characters;
markup lxml cannot read, which a browser does not show either, goes).

Each text node is matched on its own: a name split by a tag
(``<b>Carla</b> Customer``) is cut word by word only where each word is an
identity of its own (a full name, a user id, an address).
"""

from collective.tickets.core.text import fragment_html
from collective.tickets.core.text import parse_fragment
from lxml.etree import Comment
from lxml.etree import ParserError
from lxml.html.defs import tags as HTML_TAGS
from urllib.parse import quote
from urllib.parse import unquote

import html
import re


# What a name or an address cut out of a text becomes.
REDACTED = "[…]"
# Shorter strings (initials, "Jo") would cut words out of every text.
SHORTEST = 3

# Attributes holding the markup's own keywords, numbers and references (a
# class "del" names nobody); the values of all others are scrubbed.
_MARKUP_ATTRIBUTES = frozenset(
    [
        "align",
        "bgcolor",
        "border",
        "cellpadding",
        "cellspacing",
        "class",
        "color",
        "cols",
        "colspan",
        "dir",
        "for",
        "headers",
        "height",
        "hspace",
        "id",
        "lang",
        "rel",
        "role",
        "rows",
        "rowspan",
        "scope",
        "shape",
        "size",
        "span",
        "start",
        "tabindex",
        "target",
        "type",
        "valign",
        "vspace",
        "width",
    ]
)


# Percent-escapes, and the characters whose escapes keep a URL's meaning
# (a "%26" in a query is no "&"); all others are decoded for matching.
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_URL_DELIMITERS = frozenset("%&=/?#+;,:")
# Where a tag, a comment or a declaration starts.
_TAG_START = re.compile(r"<[A-Za-z!/?]")


def _readable(value):
    """A URL with its escapes decoded ("carla%40example.com", "%C3%81lvaro")
    but those of characters with a meaning in a URL ("%26", "%3D", "%2F",
    "%25"), so that the link keeps its meaning."""

    def decode(match):
        return "".join(
            quote(char, safe="") if char in _URL_DELIMITERS else char
            for char in unquote(match.group())
        )

    return _ESCAPES.sub(decode, value)


def _alternatives(values):
    """A regex alternative of ``values``, longest first, each word of a name
    allowed to be separated from the next by any run of whitespace (line
    breaks, non-breaking spaces: ``\\s`` matches U+00A0 in a str pattern)."""
    patterns = {r"\s+".join(map(re.escape, v.split())) for v in values if v.split()}
    return "|".join(sorted(patterns, key=len, reverse=True))


def _pattern(identities):
    """Whole words only ("Ana" stays in "Banana"); an address not within
    another one ("x.ana@example.com"). Addresses first: a user id "carla"
    must not leave "@example.com" behind."""
    addresses = _alternatives(v for v in identities if "@" in v)
    names = _alternatives(v for v in identities if "@" not in v)
    branches = []
    if addresses:
        branches.append(rf"(?<![\w.+-])(?:{addresses})(?!\w)")
    if names:
        branches.append(rf"(?<!\w)(?:{names})(?!\w)")
    return re.compile("|".join(branches), re.IGNORECASE) if branches else None


class Scrubber:
    """Cuts ``identities`` (names and addresses, whatever their case) out of
    texts, each replaced by ``REDACTED``."""

    def __init__(self, identities):
        self.pattern = _pattern({value for value in identities if value})

    def text(self, value):
        """A plain text (a subject, a comment): as it is, but for what is
        cut; never read as HTML."""
        if not value or self.pattern is None:
            return value
        return self.pattern.sub(REDACTED, value)

    def html(self, value):
        """An HTML fragment (a message)."""
        if not value or self.pattern is None:
            return value
        # A tag that never closes hides the rest from a browser, and lxml
        # drops it: that rest is scrubbed as plain text.
        unclosed = _TAG_START.search(value, value.rfind(">") + 1)
        if unclosed is not None:
            start = unclosed.start()
            return self._html(value[:start]) + self.text(value[start:])
        return self._html(value)

    def _html(self, value):
        if not value:
            return value
        try:
            root = parse_fragment(value)
        except (AssertionError, ParserError, ValueError):
            # Markup lxml refuses (two bodies, say), which Plone's filter may
            # have let through: kept as it is when it names nobody, else cut
            # as plain text (a name in a tag's name goes too).
            if self.pattern.search(html.unescape(value)):
                return self.text(html.unescape(value))
            return value
        changed = self._scrub_text(root, "text")
        for element in list(root.iterdescendants()):
            changed |= self._scrub_element(element)
        # Spelled where lxml read no text (markup it could not read, which
        # a browser does not show either): what it read is kept.
        if changed or self.pattern.search(value):
            return fragment_html(root)
        return value

    def _scrub_text(self, element, name):
        text = getattr(element, name)
        if not text:
            return False
        scrubbed = self.pattern.sub(REDACTED, text)
        if scrubbed == text:
            return False
        setattr(element, name, scrubbed)
        return True

    def _scrub_element(self, element):
        changed = self._scrub_text(element, "tail")
        if element.tag is Comment:
            return self._scrub_text(element, "text") or changed
        if not isinstance(element.tag, str):
            return changed
        changed |= self._scrub_text(element, "text")
        for name, value in element.attrib.items():
            if self.pattern.search(name):
                # Broken markup ("<p Ana>"): no attribute of the page.
                del element.attrib[name]
                changed = True
                continue
            if name.lower() in _MARKUP_ATTRIBUTES:
                continue
            # A link's address reads percent-escapes ("carla%40example.com").
            readable = _readable(value) if "%" in value else value
            scrubbed = self.pattern.sub(REDACTED, readable)
            if scrubbed != readable:
                element.set(name, scrubbed)
                changed = True
        if element.tag.lower() not in HTML_TAGS and self.pattern.search(element.tag):
            # "<carla@example.com>" in a mail's HTML: no tag, a name (a
            # browser shows nothing of it; its content stays).
            element.drop_tag()
            changed = True
        return changed
