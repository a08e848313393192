"""Text that can be stored, shown in HTML, searched and sent by mail."""

from html import unescape

import re


# What XML (and so the safe-HTML filter and every page) cannot carry: C0
# controls but tab and line ends, and the non-characters U+FFFE/U+FFFF.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def without_control_characters(text):
    return _UNSAFE.sub("", text)


BLOCK = r"(?:p|div|h[1-6]|ul|ol|blockquote|pre|table|tr)"


def plain_text(html):
    """Rich text as a mail reader expects it: paragraphs, line breaks and
    "- " list items kept, markup and entities gone."""
    if not html:
        return ""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)<li\b[^>]*>", "\n- ", text)
    text = re.sub(rf"(?i)</?{BLOCK}\b[^>]*>", "\n\n", text)
    text = unescape(re.sub(r"<[^>]*>", "", text)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


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
