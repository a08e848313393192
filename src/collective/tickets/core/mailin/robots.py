"""Mail no person wrote: auto-replies, bounces, list mail, and the site's
own notifications coming back. It is dropped without an answer, so two
robots can never keep each other talking (RFC 3834)."""

from collective.tickets.core.mailin.tokens import uid_of_message_id

import re


_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_ROBOT_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
_DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)


def automatic_reason(mail):
    """Why ``mail`` was sent by a program, or None when a person wrote it."""
    auto_submitted = mail.header("Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"an automatic message (Auto-Submitted: {auto_submitted})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if mail.header(name):
            return f"an automatic reply ({name})"
    if mail.header("X-Auto-Response-Suppress"):
        return "an automatic message (X-Auto-Response-Suppress)"
    precedence = mail.header("Precedence").strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"bulk or list mail (Precedence: {precedence})"
    if mail.header("List-Id"):
        return "mailing list mail (List-Id)"
    if mail.message.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    if mail.sender_email.split("@")[0] in _ROBOT_LOCAL_PARTS:
        return f"a mail server's message (from {mail.sender_email})"
    return_paths = [value.strip() for value in mail.headers("Return-Path")]
    if any(value in ("<>", "") for value in return_paths):
        return "a bounce (empty Return-Path)"
    if uid_of_message_id(mail.message_id):
        return "one of this site's own notifications"
    return None


def dmarc_failed(mail):
    """Whether the receiving mail server found the sender's domain forged
    (its Authentication-Results header says dmarc=fail)."""
    return any(
        _DMARC_FAIL.search(value) for value in mail.headers("Authentication-Results")
    )
