"""The console scripts of mail in: small HTTP clients that start fast."""

from collective.tickets.commands import view_url

import subprocess
import sys


def test_they_import_nothing_of_zope_or_plone():
    # A mail server starts tickets-mail-in for every message.
    code = (
        "import sys\n"
        "import collective.tickets.commands.mail_in\n"
        "import collective.tickets.commands.fetch_mail\n"
        "heavy = ('Zope2', 'ZPublisher', 'ZODB', 'Products', 'plone', 'transaction')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, text=True
    ).stdout
    assert output.strip() == "[]"


def test_the_url_is_the_sites_or_the_views():
    for url in (
        "https://example.com/Plone",
        "https://example.com/Plone/",
        "https://example.com/Plone/@@mail-in",
    ):
        assert view_url(url, "mail-in") == "https://example.com/Plone/@@mail-in"
