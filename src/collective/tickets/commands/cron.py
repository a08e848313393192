"""``tickets-cron``: one pass of a site's periodic job (overdue service
levels, reminders, automatic closing, reading the mailbox), for cron or a
systemd timer, every minute and on every instance if you like (the site
makes sure nothing happens twice)::

    * * * * * plone /srv/plone/.venv/bin/tickets-cron --quiet
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


def cron(argv):
    arguments = _parser().parse_args(argv)
    key = read_key(arguments.key_file)
    summary, answer = run_view(arguments.url, "tickets-cron", key, arguments.timeout)
    errors = list(answer.get("errors") or ())
    errors += list((answer.get("mail") or {}).get("errors") or ())
    if errors:
        # What failed is tried again by the next run.
        raise CommandError("; ".join([summary, *errors]) + " (see the site's log)")
    if not (arguments.quiet and _nothing_happened(answer)):
        say(summary)
    return EX_OK


def _nothing_happened(answer):
    mail = answer.get("mail") or {}
    return not any((answer.get("counts") or {}).values()) and not any(
        (mail.get("counts") or {}).values()
    )


def _parser():
    result = parser(
        "Run a Plone site's tickets periodic job once: overdue service levels, "
        "reminders, automatic closing, and the mailbox.",
        timeout=600,
    )
    result.add_argument(
        "--quiet",
        action="store_true",
        help="say nothing when there was nothing to do (errors are always reported)",
    )
    return result


def main(argv=None):
    return run(cron, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
