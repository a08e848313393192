"""``@@tickets-archive``: a customer's tickets as one ZIP (see
``core.privacy.export``), for the customer from "My tickets" and for the
staff from a customer's "Customer tickets" tab (``?userid=``)."""

from collective.tickets import api as tickets
from collective.tickets.core.people import current_userid
from datetime import date
from Products.Five.browser import BrowserView

import re


def archive_name(userid):
    """``tickets-<userid>-<date>.zip``, safe in a header."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", userid).strip("-.") or "customer"
    return f"tickets-{safe}-{date.today().isoformat()}.zip"


class TicketsExportView(BrowserView):
    def __call__(self):
        userid = (self.request.form.get("userid") or "").strip() or current_userid()
        # Unauthorized for anyone but that customer and the staff (anonymous
        # visitors are sent to the login form).
        archive = tickets.export_customer(userid)
        response = self.request.response
        response.setHeader("Content-Type", "application/zip")
        response.setHeader(
            "Content-Disposition", f'attachment; filename="{archive_name(userid)}"'
        )
        # Personal data: no shared cache keeps a copy.
        response.setHeader("Cache-Control", "private, no-store")
        # The publisher sends the temporary file as it is and closes it (which
        # deletes it) once sent.
        return archive
