"""Text that can be stored, shown in HTML, searched and sent by mail."""

from html import escape
from lxml import html as lxml_html
from Products.PortalTransforms.interfaces import IPortalTransformsTool
from zope.component import getUtility

import re


# What XML (and so the safe-HTML filter and every page) cannot carry: C0
# controls but tab and line ends, and the non-characters U+FFFE/U+FFFF.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def without_control_characters(text):
    return _UNSAFE.sub("", text)


def parse_fragment(html):
    """An HTML fragment as one ``div`` element holding it, for changing
    it with lxml; ``fragment_html`` writes it back."""
    return lxml_html.fragment_fromstring(html, create_parent="div")


def fragment_html(root):
    """The fragment ``parse_fragment`` read, as HTML again. lxml gives the
    text before the first element unescaped: escaped here, or
    ``&lt;script&gt;`` written as text would come back a live tag."""
    return escape(root.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )


def _transform(name, data):
    # The tool as the utility it is registered as (api.portal.get_tool costs
    # 50 times more), and the transform by name, not by convertTo's MIME
    # types: we know which one we want, and looking up the path costs twice
    # the transform itself. It runs for every message the catalog indexes.
    transforms = getUtility(IPortalTransformsTool)
    return transforms.convert(name, data).getData()


def safe_html(html):
    """``html`` as Plone's safe-HTML filter leaves it, the filter a
    RichTextValue's output runs, by name (no look-up of its path by MIME
    types)."""
    return _transform("safe_html", html) or ""


def run_output_filters(html):
    """Run plone.outputfilters (resolved links, image scales, captions) on
    ``html``, as a page shows rich text, and return the result: it raises on
    markup those filters cannot read (a <picture> without <img>)."""
    from plone.outputfilters import apply_filters
    from plone.outputfilters.interfaces import IFilter
    from zope.component import getAdapters
    from zope.component.hooks import getSite
    from zope.globalrequest import getRequest

    filters = [f for _name, f in getAdapters((getSite(), getRequest()), IFilter)]
    return apply_filters(filters, html) or ""


def plain_text(html):
    """Rich text as a mail reader expects it, by Plone's transform from HTML
    to "intelligent" plain text (plone.intelligenttext): paragraphs and line
    breaks kept, list items as "  - item", table cells apart, markup gone.

    Give it HTML the safe-HTML filter left (a RichTextValue's output): the
    transform keeps what a <script> or <style> holds and decodes no entity
    but &lt;, &gt;, &amp; and &nbsp;; the filter has seen to both.
    """
    if not html:
        return ""
    text = _transform("html_to_web_intelligent_plain_text", html)
    # What the transform leaves of the source's layout: a space that starts
    # a line where a line break stood between two tags, spaces that end one,
    # and a blank line more for each block it closes.
    text = re.sub(r"(?m)^ (?=\S)|[ \t]+$", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def searchable_words(html):
    """The words of a message for the catalog, as Plone indexes a page's
    text: its ``html_to_text`` transform (markup gone, entities decoded),
    which is cheaper than ``plain_text`` and keeps no layout, which an index
    does not need."""
    if not html:
        return ""
    return " ".join(_transform("html_to_text", html).split())


def text_to_html(text):
    """``plain_text`` back to HTML, by Plone's transform from "intelligent"
    plain text: escaped, line breaks and indents kept, addresses (of a host
    with a dot in its name, or localhost) and e-mail addresses made links."""
    if not text:
        return ""
    return _transform("web_intelligent_plain_text_to_html", text)


# An image the reader sees: an <img> that kept its address through the filter.
_SHOWN_IMAGE = re.compile(r"""(?i)<img\b[^>]*\bsrc\s*=\s*["']?\s*[^\s"'>]""")


def shows_nothing(html):
    """True when HTML, as the safe-HTML filter left it, has no visible text
    and no image: what is left are tags that show nothing (or that the filter
    emptied, as an <iframe>, <video>, <object> or <script> would be)."""
    return not plain_text(html) and not _SHOWN_IMAGE.search(html or "")


def size_in_kb(text):
    """The size of ``text`` in UTF-8, in KB rounded up: 1 byte over is 1 KB more."""
    # A lone surrogate (JSON can carry one) is counted, not an error.
    return -(-len(text.encode("utf-8", "surrogatepass")) // 1024)
