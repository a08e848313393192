"""The new part of an incoming reply: what the sender wrote, without the
quoted history, the attribution line above it and the client's signature.

Two maintained libraries find where the history starts, and neither is
trusted alone (both ship with known gaps for Spanish):

- mail-parser-reply (``mailparser_reply``) knows the attribution lines and
  the Outlook header blocks ("From: / Sent:", "De: / Enviado:") per language.
  Its Spanish attribution pattern (1.36) can never match an unquoted line
  (docs/upstream/mail-parser-reply-spanish.rst); until upstream ships the fix
  we hand it the corrected pattern through its own per-language lookup.
- quotequail knows the same lines with other patterns, the Outlook border
  and forward separators, and HTML. Asked for the quote with its intro line
  (``quote_intro_line=True``) it also drops the attribution line, which it
  keeps by default.

A cut is made only where one library finds the start of a quote and the
other, or the mail's own structure (the "> " lines, the client's quote
markup), confirms it. When a cut would leave nothing, or new text stands
between quoted blocks (an answer given inline), the message is kept whole:
a reply shown with its history is a nuisance, a reply lost is a defect.
"""

from copy import deepcopy
from html import escape
from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.constants import QUOTED_MATCH_INCLUDE
from mailparser_reply.parser import EmailMessage

import lxml.etree
import lxml.html
import quotequail
import re


__all__ = ["html_text", "new_html", "new_text"]

# The languages our customers write in; more would add patterns that can
# mistake ordinary lines for headers ("An:", "Da:").
LANGUAGES = ["es", "en"]

# mail-parser-reply 1.36's Spanish attribution pattern: its negative
# lookahead repeats the pattern itself, so no unquoted line can ever match,
# and it wants a space before "escribió" after a whitespace.
_BROKEN_SPANISH_WROTE_HEADER = (
    r"^(?!El\s.+\s escribió:)(" + QUOTED_MATCH_INCLUDE + r"El\s.+\s escribió:)$"
)
# The fix proposed upstream, shaped like the library's English pattern: a
# lookahead that only refuses "El ... El ... escribió:", and an attribution
# that may wrap onto a second line, as Gmail's plain text does.
SPANISH_WROTE_HEADER = (
    r"^(?!El[.\s]*El\s(.+?\s?.+?)\sescribió:)("
    + QUOTED_MATCH_INCLUDE
    + r"El\s(?:.+?\s?.+?)\s?escribió:)$"
)

# How far (in non-blank lines) the second opinion may find the start of the
# history from the first one: "-----Mensaje original-----" is one library's
# start, the "De: / Enviado:" block under it the other's.
_AGREEMENT_WINDOW = 3

# RFC 3676 4.3 signature separator; many clients drop its trailing space.
_SIGNATURE_SEPARATOR = "--"

# Markup by which mail clients mark the history they quote in HTML, as
# (XPath, kind). "container": the history is inside the element; "rest":
# the element starts the history, which runs to the end of the message.
_HTML_QUOTE_MARKERS = [
    # Gmail (web and apps); the attribution is inside.
    ("//div[contains(concat(' ', @class, ' '), ' gmail_quote ')]", "container"),
    # Yahoo: the class carries a generated prefix ("ydp1234yahoo_quoted").
    ("//div[contains(@class, 'yahoo_quoted')]", "container"),
    # Thunderbird: the attribution line, then <blockquote type="cite">.
    ("//div[contains(concat(' ', @class, ' '), ' moz-cite-prefix ')]", "rest"),
    # Apple Mail and iOS: <blockquote type="cite">, attribution before or in it.
    ("//blockquote[@type='cite']", "container"),
    # Outlook on the web and new Outlook: an empty marker, a rule, the headers.
    ("//*[@id='appendonsend']", "rest"),
    ("//*[@id='divRplyFwdMsg']", "rest"),
    # Outlook desktop (Word): the header block sits in a div with a top border.
    (
        "//div[contains(translate(@style, ' ', ''), 'border-top:solid#E1E1E1')"
        " or contains(translate(@style, ' ', ''), 'border-top:solid#B5C4DF')]",
        "rest",
    ),
]
# The signature blocks clients mark as such.
_SIGNATURE_CONDITION = (
    "contains(concat(' ', @class, ' '), ' gmail_signature ')"
    " or contains(concat(' ', @class, ' '), ' moz-signature ')"
    " or @id='Signature'"
)

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_INVISIBLE_TAGS = frozenset({"head", "script", "style", "title", "meta", "link"})
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


