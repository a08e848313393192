"""When a write conflict wins: "please send again", never an error page.

Zope runs a request that hit a write conflict again (``max-conflict-retries``
in zope.conf); when every try conflicted, the publisher renders the exception
view of ConflictError. This one answers 503 with ``Retry-After`` and:

- for a form (POST), a page that says nothing was saved, shows what the
  person wrote, and sends the same fields again with one button (files are
  not kept: a page cannot make the browser send them again, and the page says
  so);
- for a page (GET), a page that offers to load it again;
- for the REST API and other non-HTML clients, the error as JSON in
  plone.rest's form (``type``, ``message``).

It serves the whole site, not only the tickets' forms: a customer or an
editor who pressed "Send" must never wonder whether it was stored.
"""

from collective.tickets import _
from collective.tickets.core.conflicts import logger
from collective.tickets.core.text import plain_text
from plone.rest.interfaces import IAPIRequest
from Products.Five import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from zope.i18n import translate
from ZPublisher.HTTPRequest import FileUpload

import json


# Fields shown back to the person, by the last part of their name.
SHOWN = ("text", "title", "subject", "description")
# Seconds a client should wait before sending again.
RETRY_AFTER = "2"


def _is_file(value):
    if isinstance(value, (list, tuple)):
        return any(_is_file(item) for item in value)
    return isinstance(value, FileUpload)


def _hidden(name, value):
    """(name, value) pairs of hidden inputs that ZPublisher turns back into
    ``value`` under ``name``; None for what a form cannot carry."""
    if isinstance(value, bool):
        return [(f"{name}:boolean", "1")] if value else []
    if isinstance(value, int):
        return [(f"{name}:int", str(value))]
    if isinstance(value, float):
        return [(f"{name}:float", repr(value))]
    if isinstance(value, str):
        return [(name, value)]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return [(f"{name}:list", item) for item in value]
    return None


class ConflictView(BrowserView):
    page = ViewPageTemplateFile("templates/conflict.pt")
    plain = ViewPageTemplateFile("templates/conflict_plain.pt")
    # The page's body, shared by both.
    body = ViewPageTemplateFile("templates/conflict_body.pt")

    def message(self):
        return translate(
            _(
                "error_conflict_api",
                default="Many people were writing at the same moment and the "
                "request could not be saved after several tries; nothing was "
                "stored. Please send it again.",
            ),
            context=self.request,
        )

    def __call__(self):
        request = self.request
        response = request.response
        # Locked: the publisher sets the status from the exception afterwards.
        response.setStatus(503, lock=True)
        response.setHeader("Retry-After", RETRY_AFTER)
        if IAPIRequest.providedBy(request) or "text/html" not in request.getHeader(
            "Accept", ""
        ):
            response.setHeader("Content-Type", "application/json")
            return json.dumps({"type": "ConflictError", "message": self.message()})
        # The page is drawn in the place the request was for, as Plone's own
        # error page is.
        self.context = self.__parent__
        request.set("disable_border", True)
        try:
            return self.page()
        except Exception:
            logger.exception("The conflict page could not be drawn in full")
            return self.plain()

    @property
    def is_post(self):
        return self.request.method == "POST"

    @property
    def action(self):
        return self.request.get("ACTUAL_URL") or self.request.get("URL", "")

    @property
    def again_url(self):
        query = self.request.get("QUERY_STRING", "")
        return self.action + (f"?{query}" if query else "")

    def _fields(self):
        form = self.request.form
        for name in sorted(form):
            yield name, form[name]

    def hidden_fields(self):
        """The form's fields as hidden inputs, files left out."""
        fields = []
        for name, value in self._fields():
            if _is_file(value):
                continue
            pairs = _hidden(name, value)
            if pairs:
                fields.extend({"name": n, "value": v} for n, v in pairs)
        return fields

    def had_files(self):
        return any(
            _is_file(value) and getattr(value, "filename", True)
            for _, value in self._fields()
        )

    def written(self):
        """What the person wrote, as plain text, for them to see and copy."""
        shown = []
        for name, value in self._fields():
            if not isinstance(value, str) or not value.strip():
                continue
            if name.rsplit(".", 1)[-1] not in SHOWN:
                continue
            text = plain_text(value) if "<" in value else value
            if text.strip():
                shown.append(text.strip())
        return shown
