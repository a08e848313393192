"""Attachments of a ticket message: making them, naming them, showing them."""

from collective.tickets import _
from collective.tickets.errors import TicketInputError
from io import BytesIO
from plone.namedfile.file import NamedBlobFile
from plone.namedfile.file import NamedBlobImage
from plone.namedfile.utils import getImageInfo
from plone.scale.scale import scaleImage

import mimetypes
import os
import unicodedata


# Shown inline (and as thumbnails); every other type, SVG and HTML included,
# is only ever downloaded.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
THUMBNAIL_SIZE = 240
MAX_FILENAME_LENGTH = 120


def clean_filename(filename):
    """A file name safe to store and to send back in a header.

    Drops any directory part a browser or a client sent along, control
    characters and surrounding blanks, and shortens it keeping the extension.
    """
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext[:16]
        name = stem[: MAX_FILENAME_LENGTH - len(ext)] + ext
    return name or "attachment"


def guess_content_type(filename, content_type=None):
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type and content_type != "application/octet-stream":
        return content_type
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def make_attachment(filename, data, content_type=None):
    """Return a blob for ``data``: a NamedBlobImage for real images, else a NamedBlobFile."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if hasattr(data, "read"):
        data = data.read()
    if not isinstance(data, bytes):
        raise TicketInputError(
            _(
                "error_attachment_data",
                default="The attachment '${name}' has no file data.",
                mapping={"name": clean_filename(filename)},
            ),
            field="attachments",
        )
    name = clean_filename(filename)
    if not data:
        raise TicketInputError(
            _(
                "error_attachment_empty",
                default="The file '${name}' is empty.",
                mapping={"name": name},
            ),
            field="attachments",
        )
    content_type = guess_content_type(name, content_type)
    if content_type in INLINE_IMAGE_TYPES:
        # The type is read from the data: a file named .png that is not an
        # image is stored, and served, as a plain download.
        sniffed, width, height = getImageInfo(data)
        if sniffed in INLINE_IMAGE_TYPES and width > 0 and height > 0:
            return NamedBlobImage(data=data, contentType=sniffed, filename=name)
        content_type = "application/octet-stream"
    blob = NamedBlobFile(data=data, contentType=content_type, filename=name)
    # NamedBlobFile guesses again from the name when told octet-stream.
    blob.contentType = content_type
    return blob


def is_inline_image(attachment):
    return getattr(attachment, "contentType", None) in INLINE_IMAGE_TYPES


def make_thumbnail(attachment):
    """A small JPEG/PNG of an image attachment, or None when it cannot be scaled."""
    if not is_inline_image(attachment):
        return None
    try:
        data, fmt, size = scaleImage(
            BytesIO(attachment.data), width=THUMBNAIL_SIZE, height=THUMBNAIL_SIZE
        )
    except Exception:  # noqa: BLE001 - a broken image just gets no thumbnail
        return None
    return NamedBlobImage(data=data, filename=f"thumb.{fmt.lower()}")


def human_size(size):
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
