Reply by e-mail: every notification can be answered from a mail program. The
answer joins its ticket, matched by a signed code in the Reply-To address or
by the site's signed Message-IDs, never by the subject; only its new text is
kept (quoted history and signatures removed with mail-parser-reply and
quotequail, in Spanish and English), its attachments follow the web's rules,
inline images are shown, and staff can download the original message. Only
the ticket's customer, its CC recipients and the staff may write; forged
codes, DMARC failures, auto-replies, bounces, list mail and duplicates are
refused or ignored without an answer; a reply to a completed ticket gets one
short automatic answer. A member's mail to the support address opens a new
ticket (from unknown senders only if a new setting allows it). Mail comes in
through ``collective.tickets.api.receive_mail``, ``POST @@mail-in`` with the
mail-in key (for a mail server's pipe, ``tickets-mail-in``, or a webhook), or
an IMAP mailbox read by ``tickets-fetch-mail``. ``make run`` takes replies in
its demo mail server, and ``make reply`` answers a notification.