class _EmailMessage(EmailMessage):
    """mail-parser-reply's message with the Spanish attribution pattern
    corrected while the installed release still has the broken one."""

    def _get_language_regex(self, language, regex_key):
        if (
            language == "es"
            and regex_key == "wrote_header"
            and MAIL_LANGUAGES["es"]["wrote_header"] == _BROKEN_SPANISH_WROTE_HEADER
        ):
            return SPANISH_WROTE_HEADER
        return super()._get_language_regex(language, regex_key)


def _sent_from_line():
    # The "Sent from my iPhone" lines mail-parser-reply knows, per language.
    patterns = [
        MAIL_LANGUAGES[language]["sent_from"]
        for language in LANGUAGES
        if MAIL_LANGUAGES[language].get("sent_from")
    ]
    return re.compile(
        r"^(?:{})(?: ?[\w.<>:/ ]*)$".format("|".join(patterns)), re.IGNORECASE
    )


_SENT_FROM = _sent_from_line()


# Plain text ----------------------------------------------------------------


def _is_quoted(line):
    return line.lstrip().startswith(">")


def _non_blank(lines, start=0):
    return [i for i in range(start, len(lines)) if lines[i].strip()]


def _line_of(lines, first_line, start=0):
    """Index of the line whose stripped text is first_line (a library hands
    back stripped text, not positions)."""
    for i in range(start, len(lines)):
        if lines[i].strip() == first_line:
            return i
    return None


def _mpr_start(lines):
    """Line where mail-parser-reply sees the first header of a quoted reply."""
    message = _EmailMessage(text="\n".join(lines), languages=list(LANGUAGES)).read()
    for reply in message.replies:
        if reply.headers:
            first = reply.headers.strip().split("\n")[0].strip()
            return _line_of(lines, first)
    return None


def _qq_starts(lines):
    """Lines where quotequail sees the history start: an intro line (reply,
    forward, Outlook separator) or, by unwrap, a header block or a run of
    quoted lines."""
    text = "\n".join(lines)
    starts = set()
    parts = quotequail.quote(text, limit=len(lines) + 1, quote_intro_line=True)
    if len(parts) == 2:
        starts.add(parts[0][1].count("\n") if parts[0][1] else 0)
    unwrapped = quotequail.unwrap(text)
    if unwrapped:
        top = unwrapped.get("text_top")
        if top:
            last = top.split("\n")[-1].strip()
            end = _line_of(lines, last, top.count("\n"))
            following = _non_blank(lines, end + 1) if end is not None else []
            if following:
                starts.add(following[0])
        else:
            following = _non_blank(lines)
            if following:
                starts.add(following[0])
    return starts


def _starts_within(found, lines, start):
    """Whether a library's start (found) lies among the first few non-blank
    lines from start on."""
    if found is None or found < start:
        return False
    return found in _non_blank(lines, start)[:_AGREEMENT_WINDOW]


def _quote_follows_intro(lines, start):
    """Whether "> " lines follow the intro line at start (which may have
    wrapped onto a second line), as under every attribution line."""
    following = _non_blank(lines, start + 1)[:2]
    for position, i in enumerate(following):
        if _is_quoted(lines[i]):
            return True
        if position == 0 and lines[i].rstrip().endswith(":"):
            continue
        return False
    return False


def _is_intro(lines, start):
    """Whether quotequail takes the line at start for an attribution ("On
    ... wrote:") rather than a header block or a separator."""
    unwrapped = quotequail.unwrap("\n".join(lines[start:]))
    return bool(unwrapped) and unwrapped["type"] == "reply"


