"""Attachments of a ticket message: making them, naming them, showing them."""

from Acquisition import aq_base
from BTrees.OOBTree import OOBTree
from collective.tickets import _
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.settings import setting
from io import BytesIO
from PIL import Image
from plone.base.utils import human_readable_size
from plone.namedfile.file import NamedBlobFile
from plone.namedfile.file import NamedBlobImage
from plone.namedfile.utils import getImageInfo
from plone.scale.scale import scaleImage
from plone.scale.scale import scalePILImage

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


# Office formats that are ZIP or OLE containers: the container is sniffed,
# the extension says which kind it is.
ZIP_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
}
OLE_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _looks_like_text(sample):
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(sample) - 3
    return True


def sniff_content_type(filename, data):
    """The type of ``data`` as read from its content; the name only tells
    apart the kinds of one container format (a .docx from a .zip)."""
    extension = os.path.splitext(filename)[1].lower()
    head = data[:4096]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    image_type, width, height = getImageInfo(data)
    if image_type in INLINE_IMAGE_TYPES and width > 0 and height > 0:
        return image_type
    if head.startswith(b"PK\x03\x04"):
        return ZIP_TYPES.get(extension, "application/zip")
    if head.startswith(OLE_SIGNATURE):
        return OLE_TYPES.get(extension, "application/x-ole-storage")
    if _looks_like_text(head):
        lowered = head.lower()
        if b"<svg" in lowered:
            return "image/svg+xml"
        if lowered.lstrip().startswith((b"<!doctype html", b"<html")) or any(
            tag in lowered for tag in (b"<script", b"<iframe", b"<body")
        ):
            return "text/html"
        return "text/csv" if extension == ".csv" else "text/plain"
    return "application/octet-stream"


def make_attachment(filename, data, content_type=None):
    """Return a blob for ``data``: a NamedBlobImage for real images, else a NamedBlobFile.

    ``content_type`` (what a browser or a client claims) is not trusted.
    """
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
    # The type is read from the data, whatever the name or the browser say:
    # a file named .png that is no image is stored, and served, as what it is.
    content_type = sniff_content_type(name, data)
    if content_type in INLINE_IMAGE_TYPES:
        check_image_size(name, data)
        return NamedBlobImage(data=data, contentType=content_type, filename=name)
    blob = NamedBlobFile(data=data, contentType=content_type, filename=name)
    # NamedBlobFile guesses again from the name when told octet-stream.
    blob.contentType = content_type
    return blob


