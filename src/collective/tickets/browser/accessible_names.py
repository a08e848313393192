"""Accessible names for the inputs that Plone's widgets leave unnamed.

The CC grid names its columns only in the table's header, whose labels
point to no input, and TinyMCE gives its editing frame no title in
Chromium; screen readers then announce "edit text" and "frame" (WCAG 2.1,
1.3.1 and 4.1.2). Each gets its field's title, through z3c.form's widget
attribute adapters, so every form showing these fields has them: the new
ticket form, the reply and note forms, the canned replies' form and
Plone's own edit forms.
"""

from collective.tickets.browser.canned import ICannedReplyFields
from collective.tickets.content.note import ITicketNote
from collective.tickets.content.reply import ITicketReply
from collective.tickets.content.ticket import ICCRecipient
from collective.tickets.content.ticket import ITicket
from collective.tickets.interfaces import ICollectiveTicketsLayer
from z3c.form.widget import ComputedWidgetAttribute
from zope.i18n import translate


def field_title(adapter):
    """The field's title in the page's language."""
    return translate(adapter.field.title, context=adapter.request)


def editor_frame_title(adapter):
    """TinyMCE's ``iframe_attrs``: its ``iframe_aria_text`` titles the
    frame in Firefox only, and names the editable body elsewhere."""
    return {"tiny": {"iframe_attrs": {"title": field_title(adapter)}}}


# A grid cell's title names its input: WCAG technique H65, for inputs whose
# visible label is a table's column header.
cc_email_title = ComputedWidgetAttribute(
    field_title, request=ICollectiveTicketsLayer, field=ICCRecipient["email"]
)
cc_name_title = ComputedWidgetAttribute(
    field_title, request=ICollectiveTicketsLayer, field=ICCRecipient["name"]
)

ticket_editor_frame = ComputedWidgetAttribute(
    editor_frame_title, request=ICollectiveTicketsLayer, field=ITicket["text"]
)
reply_editor_frame = ComputedWidgetAttribute(
    editor_frame_title, request=ICollectiveTicketsLayer, field=ITicketReply["text"]
)
canned_editor_frame = ComputedWidgetAttribute(
    editor_frame_title,
    request=ICollectiveTicketsLayer,
    field=ICannedReplyFields["text"],
)
note_editor_frame = ComputedWidgetAttribute(
    editor_frame_title, request=ICollectiveTicketsLayer, field=ITicketNote["text"]
)
