"""A file input that takes several files at once, for message attachments."""

from collective.tickets.core.attachments import make_attachment
from collective.tickets.core.people import current_userid
from collective.tickets.core.uploads import held_files
from collective.z3cform.datagridfield.datagridfield import DataGridFieldWidgetFactory
from plone.base.utils import human_readable_size
from z3c.form.browser.widget import HTMLInputWidget
from z3c.form.converter import BaseDataConverter
from z3c.form.interfaces import IFieldWidget
from z3c.form.interfaces import IWidget
from z3c.form.interfaces import NO_VALUE
from z3c.form.widget import FieldWidget
from z3c.form.widget import Widget
from zope.annotation.interfaces import IAnnotations
from zope.browserpage.viewpagetemplatefile import ViewPageTemplateFile
from zope.component import adapter
from zope.interface import implementer
from zope.interface import implementer_only
from zope.schema.interfaces import IList

import json


class IMultiFileWidget(IWidget):
    """Uploads any number of files into a list of blobs."""


@implementer_only(IMultiFileWidget)
class MultiFileWidget(HTMLInputWidget, Widget):
    klass = "form-control multi-file-widget"
    css = "file"
    input_template = ViewPageTemplateFile("templates/multifile_input.pt")
    display_template = ViewPageTemplateFile("templates/multifile_display.pt")

    def render(self):
        if self.mode == "display":
            return self.display_template(self)
        return self.input_template(self)

    # The token of the files held for this form (see uploads.py); the form
    # sets it anew when it holds files.
    _held_token = None

    @property
    def held_token(self):
        if self._held_token is None:
            return self.posted_token()
        return self._held_token

    @held_token.setter
    def held_token(self, token):
        self._held_token = token or ""

    def posted_token(self):
        token = self.request.get(self.name + ".token")
        return token if isinstance(token, str) else ""

    def removed_keys(self):
        keys = self.request.get(self.name + ".remove", ())
        if isinstance(keys, str):
            keys = [keys]
        return {key for key in keys if isinstance(key, str)}

    def new_uploads(self):
        """The files chosen in the file input of this very request."""
        value = self.request.get(self.name)
        uploads = value if isinstance(value, (list, tuple)) else [value]
        return [upload for upload in uploads if getattr(upload, "filename", None)]

    def held_blobs(self):
        """The held files the customer did not tick to remove."""
        removed = self.removed_keys()
        return [
            blob
            for key, blob in held_files(current_userid(), self.posted_token())
            if key not in removed
        ]

    def extract(self, default=NO_VALUE):
        files = self.held_blobs() + self.new_uploads()
        return files or default

    def held_items(self):
        """The files shown as already attached, with their keys for removal."""
        return [
            {
                "key": key,
                "filename": blob.filename,
                "size": human_readable_size(blob.getSize()),
            }
            for key, blob in held_files(current_userid(), self.held_token)
        ]

    def display_items(self):
        return [
            {"filename": item.filename, "size": human_readable_size(item.getSize())}
            for item in self.value or ()
            if hasattr(item, "getSize")
        ]


@adapter(IList, IMultiFileWidget)
class MultiFileConverter(BaseDataConverter):
    """Browser uploads to NamedBlobFile/NamedBlobImage, checked one by one."""

    def toWidgetValue(self, value):
        return value or []

    def toFieldValue(self, value):
        if not value or value is NO_VALUE:
            return self.field.missing_value
        blobs = []
        for upload in value:
            if not hasattr(upload, "read"):
                # Already converted (the form re-extracts on redisplay).
                blobs.append(upload)
                continue
            upload.seek(0)
            content_type = (
                upload.headers.get("content-type") if upload.headers else None
            )
            blobs.append(make_attachment(upload.filename, upload.read(), content_type))
        return blobs


@implementer(IFieldWidget)
def MultiFileFieldWidget(field, request):
    return FieldWidget(field, MultiFileWidget(request))


@implementer(IFieldWidget)
def CCRecipientsFieldWidget(field, request):
    """The CC list's grid: rows in the order they were typed, no reordering."""
    widget = DataGridFieldWidgetFactory(field, request)
    widget.allow_reorder = False
    return widget


_EDITOR_OPTIONS = "collective.tickets.editor_options"


class _JSONCopiedDict(dict):
    """A part of the editor's options whose deep copy goes through JSON (and
    is copied the same way again: Plone merges the options twice)."""

    def __deepcopy__(self, memo):
        return type(self)(json.loads(json.dumps(self)))


class _JSONCopiedList(list):
    def __deepcopy__(self, memo):
        return type(self)(json.loads(json.dumps(self)))


def _cheap_to_copy(options):
    """``options`` with their nested values deep-copied through JSON.

    Plone deep-copies the editor's options with ``copy.deepcopy`` up to three
    times per editor (merging them with the widget's own); they are a few
    hundred nested values read from JSON, and a JSON round trip copies them
    in a fraction of the time. The copies are equal and independent, as
    before.
    """
    wrapped = {}
    for key, value in options.items():
        if isinstance(value, dict):
            value = _JSONCopiedDict(value)
        elif isinstance(value, list):
            value = _JSONCopiedList(value)
        wrapped[key] = value
    return wrapped


def share_editor_options(widget):
    """Let ``widget`` (a rich-text widget) compute Plone's editor options
    once per request and context: they depend on neither the field nor the
    form, and Plone asks for them more than once per editor (about 8 ms a
    time), then deep-copies them (see ``_cheap_to_copy``)."""
    compute = widget.get_pattern_options

    def get_pattern_options():
        cache = IAnnotations(widget.request).setdefault(_EDITOR_OPTIONS, {})
        key = widget.wrapped_context().absolute_url()
        if key not in cache:
            cache[key] = _cheap_to_copy(compute())
        # Read only by their callers (Plone merges them into a copy).
        return cache[key]

    widget.get_pattern_options = get_pattern_options
