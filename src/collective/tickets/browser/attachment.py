"""Serving attachments: ``<message>/@@attachment/<index>/<filename>``.

Thumbnails of image attachments: ``<message>/@@attachment/thumb/<index>``.

plone.namedfile's ``@@download``, ``@@display-file`` and ``@@images`` answer
for every content object and serve whatever attribute the URL names. A
message's attachments are a list, which they cannot serve: they failed with a
500. The narrower views here serve only what is a single named file or image
and answer 404 for anything else.
"""

from Acquisition import aq_base
from collective.tickets.content.ticket import ticket_of
from collective.tickets.core.attachments import attachment_thumbnail
from collective.tickets.core.attachments import has_thumbnail
from collective.tickets.core.attachments import is_inline_image
from collective.tickets.core.conversation import ATTACHMENT_VIEW
from collective.tickets.core.privacy import access
from plone.namedfile.browser import DisplayFile
from plone.namedfile.browser import Download
from plone.namedfile.interfaces import INamedFile
from plone.namedfile.interfaces import INamedImage
from plone.namedfile.scaling import ImageScaling
from plone.namedfile.utils import set_headers
from plone.namedfile.utils import stream_data
from plone.protect.utils import safeWrite
from plone.rfc822.interfaces import IPrimaryFieldInfo
from Products.Five.browser import BrowserView
from urllib.parse import quote
from zExceptions import NotFound
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse
from zope.traversing.interfaces import TraversalError


THUMBNAIL = "thumb"


@implementer(IPublishTraverse)
class AttachmentView(BrowserView):
    """Downloads: everything but plain images as ``attachment``, with its real type.

    The View permission of the message (and so of its ticket) guards it.
    """

    def __init__(self, context, request):
        super().__init__(context, request)
        self.path = []

    def publishTraverse(self, request, name):
        if len(self.path) >= 2:
            raise NotFound(name)
        self.path.append(name)
        return self

    def _attachment(self, position):
        if len(self.path) <= position:
            raise NotFound("No attachment given.")
        try:
            index = int(self.path[position])
        except ValueError:
            raise NotFound(self.path[position]) from None
        attachments = getattr(aq_base(self.context), "attachments", None) or []
        if not 0 <= index < len(attachments):
            raise NotFound(self.path[position])
        return index, attachments[index]

    def __call__(self):
        response = self.request.response
        if self.path and self.path[0] == THUMBNAIL:
            index, attachment = self._attachment(1)
            if not has_thumbnail(self.context, index):
                raise NotFound(THUMBNAIL)
            store = getattr(aq_base(self.context), "attachment_thumbnails", None)
            if store is not None:
                # The first request makes the thumbnail and keeps it: a write
                # on GET that plone.protect would otherwise take for CSRF.
                safeWrite(store, self.request)
            attachment = attachment_thumbnail(self.context, index)
            if attachment is None:
                raise NotFound(THUMBNAIL)
            set_headers(attachment, response)
            response.setHeader("Content-Disposition", "inline")
            return self._send(attachment)
        index, attachment = self._attachment(0)
        # A thumbnail, or an image the message's text shows, is part of the
        # page (recorded as the page); any other file opened is recorded.
        if not self._shown_in_text(index, attachment):
            access.record_access(
                ticket_of(self.context),
                access.FILE,
                f"{self.context.getId()}/{index}/{attachment.filename or ''}",
            )
        if is_inline_image(attachment):
            set_headers(attachment, response)
            response.setHeader(
                "Content-Disposition",
                f"inline; filename*=UTF-8''{quote(attachment.filename or 'image')}",
            )
        else:
            set_headers(
                attachment, response, filename=attachment.filename or "attachment"
            )
        return self._send(attachment)

    def _shown_in_text(self, index, attachment):
        """Whether the browser loads an image that the message's text shows
        into the page (Fetch Metadata, sent by every current browser). The
        header is the browser's word: only such an image, which the page's
        own record covers, is taken on it; never another file."""
        if self.request.getHeader("Sec-Fetch-Dest", "") != "image":
            return False
        if not is_inline_image(attachment):
            return False
        text = getattr(aq_base(self.context), "text", None)
        return f"{ATTACHMENT_VIEW}/{index}/" in (getattr(text, "raw", "") or "")

    def _send(self, attachment):
        response = self.request.response
        response.setHeader("X-Content-Type-Options", "nosniff")
        # A ticket's files are private: never kept by a shared cache.
        response.setHeader("Cache-Control", "private, max-age=3600")
        return stream_data(attachment)


def _is_file(value):
    return INamedFile.providedBy(value) or INamedImage.providedBy(value)


class MessageFileMixin:
    """``@@download/<field>`` and ``@@display-file/<field>`` of a message: only
    a field that holds one file; its list of attachments has @@attachment."""

    def _getFile(self):
        file = super()._getFile()
        if not _is_file(file):
            raise NotFound(self, self.fieldname, self.request)
        return file


class MessageDownload(MessageFileMixin, Download):
    pass


class MessageDisplayFile(MessageFileMixin, DisplayFile):
    pass


class MessageImageScaling(ImageScaling):
    """``@@images`` of a message: scales of image fields only."""

    def _is_image(self, fieldname):
        value = getattr(aq_base(self.context), fieldname or "", None)
        return INamedImage.providedBy(value)

    def get_orig_image(self, fieldname):
        # ``@@images/<field>``: traversed before the user is known, so refuse
        # what is no image without reading it.
        if not self._is_image(fieldname):
            raise NotFound(self, fieldname, self.request)
        return super().get_orig_image(fieldname)

    def traverse(self, name, furtherPath):
        if not self._is_image(name):
            raise TraversalError(self, name)
        return super().traverse(name, furtherPath)

    def scale(self, fieldname=None, scale=None, *args, **kwargs):
        if fieldname is None:
            try:
                info = IPrimaryFieldInfo(self.context, None)
            except TypeError:
                info = None
            fieldname = info.fieldname if info is not None else None
        if not self._is_image(fieldname):
            return None
        return super().scale(fieldname, scale, *args, **kwargs)
