"""The fields a ticket's first message and every reply share."""

from collective.tickets import _
from collective.tickets.core.message import valid_message
from plone.app.textfield import RichText
from plone.namedfile.interfaces import INamedFile
from zope import schema


def message_text_field(description):
    return RichText(
        title=_("label_message", default="Message"),
        description=description,
        required=True,
        constraint=valid_message,
        default_mime_type="text/html",
        output_mime_type="text/x-html-safe",
        allowed_mime_types=("text/html",),
    )


def attachments_field():
    return schema.List(
        title=_("label_attachments", default="Attachments"),
        description=_(
            "help_attachments",
            default="Files or images that help us understand the request.",
        ),
        value_type=schema.Object(schema=INamedFile),
        required=False,
        default=[],
        missing_value=[],
    )
