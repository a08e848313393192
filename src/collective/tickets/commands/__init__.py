"""Console scripts that deliver mail to a running site over HTTP.

They are small HTTP clients on the standard library: they import nothing of
Zope or Plone, so that they start in a moment when the mail server runs one
for every message, and they need no access to the site's database.

Exit codes follow sysexits(3), as mail servers read them: 0 when the site
took the message (stored it, or deliberately dropped it), 65 (EX_DATAERR)
when the message itself is unusable, so that the mail server bounces it,
and 75 (EX_TEMPFAIL) for everything an operator can fix (the site is down,
the key or the URL is wrong), so that the mail stays queued meanwhile.
"""

from urllib.error import HTTPError

import argparse
import http.client
import json
import os
import sys
import urllib.request


EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75

KEY_HEADER = "X-Mail-In-Key"
KEY_ENVIRONMENT = "TICKETS_MAIL_IN_KEY"


class CommandError(Exception):
    """Stops a command: the message for the operator, and the exit code."""

    def __init__(self, message, code=EX_TEMPFAIL):
        super().__init__(message)
        self.code = code


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        # argparse exits with 2, which a mail server takes for a permanent
        # failure and bounces the mail: a wrong command line is the
        # operator's to fix, with the mail kept in the queue.
        self.print_usage(sys.stderr)
        self.exit(EX_TEMPFAIL, f"{self.prog}: error: {message}\n")


def parser(description, timeout):
    """The command line every command takes: the site's URL, the key file,
    and how long to wait for the site (``timeout`` seconds by default)."""
    parser = ArgumentParser(description=description)
    parser.add_argument(
        "url",
        metavar="URL",
        help="the Plone site's address, such as https://example.com/Plone",
    )
    parser.add_argument(
        "--key-file",
        metavar="FILE",
        help="a file holding the mail-in key (shown in the Tickets settings); "
        f"else the {KEY_ENVIRONMENT} environment variable holds it",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=timeout,
        help="seconds to wait for the site (default: %(default)s)",
    )
    return parser


def read_key(key_file):
    if key_file:
        try:
            with open(key_file, encoding="utf-8") as file:
                key = file.read().strip()
        except OSError as error:
            raise CommandError(f"Cannot read the key file: {error}") from None
    else:
        key = os.environ.get(KEY_ENVIRONMENT, "").strip()
    if not key:
        raise CommandError(
            f"No mail-in key: pass --key-file FILE or set {KEY_ENVIRONMENT}."
        )
    return key


def view_url(url, view):
    url = url.rstrip("/")
    return url if url.endswith(f"/@@{view}") else f"{url}/@@{view}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of a POST as a GET, without the body.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise CommandError(
            f"{req.full_url} redirects to {newurl}: use that address instead."
        )


_opener = urllib.request.build_opener(_NoRedirect)


def post(url, key, body=b"", content_type="message/rfc822", timeout=120):
    """POST to the site; (status, JSON answer) for any HTTP answer, or
    CommandError when the site cannot be reached."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "Accept": "application/json",
            KEY_HEADER: key,
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, _json(response.read())
    except HTTPError as error:
        with error:
            return error.code, _json(error.read())
    except (OSError, http.client.HTTPException) as error:
        # URLError, a refused connection and a timeout are all OSErrors.
        raise CommandError(f"Cannot reach {url}: {error}") from None


def run_view(url, view, key, timeout):
    """POST to the site's machine view ``view`` with the key: ``(summary,
    answer)`` of a 200 answer; CommandError for a refused key or any other
    answer (the periodic commands, tickets-fetch-mail and tickets-cron)."""
    url = view_url(url, view)
    status, answer = post(url, key, timeout=timeout)
    summary = answer.get("summary") or answer.get("error") or f"HTTP status {status}"
    if status == 403:
        raise CommandError(
            f"{url} refused the mail-in key: copy the key from the site's "
            "Tickets settings into the key file."
        )
    if status != 200:
        raise CommandError(f"{url} failed: {summary}")
    return summary, answer


def _json(body):
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def run(command, argv):
    """Run ``command(argv)`` and turn a CommandError into its exit code."""
    try:
        return command(argv)
    except CommandError as error:
        say(error, error=True)
        return error.code


def say(text, error=False):
    """A line for the operator (or, on stderr, for the bounce the mail
    server writes)."""
    stream = sys.stderr if error else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()
