"""Serving attachments: ``<message>/@@attachment/<index>/<filename>``.

Thumbnails of image attachments: ``<message>/@@attachment/thumb/<index>``.
"""

from Acquisition import aq_base
from collective.tickets.attachments import is_inline_image
from plone.namedfile.utils import set_headers
from plone.namedfile.utils import stream_data
from Products.Five.browser import BrowserView
from urllib.parse import quote
from zExceptions import NotFound
from zope.interface import implementer
from zope.publisher.interfaces import IPublishTraverse


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
            thumbs = getattr(aq_base(self.context), "attachment_thumbnails", None) or {}
            if index not in thumbs:
                raise NotFound(THUMBNAIL)
            attachment = thumbs[index]
            set_headers(attachment, response)
            response.setHeader("Content-Disposition", "inline")
            return self._send(attachment)
        index, attachment = self._attachment(0)
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

    def _send(self, attachment):
        response = self.request.response
        response.setHeader("X-Content-Type-Options", "nosniff")
        # A ticket's files are private: never kept by a shared cache.
        response.setHeader("Cache-Control", "private, max-age=3600")
        return stream_data(attachment)
