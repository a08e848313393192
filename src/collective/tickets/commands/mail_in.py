"""``tickets-mail-in``: deliver the message on stdin to a site's @@mail-in.

For a mail server's pipe, such as Postfix's master.cf::

    tickets unix - n n - - pipe flags=DRq user=plone
      argv=/srv/plone/.venv/bin/tickets-mail-in --key-file /etc/tickets/mail-in.key
      https://example.com/Plone
"""

from collective.tickets.commands import CommandError
from collective.tickets.commands import EX_DATAERR
from collective.tickets.commands import EX_OK
from collective.tickets.commands import parser
from collective.tickets.commands import post
from collective.tickets.commands import read_key
from collective.tickets.commands import run
from collective.tickets.commands import say
from collective.tickets.commands import view_url

import sys


# What the site may answer for a message it took: stored, or dropped on
# purpose (a robot, a stranger); none of them is worth a bounce.
TAKEN = ("added", "created", "ignored", "refused")


def deliver(argv):
    arguments = _parser().parse_args(argv)
    key = read_key(arguments.key_file)
    url = view_url(arguments.url, "mail-in")
    message = sys.stdin.buffer.read()
    status, answer = post(url, key, message, timeout=arguments.timeout)
    error = answer.get("error") or f"HTTP status {status}"
    if status == 200 and answer.get("status") in TAKEN:
        if answer["status"] == "refused":
            say(f"Refused: {answer.get('reason')}", error=True)
        return EX_OK
    if status in (400, 413):
        # The message itself: the mail server bounces it with this text.
        raise CommandError(f"The site cannot take this message: {error}", EX_DATAERR)
    if status == 403:
        raise CommandError(
            f"{url} refused the mail-in key: copy the key from the site's "
            "Tickets settings into the key file."
        )
    raise CommandError(f"{url} failed: {error}")


def _parser():
    return parser(
        "Deliver the e-mail message on stdin to a Plone site's tickets.", timeout=120
    )


def main(argv=None):
    return run(deliver, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
