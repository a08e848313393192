from pathlib import Path
from setuptools import find_namespace_packages
from setuptools import setup


long_description = "\n\n".join(
    [
        Path("README.rst").read_text(encoding="utf-8"),
        Path("CHANGES.rst").read_text(encoding="utf-8"),
    ]
)


setup(
    name="collective.tickets",
    version="1.0.0.dev0",
    description="Customer support tickets for Plone: conversations, attachments, "
    "CC recipients and notifications through content rules.",
    long_description=long_description,
    long_description_content_type="text/x-rst",
    classifiers=[
        "Environment :: Web Environment",
        "Framework :: Plone",
        "Framework :: Plone :: 6.2",
        "Framework :: Plone :: Addon",
        "Programming Language :: Python",
        "Programming Language :: Python :: 3.11",
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
    ],
    keywords="Plone tickets helpdesk support",
    author="collective.tickets developers",
    license="GPL version 2",
    packages=find_namespace_packages("src", include=["collective.*"]),
    package_dir={"": "src"},
    include_package_data=True,
    zip_safe=False,
    python_requires=">=3.11",
    install_requires=[
        "Products.CMFPlone>=6.2",
        "collective.z3cform.datagridfield>=4",
        # Reply by e-mail: reading the mailbox, and keeping only the new
        # text of a reply (each library covers what the other misses).
        "imap-tools",
        "mail-parser-reply",
        "quotequail",
        "plone.api>=3",
        # The report page's charts, drawn on the server as SVG.
        "pygal",
        "plone.app.contentrules",
        "plone.app.dexterity",
        "plone.app.textfield",
        "plone.app.users",
        "plone.app.z3cform",
        "plone.autoform",
        "plone.batching",
        "plone.namedfile",
        "plone.restapi",
        "plone.scale",
        "plone.supermodel",
        "setuptools",
        # tickets-import's progress bar (rate and time left).
        "tqdm",
    ],
    extras_require={
        # RelStorage on PostgreSQL (docs/operators.rst): the psycopg2 wheel
        # carries libpq, so no compiler or client headers are needed.
        "postgresql": ["RelStorage", "psycopg2-binary"],
        # make bench: its chart, the comments it compares replies with, and
        # the cluster it writes to (a ZEO server or PostgreSQL, HTTP clients).
        "bench": [
            "matplotlib",
            "plone.app.discussion",
            "requests",
            "ZEO",
            "RelStorage",
            "psycopg2-binary",
        ],
        "test": [
            # The mail sink of make run, and the SMTP servers of the tests.
            "aiosmtpd",
            "hypothesis",
            # The browser journeys, in Debian's Chromium.
            "playwright",
            # The IMAP server the mail-in tests start (pure Python).
            "pymap",
            # make run-cluster and the two-instance tests, on ZEO and on
            # RelStorage with PostgreSQL.
            "requests",
            "ZEO",
            "RelStorage",
            "psycopg2-binary",
            "plone.app.contenttypes",
            "plone.app.testing",
            "plone.testing",
            "pytest",
            "pytest-plone",
            "zope.pytestlayer",
            # make test's linters (make lint) and the news fragments (news/).
            "ruff",
            "towncrier",
            "zpretty",
        ],
    },
    entry_points={
        "z3c.autoinclude.plugin": ["target = plone"],
        "console_scripts": [
            "tickets-mail-in = collective.tickets.commands.mail_in:main",
            "tickets-fetch-mail = collective.tickets.commands.fetch_mail:main",
            "tickets-cron = collective.tickets.commands.cron:main",
            "tickets-import = collective.tickets.commands.import_tickets:main",
        ],
    },
)
