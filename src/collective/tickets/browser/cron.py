"""``@@tickets-cron``: the periodic job over HTTP, for ``tickets-cron``.

Authenticated like mail in, by the mail-in key in the ``X-Mail-In-Key``
header: the key is the one secret a site shares with its machines."""

from collective.tickets.browser.mail_in import MailInBase
from collective.tickets.core.cron import run_periodic


class TicketsCronView(MailInBase):
    """POST with the key: one pass of the periodic job. Each ticket's work is
    committed on its own (``core.cron``); the answer says what was done."""

    def handle(self):
        report = run_periodic()
        failed = bool(report.errors) or bool((report.mail or {}).get("failed"))
        # 502 when the mailbox server behind the site failed, as fetch-mail.
        status = 502 if (report.mail or {}).get("failed") else 200
        data = report.to_dict()
        data["failed"] = failed
        return self.answer(status, data)