def check_image_size(name, data):
    """Refuse an image above ``max_image_megapixels``, or one that cannot be
    read: a small file can hold a picture that takes seconds to scale.

    Only the header is read (``Image.open`` decodes nothing).
    """
    max_megapixels = setting("max_image_megapixels")
    try:
        with Image.open(BytesIO(data)) as image:
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses to open images far above its own limit (and warns
        # above it, an error where warnings are errors): it could not scale
        # them either, whatever the setting says.
        _type, width, height = getImageInfo(data)
        max_megapixels = min(max_megapixels, Image.MAX_IMAGE_PIXELS // 1_000_000)
        if width * height <= max_megapixels * 1_000_000:
            width = height = 0
    except Exception:  # noqa: BLE001 - any unreadable image gets our message
        width = height = 0
    if not width or not height:
        raise TicketInputError(
            _(
                "error_image_unreadable",
                default="The image '${name}' cannot be read: it may be damaged. "
                "Save it again, or attach it in another format.",
                mapping={"name": name},
            ),
            field="attachments",
        )
    if width * height > max_megapixels * 1_000_000:
        raise TicketInputError(
            _(
                "error_image_too_many_pixels",
                default="The image '${name}' is ${width} × ${height} pixels "
                "(${megapixels} megapixels); at most ${max} megapixels are "
                "allowed. Make it smaller and attach it again.",
                mapping={
                    "name": name,
                    "width": width,
                    "height": height,
                    "megapixels": f"{width * height / 1_000_000:.1f}",
                    "max": max_megapixels,
                },
            ),
            field="attachments",
        )


def check_policy(blobs):
    """Refuse too many files, too large a file or a type the settings do not
    allow, naming the file and the limit."""
    max_files = setting("max_files")
    if len(blobs) > max_files:
        raise TicketInputError(
            _(
                "error_too_many_files",
                default="You attached ${count} files; at most ${max} are allowed "
                "per message.",
                mapping={"count": len(blobs), "max": max_files},
            ),
            field="attachments",
        )
    max_mb = setting("max_file_size")
    allowed = {value.strip().lower() for value in setting("allowed_types")}
    for blob in blobs:
        if blob.getSize() > max_mb * 1024 * 1024:
            raise TicketInputError(
                _(
                    "error_file_too_large",
                    default="The file '${name}' is ${size}; at most ${max} MB are "
                    "allowed per file.",
                    mapping={
                        "name": blob.filename,
                        "size": human_readable_size(blob.getSize()),
                        "max": max_mb,
                    },
                ),
                field="attachments",
            )
        if blob.contentType.lower() not in allowed:
            raise TicketInputError(
                _(
                    "error_file_type",
                    default="The file '${name}' is of type ${type}, which is not "
                    "accepted here. Accepted types: ${allowed}.",
                    mapping={
                        "name": blob.filename,
                        "type": blob.contentType,
                        "allowed": ", ".join(sorted(allowed)),
                    },
                ),
                field="attachments",
            )


def is_inline_image(attachment):
    return getattr(attachment, "contentType", None) in INLINE_IMAGE_TYPES


def _first_frame_thumbnail(image):
    """A still PNG of an animation's first frame. plone.scale scales every
    frame, each costing what a still image of that size costs: a thousand
    frames of a few bytes each would take minutes."""
    thumb = scalePILImage(
        image.convert("RGBA"), width=THUMBNAIL_SIZE, height=THUMBNAIL_SIZE
    )
    out = BytesIO()
    thumb.save(out, "PNG", optimize=True)
    return out.getvalue(), "png"


def make_thumbnail(attachment):
    """A small JPEG/PNG of an image attachment, or None when it cannot be scaled."""
    if not is_inline_image(attachment):
        return None
    original = attachment.data
    try:
        with Image.open(BytesIO(original)) as image:
            if getattr(image, "is_animated", False):
                data, fmt = _first_frame_thumbnail(image)
            else:
                data, fmt, _size = scaleImage(
                    original, width=THUMBNAIL_SIZE, height=THUMBNAIL_SIZE
                )
    except Exception:  # noqa: BLE001 - a broken image just gets no thumbnail
        return None
    return NamedBlobImage(data=data, filename=f"thumb.{fmt.lower()}")


def new_thumbnail_store():
    """Where a message keeps the thumbnails made so far, by attachment index.

    A BTree of its own: the first views of a page ask for several thumbnails
    at once, and storing them touches only this tree (whose conflict
    resolution merges different keys), not the message.
    """
    return OOBTree()


def has_thumbnail(obj, index):
    """Whether attachment ``index`` of ``obj`` is shown as a thumbnail: an
    inline image not already found impossible to scale."""
    attachments = getattr(aq_base(obj), "attachments", None) or []
    if not 0 <= index < len(attachments) or not is_inline_image(attachments[index]):
        return False
    thumbs = getattr(aq_base(obj), "attachment_thumbnails", None)
    if isinstance(thumbs, OOBTree):
        return thumbs.get(index) is not False
    # Messages from before thumbnails were made on demand have them all.
    return thumbs is not None and index in thumbs


def attachment_thumbnail(obj, index):
    """The thumbnail of image attachment ``index`` of ``obj``, or None.

    Made on the first request, not at upload, and then kept in the message's
    thumbnail store: an upload never pays for scaling, each image is scaled
    once, and only images somebody looks at are scaled at all.
    """
    thumbs = getattr(aq_base(obj), "attachment_thumbnails", None)
    if thumbs is not None and index in thumbs:
        # False marks an image that could not be scaled: not tried again.
        return thumbs[index] or None
    attachments = getattr(aq_base(obj), "attachments", None) or []
    if not 0 <= index < len(attachments):
        return None
    thumb = make_thumbnail(attachments[index])
    # Messages from before thumbnails were made on demand have them all.
    if isinstance(thumbs, OOBTree):
        thumbs[index] = thumb if thumb is not None else False
    return thumb
