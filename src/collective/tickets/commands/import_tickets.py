"""``tickets-import``: load the tickets of another helpdesk into a site.

Unlike the mail commands, which talk to a running site over HTTP, this one
opens the site's database itself, through a Zope instance's ``zope.conf``:
a FileStorage instance while it is stopped, or a ZEO or RelStorage client
beside the running instances.

    tickets-import instance/etc/zope.conf export.jsonl
    tickets-import instance/etc/zope.conf old-support.mbox
    tickets-import instance/etc/zope.conf Maildir/ --site Plone

A ``.jsonl`` file holds one ticket per line with its conversation
(docs/integrators.rst, "Importing tickets"); anything else is read as a
mailbox (an mbox file, a Maildir, or a folder of ``.eml`` files) whose mails
go through the reply-by-e-mail code, oldest first. Running it again imports
nothing twice. Exit status 0 when every ticket or mail was taken (or had
been before), 65 when some were refused (listed), 75 when the import could
not run.
"""

from collective.tickets.commands import ArgumentParser
from collective.tickets.commands import CommandError
from collective.tickets.commands import EX_DATAERR
from collective.tickets.commands import EX_OK
from collective.tickets.commands import EX_TEMPFAIL
from pathlib import Path

import sys


def open_site(zope_conf, site_path):
    """The Plone site at ``site_path`` in the database of ``zope_conf``,
    made the current site, with Zope's system user acting."""
    from AccessControl.SecurityManagement import newSecurityManager
    from AccessControl.users import system
    from Testing.makerequest import makerequest
    from zope.component.hooks import setSite
    from zope.globalrequest import setRequest
    from Zope2.Startup.run import make_wsgi_app

    import Zope2

    make_wsgi_app({}, str(zope_conf))
    app = makerequest(Zope2.app())
    app.REQUEST["PARENTS"] = [app]
    setRequest(app.REQUEST)
    newSecurityManager(None, system)
    site = app.unrestrictedTraverse(site_path.strip("/"), None)
    if site is None:
        raise CommandError(f"There is no site at /{site_path.strip('/')}.")
    setSite(site)
    return site


def count_lines(path):
    with open(path, "rb") as file:
        return sum(1 for line in file if line.strip())


def progress_bar(total, unit, quiet):
    """A tqdm bar on stderr (rate and time left), moved by the importer's
    report; None when quiet."""
    if quiet:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=total, unit=f" {unit}", dynamic_ncols=True, file=sys.stderr)

    def update(report):
        bar.update(report.read - bar.n)

    return bar, update


def run(args):
    from collective.tickets.core import importer

    source = Path(args.source)
    if not source.exists():
        raise CommandError(f"{source} does not exist.")
    open_site(args.zope_conf, args.site)
    if importer.is_mailbox(source):
        mails = importer.mailbox_messages(source)
        bar, update = progress_bar(mails[0], "mails", args.quiet)
        report = importer.import_mailbox(
            source, batch=args.batch or 200, progress=update, read=mails
        )
        if bar is not None:
            bar.close()
        print(
            f"{report.read} mails in {report.seconds:.1f} s: "
            f"{report.created} tickets opened, {report.added} replies added, "
            f"{report.ignored} ignored (robots, or stored before), "
            f"{len(report.refused)} refused."
        )
        for name, reason in report.refused:
            print(f"  {name}: {reason}")
        return EX_DATAERR if report.refused else EX_OK
    bar, update = progress_bar(count_lines(source), "tickets", args.quiet)
    report = importer.import_tickets(source, batch=args.batch or 500, progress=update)
    if bar is not None:
        bar.close()
    rate = report.imported / report.seconds if report.seconds else 0
    print(
        f"{report.imported} tickets imported in {report.seconds:.1f} s "
        f"({rate:.0f} tickets/s), {report.skipped} imported before, "
        f"{len(report.failed)} lines refused."
    )
    for line, reason in report.failed:
        print(f"  line {line}: {reason}")
    return EX_DATAERR if report.failed else EX_OK


def main(argv=None):
    parser = ArgumentParser(
        prog="tickets-import",
        description="Import tickets (JSON lines) or an old support mailbox "
        "(mbox, Maildir, a folder of .eml files) into a Plone site.",
    )
    parser.add_argument(
        "zope_conf", metavar="ZOPE_CONF", help="the instance's zope.conf"
    )
    parser.add_argument(
        "source", metavar="SOURCE", help="a .jsonl file, an mbox file or a Maildir"
    )
    parser.add_argument(
        "--site", default="Plone", help="the site's path in Zope (default: Plone)"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="tickets (or mails) per commit (default: 500 tickets, 200 mails)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        code = run(args)
    except CommandError as error:
        print(f"tickets-import: {error}", file=sys.stderr)
        code = error.code
    sys.exit(code)


__all__ = ["EX_TEMPFAIL", "main"]
