"""Small helpers the tests share."""

from plone import api

import base64


# A 1x1 PNG: the smallest real image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def as_user(portal, userid):
    """Run a block as ``userid``, then go back to whoever ran before."""
    return api.env.adopt_user(username=userid)


def browser_for(layer, userid=None, password=None):
    """A test browser on the layer's app, logged in as ``userid`` when given."""
    from collective.tickets.testing import PASSWORD
    from plone.testing.zope import Browser

    browser = Browser(layer["app"])
    browser.handleErrors = True
    browser.raiseHttpErrors = False
    if userid:
        browser.addHeader("Authorization", f"Basic {userid}:{password or PASSWORD}")
    return browser


def authenticator(browser):
    """The CSRF token of the page the browser shows."""
    return browser.getControl(name="_authenticator", index=0).value


def post_multipart(browser, url, fields):
    """POST ``fields`` as a browser's multipart form would.

    Used where the page adds form rows with JavaScript (the CC grid), which
    the test browser does not run. ``fields`` is a list of ``(name, value)``;
    a value ``(filename, data, content_type)`` is a file upload.
    """
    from urllib3.filepost import encode_multipart_formdata

    body, content_type = encode_multipart_formdata(fields)
    browser.post(url, body, content_type)


def new_ticket_fields(
    token, subject, text, cc=(), files=(), button="add", submission_id=None
):
    fields = [
        ("_authenticator", token),
        ("form.widgets.submission_id", submission_id or ""),
        ("form.widgets.title", subject),
        ("form.widgets.cc_recipients.count", str(len(cc))),
        ("form.widgets.text", text),
        ("form.widgets.text.mimeType", "text/html"),
    ]
    for index, (email, name) in enumerate(cc):
        prefix = f"form.widgets.cc_recipients.{index}"
        fields += [
            (f"{prefix}-empty-marker", "1"),
            (f"{prefix}.widgets.email", email),
            (f"{prefix}.widgets.name", name),
        ]
    for upload in files:
        fields.append(("form.widgets.attachments", upload))
    fields.append((f"form.buttons.{button}", "x"))
    return fields


def fetch(layer, userid, url, data=None, json=False):
    """(status, body) of a GET, or of a form-encoded POST, as ``userid``,
    without following redirects (a refusal shows as 302, 401 or 403)."""
    from urllib.parse import urlencode

    browser = browser_for(layer, userid)
    browser.followRedirects = False
    if json:
        browser.addHeader("Accept", "application/json")
    if data is None:
        browser.open(url)
    else:
        browser.post(url, urlencode(data, doseq=True).encode())
    body = browser.contents
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return int(browser.headers["status"].split()[0]), body


def parse_mail(raw):
    """A sent mail (bytes or text) as an EmailMessage."""
    from email import message_from_bytes
    from email import message_from_string
    from email import policy

    if isinstance(raw, bytes):
        return message_from_bytes(raw, policy=policy.default)
    return message_from_string(raw, policy=policy.default)


class SentMailMixin:
    """What the mail tests share: commit as a request ends, read what left."""

    def commit(self):
        """Mail leaves after the commit; each step is a request of its own."""
        from plone.app.contentrules.handlers import close as reset_rule_filter

        import transaction

        transaction.commit()
        reset_rule_filter(None)

    def take_mail(self):
        from collective.tickets.testing import SENT_MAIL

        mails = [parse_mail(raw) for raw in SENT_MAIL]
        SENT_MAIL.clear()
        return mails


class SMTPSink:
    """aiosmtpd handler keeping what a real SMTP server received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


class RefusingSink(SMTPSink):
    """An SMTP server that refuses every message for good (5xx)."""

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "550 5.7.1 Relaying denied"


def set_setting(name, value):
    """A tickets setting, ``None`` included (plone.api refuses None, which
    is "no target" for the service levels)."""
    from collective.tickets.interfaces import ITicketSettings
    from plone.registry.interfaces import IRegistry
    from zope.component import getUtility

    getUtility(IRegistry)[f"{ITicketSettings.__identifier__}.{name}"] = value


def round_the_clock():
    """Business hours on every day, all day: due times are plain arithmetic."""
    from collective.tickets.core.businesshours import WEEKDAYS

    for day in WEEKDAYS:
        set_setting(f"hours_{day}", "00:00-24:00")