def _confirmed(lines, start, mpr, qq):
    """Whether the history may be taken to start at the line start: one
    library found it there and the other library, or the quoted lines under
    it, agree."""
    by_mpr = _starts_within(mpr, lines, start)
    by_qq = any(_starts_within(found, lines, start) for found in qq)
    if _is_quoted(lines[start]):
        # A run of "> " lines: the quoting itself is the second opinion.
        return by_qq or by_mpr
    if _is_intro(lines, start) or not by_qq:
        # An attribution counts only above quoted lines: "El técnico me
        # escribió:" on a line of its own, above more text, is text.
        return (by_qq or by_mpr) and _quote_follows_intro(lines, start)
    # A header block or a separator line: both libraries must see it.
    return by_qq and by_mpr


def _history_start(lines):
    mpr = _mpr_start(lines)
    qq = _qq_starts(lines)
    candidates = sorted({*qq, *([mpr] if mpr is not None else [])})
    for start in candidates:
        if _confirmed(lines, start, mpr, qq):
            return start
    return None


def _quoted_block_end(lines, start):
    """First line after the quoted block that starts at start (the intro line,
    its wrapped second line, the "> " lines and the blank lines among them),
    or None when the history is not quoted with "> " and so runs to the end."""
    i = start + 1
    if not _is_quoted(lines[start]):
        following = _non_blank(lines, start + 1)
        if not following:
            return len(lines)
        first = following[0]
        if not _is_quoted(lines[first]):
            second = _non_blank(lines, first + 1)
            if not (second and _is_quoted(lines[second[0]])):
                return None
        i = start + 1
    while i < len(lines) and (_is_quoted(lines[i]) or not lines[i].strip()):
        i += 1
    while i < len(lines) and not _is_quoted(lines[i]) and lines[i].strip():
        # The attribution's wrapped second line, before the first "> " line.
        if i <= start + 1:
            i += 1
            while i < len(lines) and (_is_quoted(lines[i]) or not lines[i].strip()):
                i += 1
        break
    return i


def _without_signature(lines):
    """The lines without the client's trailing "Sent from my iPhone" line and
    without a "-- " signature, unless nothing would be left."""
    lines = list(lines)
    for i, line in enumerate(lines):
        if line.rstrip() == _SIGNATURE_SEPARATOR and "".join(lines[:i]).strip():
            lines = lines[:i]
            break
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and _SENT_FROM.match(lines[-1].strip()) and "".join(lines[:-1]).strip():
        lines.pop()
    return lines


def _trim(lines):
    return "\n".join(lines).strip("\n").rstrip()


def new_text(text: str) -> str:
    """The new part of a plain-text reply (see the module's docstring).

    Returns the text unchanged when there is no history to cut, when cutting
    would leave nothing, or when new text is interleaved with the quote.
    """
    if not text or not text.strip():
        return text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _history_start(lines)
    if start is None:
        kept = _without_signature(lines)
        return _trim(kept) if "".join(kept).strip() else text
    end = _quoted_block_end(lines, start)
    before = lines[:start]
    after = lines[end:] if end is not None else []
    has_before = bool("".join(before).strip())
    rest = _without_signature(after) if after else []
    has_after = bool("".join(rest).strip())
    if has_before and has_after:
        # New text on both sides of the quote: an answer given inline.
        return text
    if has_after:
        if any(_is_quoted(line) for line in rest):
            return text
        # Bottom-posted: the answer stands under the quote.
        return _trim(rest)
    if not has_before:
        return text
    kept = _without_signature(before)
    return _trim(kept) if "".join(kept).strip() else text


# HTML ----------------------------------------------------------------------


def _parse(html):
    try:
        document = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    body = document.find("body")
    return body if body is not None else document


def _render_child(child):
    """Text of one element as its parent renders it (without its tail)."""
    if not isinstance(child.tag, str):
        return ""
    tag = child.tag.lower()
    if tag in _INVISIBLE_TAGS:
        return ""
    if tag == "br":
        return "\n"
    if tag == "blockquote":
        quoted = _lines(_render(child))
        return "\n" + "\n".join("> " + line for line in quoted) + "\n"
    if tag in _BLOCK_TAGS:
        return "\n" + _render(child) + "\n"
    return _render(child)


