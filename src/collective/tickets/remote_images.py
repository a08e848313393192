"""Remote images in messages: shown as links, never loaded by the reader.

An ``<img>`` whose address is elsewhere makes the reader's browser fetch it
when the ticket is opened, telling whoever runs that server when, and from
where, the staff read the ticket. Images of the site itself and ``data:``
images load nothing from outside and stay.
"""

from lxml import html as lxml_html
from urllib.parse import urlsplit

import re


# Browsers drop these from an address and read a backslash as a slash, so
# "/\elsewhere" and "ht\ttps://" go where they seem not to.
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")


def is_local_image(src, portal_url):
    """True for a ``data:`` image, a relative address or one under the portal."""
    address = _IGNORED_IN_URLS.sub("", src or "").strip().replace("\\", "/")
    parts = urlsplit(address)
    if parts.scheme.lower() == "data":
        return True
    if not parts.scheme and not parts.netloc:
        return True
    base = portal_url.rstrip("/")
    return address.lower() == base.lower() or address.lower().startswith(
        base.lower() + "/"
    )


def without_remote_images(html, portal_url, label):
    """``html`` with each remote ``<img>`` replaced by a link to it reading
    ``label``, and ``srcset`` (a second way to load an image) dropped."""
    if not html or "<img" not in html.lower():
        return html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    for image in list(root.iter("img")):
        image.attrib.pop("srcset", None)
        src = image.get("src")
        if src is None or is_local_image(src, portal_url):
            continue
        link = lxml_html.Element(
            "a",
            href=src.strip(),
            rel="noopener noreferrer nofollow",
            target="_blank",
        )
        link.text = label
        link.tail = image.tail
        image.getparent().replace(image, link)
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding=str) for child in root
    )
