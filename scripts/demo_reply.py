"""Answer a notification of the demo site as its recipient would, from a mail
program: ``make reply`` (the newest notification in ``instance/var/mail/new/``)
or ``make reply MAIL=instance/var/mail/new/<file> TEXT="..."``.

The answer goes to the notification's Reply-To, with In-Reply-To and
References, the text on top and the notification quoted below the way Gmail
quotes in Spanish; it is sent to the demo's mail server (``make run``), which
hands it to the site like a production mail server's pipe. The ticket then
shows the text, without the quote.
"""

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from email.utils import getaddresses
from email.utils import make_msgid
from email.utils import parsedate_to_datetime
from pathlib import Path

import argparse
import smtplib
import sys


def notifications(maildir):
    """The site's notifications in ``maildir/new``, newest last."""
    files = sorted(
        (path for path in (Path(maildir) / "new").glob("*") if path.is_file()),
        key=lambda path: path.stat().st_mtime,
    )
    for path in files:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["Reply-To"] and message["Auto-Submitted"]:
            yield path, message


def reply_to(original, text):
    (name, sender), *_ = getaddresses([str(original["To"])])
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = str(original["Reply-To"])
    subject = str(original["Subject"] or "")
    reply["Subject"] = (
        subject if subject.lower().startswith("re:") else f"Re: {subject}"
    )
    reply["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    reply["In-Reply-To"] = str(original["Message-ID"])
    references = str(original["References"] or "").split()
    reply["References"] = " ".join([*references, str(original["Message-ID"])])
    body = original.get_body(("plain",))
    quoted = "\n".join(
        f"> {line}" if line else ">"
        for line in (body.get_content() if body else "").splitlines()
    )
    when = parsedate_to_datetime(str(original["Date"]))
    reply.set_content(
        f"{text}\n\n"
        f"El {format_datetime(when)}, {original['From']} escribió:\n"
        f"{quoted}\n"
    )
    return reply


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("maildir", help="the demo's mail folder (instance/var/mail)")
    parser.add_argument(
        "--mail", help="the notification to answer (default: the newest)"
    )
    parser.add_argument("--text", default="Gracias, con eso ya funciona.")
    parser.add_argument("--port", type=int, default=1025)
    arguments = parser.parse_args(argv)
    if arguments.mail:
        path = Path(arguments.mail)
        original = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    else:
        found = list(notifications(arguments.maildir))
        if not found:
            sys.exit(
                f"No notification in {arguments.maildir}/new/: "
                "start the demo with make run first."
            )
        path, original = found[-1]
    reply = reply_to(original, arguments.text)
    print(f"Answering {path.name}: {original['Subject']}")
    print(f"  From: {reply['From']}\n  To:   {reply['To']}")
    try:
        with smtplib.SMTP("127.0.0.1", arguments.port, timeout=180) as smtp:
            smtp.send_message(reply)
    except smtplib.SMTPResponseException as error:
        sys.exit(
            f"The mail server refused the answer: {error.smtp_code} {error.smtp_error}"
        )
    except OSError as error:
        sys.exit(f"The demo's mail server is not running (make run): {error}")
    print("Sent: the answer is in the ticket's conversation now.")


if __name__ == "__main__":
    main()
