"""``tickets-fetch-mail``: have a site read its mailbox now (IMAP), for cron
or a systemd timer::

    */2 * * * * plone /srv/plone/.venv/bin/tickets-fetch-mail
        --key-file /etc/tickets/mail-in.key https://example.com/Plone
"""

from collective.tickets.commands import CommandError
from collective.tickets.commands import EX_OK
from collective.tickets.commands import parser
from collective.tickets.commands import read_key
from collective.tickets.commands import run
from collective.tickets.commands import run_view
from collective.tickets.commands import say

import sys


def fetch(argv):
    arguments = _parser().parse_args(argv)
    key = read_key(arguments.key_file)
    summary, answer = run_view(arguments.url, "fetch-mail", key, arguments.timeout)
    if answer.get("errors"):
        # The messages that failed stay in the mailbox for the next run.
        raise CommandError(
            "; ".join([summary, *answer["errors"]]) + " (see the site's log)"
        )
    if not (arguments.quiet and _nothing_happened(answer)):
        say(summary)
    return EX_OK


def _nothing_happened(answer):
    return not answer.get("configured", True) or not any(
        (answer.get("counts") or {}).values()
    )


def _parser():
    result = parser(
        "Have a Plone site read its tickets mailbox (IMAP) now.", timeout=600
    )
    result.add_argument(
        "--quiet",
        action="store_true",
        help="say nothing when no mailbox is configured or it was empty "
        "(errors are always reported)",
    )
    return result


def main(argv=None):
    return run(fetch, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