def _render(element):
    """Text of an element as a mail reader shows it, one line per block and
    line break, "> " before each line of a blockquote."""
    pieces = [_SPACES.sub(" ", element.text or "")]
    for child in element:
        pieces.append(_render_child(child))
        pieces.append(_SPACES.sub(" ", child.tail or ""))
    return "".join(pieces)


def _lines(rendered):
    lines = [line.replace("\xa0", " ").strip() for line in rendered.split("\n")]
    collapsed = []
    for line in lines:
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    while collapsed and not collapsed[-1]:
        collapsed.pop()
    return collapsed


def html_text(html: str) -> str:
    """Plain text of an HTML body or fragment, blockquotes as "> " lines
    (for checks and tests; what users see goes through Plone's filters)."""
    body = _parse(html) if html and html.strip() else None
    if body is None:
        return ""
    return "\n".join(_lines(_render(body)))


def _fragment(body):
    """The body's content as an HTML fragment."""
    pieces = [escape(body.text, quote=False)] if body.text else []
    pieces += [
        lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in body
    ]
    return "".join(pieces).strip()


def _counterpart(body, element, copy):
    path = body.getroottree().getpath(element)
    found = copy.getroottree().xpath(path)
    return found[0] if found else None


def _cut_before(body, element, keep_element=False):
    """A copy of body without element (or, keep_element, without its tail)
    and everything after it."""
    copy = deepcopy(body.getroottree().getroot())
    copy_body = copy.find("body") if copy.tag == "html" else copy
    start = _counterpart(body, element, copy_body)
    node = start
    while node is not copy_body:
        parent = node.getparent()
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        if node is not start:
            node.tail = None
        node = parent
    if keep_element:
        start.tail = None
    else:
        # lxml takes the element's tail (the text after it) away with it.
        start.getparent().remove(start)
    return copy_body


def _cut_from(body, element):
    """A copy of body with element and everything after it only."""
    copy = deepcopy(body.getroottree().getroot())
    copy_body = copy.find("body") if copy.tag == "html" else copy
    node = _counterpart(body, element, copy_body)
    while node is not None and node is not copy_body:
        parent = node.getparent()
        for sibling in list(node.itersiblings(preceding=True)):
            parent.remove(sibling)
        parent.text = None
        node = parent
    return copy_body


def _is_signature(element):
    return isinstance(element.tag, str) and bool(
        element.xpath("self::*[" + _SIGNATURE_CONDITION + "]")
    )


def _is_text(value):
    # A signature separator alone is no text of its own.
    return value.strip() not in ("", _SIGNATURE_SEPARATOR)


def _text_after(body, element):
    """Whether text other than a signature follows the element, outside it."""
    node = element
    while node is not None and node is not body:
        if _is_text(node.tail or ""):
            return True
        for sibling in node.itersiblings():
            if not _is_signature(sibling) and _is_text(
                "".join(_lines(_render_child(sibling)))
            ):
                return True
            if _is_text(sibling.tail or ""):
                return True
        node = node.getparent()
    return False


def _attribution_before(element):
    """The block just before a <blockquote type="cite"> when it holds the
    attribution line (iOS puts it there, Apple Mail inside the quote)."""
    previous = element.getprevious()
    if previous is None:
        return None
    text = " ".join(_lines(_render(previous)))
    if text and _is_attribution(text):
        return previous
    return None


def _is_attribution(line):
    """Both libraries take the line for an attribution line."""
    parts = quotequail.quote(line + "\n> .", quote_intro_line=True)
    by_qq = len(parts) == 2 and not parts[0][1].strip()
    by_mpr = _mpr_start([line, "> ."]) == 0
    return by_qq and by_mpr


def _history_confirmed(bottom_html, bottom_lines):
    """Both libraries, or one and the quoted structure, take the text as
    history from its start."""
    unwrapped = quotequail.unwrap_html(bottom_html)
    by_qq = bool(unwrapped) and not unwrapped.get("html_top")
    if not bottom_lines:
        return False
    mpr = _mpr_start(bottom_lines)
    by_mpr = _starts_within(mpr, bottom_lines, 0)
    quoted = any(_is_quoted(line) for line in bottom_lines[:_AGREEMENT_WINDOW])
    return (by_qq and by_mpr) or ((by_qq or by_mpr) and quoted)


