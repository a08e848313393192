"""Remote images in messages: shown as links, never loaded by the reader.

An ``<img>`` whose address is elsewhere makes the reader's browser fetch it
when the ticket is opened, telling whoever runs that server when, and from
where, the staff read the ticket. Images of the site itself and ``data:``
images load nothing from outside and stay; other addresses of the site (a
view such as ``logout``) are requested with the reader's login, so they
become links too.
"""

from collective.tickets.core.text import fragment_html
from collective.tickets.core.text import parse_fragment
from lxml import html as lxml_html
from urllib.parse import urljoin
from urllib.parse import urlsplit

import re


# Browsers drop these from an address and read a backslash as a slash, so
# "/\elsewhere" and "ht\ttps://" go where they seem not to.
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")


# The site's own address is fetched with the reader's login, so it is shown
# only when it names a file or an image scale: "<img src='/plone/logout'>"
# would log out every member of the staff who opens the ticket.
_FILE_NAME = re.compile(
    r"\.(png|jpe?g|gif|webp|avif|svg|ico|bmp|mp4|webm|ogg|ogv|mp3|wav|vtt)$", re.I
)
_ENCODED_DOT = re.compile("%2e", re.I)
_FILE_VIEWS = (
    "@@images",
    "@@download",
    "@@display-file",
    "@@attachment",
    "resolveuid",
    "++resource++",
    "++plone++",
    "++theme++",
)


def _names_a_file(path):
    # As the browser will: "%2e" is a dot, and "/@@images/../logout" is
    # "/logout" (the base only gives relative paths something to climb).
    path = _ENCODED_DOT.sub(".", path)
    path = urlsplit(urljoin("http://base/1/2/3/4/5/6/7/8/", path)).path
    segments = [segment for segment in path.split("/") if segment]
    if segments and _FILE_NAME.search(segments[-1]):
        return True
    return any(segment.startswith(_FILE_VIEWS) for segment in segments)


def is_local_image(src, portal_url):
    """True for a ``data:`` image, and for a file or image scale of the site
    (a relative address or one under the portal)."""
    address = _IGNORED_IN_URLS.sub("", src or "").strip().replace("\\", "/")
    parts = urlsplit(address)
    if parts.scheme.lower() == "data":
        return True
    base = portal_url.rstrip("/").lower()
    local = (not parts.scheme and not parts.netloc) or (
        address.lower() == base or address.lower().startswith(base + "/")
    )
    return local and _names_a_file(parts.path)


# What makes a browser load something by itself, beyond <img src>.
_LOADS = re.compile(r"<img|\bsrc\s*=|srcset|poster|style\s*=", re.I)

# CSS functions that fetch an address. CSS reads an escape ("u\\rl(",
# "\\75 rl(") as the letter it stands for, so a style with a backslash is
# judged unsafe too. Comments are not dropped first: "/*" may sit inside a
# string, and a comment inside a name already stops it being a function.
_CSS_LOADS = re.compile(r"\\|(url|src|image|image-set)\(", re.I)


def _style_loads(style):
    return bool(_CSS_LOADS.search("".join(style.split())))


_MEDIA = ("img", "video", "audio")
_SOURCES = ("source", "track")


def _link(src, label, tail):
    link = lxml_html.Element(
        "a", href=src.strip(), rel="noopener noreferrer nofollow", target="_blank"
    )
    link.text = label
    link.tail = tail
    return link


def without_remote_images(html, portal_url, label):
    """``html`` with nothing that loads from another server when shown:
    each remote ``<img>``, ``<video>`` or ``<audio>`` becomes a link to it
    reading ``label``; remote ``<source>`` and ``<track>`` go, as do
    ``srcset``, a remote ``poster`` and ``style`` attributes that can load
    (``url()``, ``image-set()``, CSS escapes); the safe-HTML filter keeps all
    of these."""
    if not html or not _LOADS.search(html):
        return html
    root = parse_fragment(html)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        element.attrib.pop("srcset", None)
        if _style_loads(element.get("style") or ""):
            element.attrib.pop("style")
        poster = element.get("poster")
        if poster is not None and not is_local_image(poster, portal_url):
            element.attrib.pop("poster")
        src = element.get("src")
        if src is None or is_local_image(src, portal_url):
            continue
        if element.tag in _MEDIA:
            element.getparent().replace(element, _link(src, label, element.tail))
        elif element.tag in _SOURCES:
            element.drop_tree()
        else:
            element.attrib.pop("src")
    return fragment_html(root)
