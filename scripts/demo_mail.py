"""The demo's mail server: ``make run`` starts it beside the site.

Every message the site sends is filed in a Maildir (``instance/var/mail/``,
one file per message in ``new/``), where a newcomer reads the notifications.
A message to the support address (``soporte@example.com``, with or without a
``+code``) is also handed to ``tickets-mail-in``, as a production mail
server's pipe does (docs/managers.rst): answering a notification from a mail
program pointed at this server, or with ``make reply``, puts the answer into
the ticket. When the site is not up yet the message is refused with a
temporary error (451), which a real sender retries.

Usage: python scripts/demo_mail.py MAILDIR --port 1025 --support
soporte@example.com --site http://127.0.0.1:8080/Plone --key-file FILE
"""

from aiosmtpd.controller import Controller
from pathlib import Path

import argparse
import mailbox
import os
import subprocess
import sys
import threading


EX_OK, EX_DATAERR = 0, 65


class DemoMailServer:
    """aiosmtpd handler: file everything, pipe the support address's mail."""

    def __init__(self, maildir, support, site, key_file):
        self.maildir = mailbox.Maildir(maildir, create=True)
        self.support_local, _at, self.support_domain = support.lower().rpartition("@")
        self.site = site
        self.key_file = key_file
        self.lock = threading.Lock()

    def is_support(self, address):
        local, _at, domain = address.lower().rpartition("@")
        return domain == self.support_domain and (
            local.split("+", 1)[0] == self.support_local
        )

    def mail_in(self, content):
        """(SMTP answer or None, what to print) for a mail to the support address."""
        command = [
            str(Path(sys.executable).with_name("tickets-mail-in")),
            "--key-file",
            self.key_file,
            self.site,
        ]
        process = subprocess.run(
            command, input=content, capture_output=True, timeout=180
        )
        said = (process.stdout + process.stderr).decode(errors="replace").strip()
        if process.returncode == EX_OK:
            return None, f"mail in: taken by the site. {said}".strip()
        if process.returncode == EX_DATAERR:
            return "554 " + (said or "The site cannot take this message"), said
        return "451 The site is not reachable yet, try again later", said

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        to_support = any(self.is_support(rcpt) for rcpt in envelope.rcpt_tos)
        if to_support:
            answer, said = self.mail_in(content)
            print(f"  {said}", flush=True)
            if answer:
                return answer
        with self.lock:
            self.maildir.add(content)
        return "250 Message accepted for delivery"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("maildir")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--support", default="soporte@example.com")
    parser.add_argument("--site", default="http://127.0.0.1:8080/Plone")
    parser.add_argument("--key-file", required=True)
    arguments = parser.parse_args(argv)
    for folder in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(arguments.maildir, folder), exist_ok=True)
    handler = DemoMailServer(
        arguments.maildir, arguments.support, arguments.site, arguments.key_file
    )
    controller = Controller(handler, hostname="127.0.0.1", port=arguments.port)
    controller.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