def _has_text(body):
    return bool("".join(_lines(_render(body))).strip())


def _marker_cut(body):
    """The body before the first confirmed client quote marker, or None."""
    found = []
    for xpath, kind in _HTML_QUOTE_MARKERS:
        found += [(element, kind) for element in body.xpath("." + xpath)]
    order = {element: i for i, element in enumerate(body.iter())}
    found.sort(key=lambda pair: order.get(pair[0], 0))
    for element, kind in found:
        start = element
        if element.tag == "blockquote":
            attribution = _attribution_before(element)
            start = element if attribution is None else attribution
        if element.get("id") == "divRplyFwdMsg":
            previous = element.getprevious()
            if previous is not None and previous.tag == "hr":
                start = previous
        if kind == "container" and _text_after(body, element):
            # New text under the quote: inline or bottom-posted answers.
            continue
        bottom = _cut_from(body, start)
        bottom_lines = _lines(_render(bottom))
        if not _history_confirmed(_fragment(bottom), bottom_lines):
            continue
        top = _cut_before(body, start)
        if _has_text(top):
            return top
    return None


def _line_starts(body):
    """Where a line of the rendered text may start in the tree, in document
    order: (element, True) before a block element, (element, False) in the
    tail after a line break or a block element."""
    for element in body.iter():
        if element is body or not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in _BLOCK_TAGS:
            yield element, True
        if (tag == "br" or tag in _BLOCK_TAGS) and (element.tail or "").strip():
            yield element, False


def _line_cut(body):
    """The body before the history both libraries find in its text (markup
    no client marked as a quote: Outlook's header paragraphs, a plain
    attribution line), or None."""
    lines = _lines(_render(body))
    start = _history_start(lines)
    if start is None:
        return None
    end = _quoted_block_end(lines, start)
    after = lines[end:] if end is not None else []
    if "".join(_without_signature(after)).strip():
        return None
    wanted = [line for line in lines[:start] if line]
    if not wanted:
        return None
    for element, before_element in _line_starts(body):
        top = _cut_before(body, element, keep_element=not before_element)
        if [line for line in _lines(_render(top)) if line] == wanted:
            return top
    return None


def _last_text_holder(body):
    """(element, attribute) of the last non-blank text in the document."""
    last = None
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in _INVISIBLE_TAGS:
            continue
        if (element.text or "").strip():
            last = (element, "text")
        if element is not body and (element.tail or "").strip():
            last = (element, "tail")
    return last


def _strip_html_signature(body):
    """Drop the client's signature block, a trailing "-- " and a trailing
    "Sent from my iPhone", unless nothing would be left."""
    candidate = deepcopy(body)
    for element in candidate.xpath(".//*[" + _SIGNATURE_CONDITION + "]"):
        if element.getparent() is not None and not _text_after(candidate, element):
            element.getparent().remove(element)
    last = _last_text_holder(candidate)
    if last and getattr(last[0], last[1]).strip() == _SIGNATURE_SEPARATOR:
        setattr(last[0], last[1], None)
    last = _last_text_holder(candidate)
    if last and _SENT_FROM.match(getattr(last[0], last[1]).strip()):
        element, attribute = last
        if attribute == "text" and element is not candidate and not len(element):
            element.getparent().remove(element)
        else:
            setattr(element, attribute, None)
    return candidate if _has_text(candidate) else body


def new_html(html: str) -> str:
    """The new part of an HTML reply as an HTML fragment (see the module's
    docstring). Not sanitised: pass it through the safe-HTML filter.

    Returns the HTML unchanged when there is no history to cut, when cutting
    would leave nothing, or when new text is interleaved with the quote.
    """
    if not html or not html.strip():
        return html
    body = _parse(html)
    if body is None:
        return html
    top = _marker_cut(body)
    if top is None:
        top = _line_cut(body)
    if top is None:
        top = body
    top = _strip_html_signature(top)
    if not _has_text(top):
        return html
    return _fragment(top)
