"""The scratch site of ``make bench``: build it, seed it, open it.

Imported by ``scripts/bench_measure.py``, which runs in a process of its own
with the scratch instance's zope.conf.
"""

from AccessControl.SecurityManagement import newSecurityManager
from collective.tickets import api as tickets
from DateTime import DateTime
from plone import api
from plone.app.textfield.value import RichTextValue
from Products.CMFPlone.factory import addPloneSite
from Testing.makerequest import makerequest
from zope.component.hooks import setSite

import datetime
import json
import random
import resource
import time
import transaction


SITE_ID = "Plone"
PASSWORD = "bench-Pa55word"
STAFF = "bench-staff"
VIEWER = "bench-viewer"
PROFILES = [
    "plone.app.contenttypes:default",
    "plone.app.layout:default",
    "plonetheme.barceloneta:default",
    "plone.app.discussion:default",
    "collective.tickets:default",
]
# One paragraph, the text of every message and comment compared.
MESSAGE = (
    "Thank you for the details. We looked into the export of the invoices and "
    "found that the report times out when a month has more than a thousand "
    "lines. We have raised the limit for your account; please try again and "
    "tell us whether the file now downloads completely."
)
WORDS = [
    "invoice",
    "export",
    "login",
    "password",
    "error",
    "printer",
    "report",
    "account",
    "access",
    "payment",
    "order",
    "delivery",
    "refund",
    "address",
    "contract",
    "upgrade",
    "backup",
    "server",
    "mail",
    "calendar",
    "invoice",
    "update",
    "screen",
    "mobile",
    "license",
    "training",
]


def rss_mb():
    """The resident set of this process now, in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def login(app, userid):
    """Act as ``userid`` of the site (or the Zope admin) in scripts."""
    if userid == "admin":
        user = app.acl_users.getUserById("admin")
        newSecurityManager(None, user.__of__(app.acl_users))
        return
    site = app[SITE_ID]
    user = site.acl_users.getUserById(userid)
    newSecurityManager(None, user.__of__(site.acl_users))


def open_app(host, port):
    import Zope2

    # The site of a connection closed by the step before must not be asked
    # for its components.
    setSite(None)
    app = makerequest(Zope2.app(), environ={"SERVER_NAME": host, "SERVER_PORT": port})
    login(app, "admin")
    if SITE_ID in app.objectIds():
        setSite(app[SITE_ID])
    return app


def build_site(app, smtp_port):
    site = addPloneSite(
        app,
        SITE_ID,
        title="Bench",
        extension_ids=PROFILES,
        setup_content=False,
        default_language="en",
    )
    setSite(site)
    api.portal.set_registry_record(
        "plone.app.theming.interfaces.IThemeSettings.hostnameBlacklist", []
    )
    api.portal.set_registry_record("plone.email_from_address", "help@example.com")
    api.portal.set_registry_record("plone.email_from_name", "Helpdesk")
    api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
    api.portal.set_registry_record("plone.smtp_port", smtp_port)
    api.portal.set_registry_record(
        "plone.app.discussion.interfaces.IDiscussionSettings.globally_enabled", True
    )
    api.portal.set_registry_record(
        "collective.tickets.interfaces.ITicketSettings.staff_email",
        "staff@example.com",
    )
    # The bench opens thousands of tickets per customer in minutes: the
    # rate limits that stop a spammer would stop the seeding.
    for name in (
        "max_tickets_per_hour",
        "max_tickets_per_day",
        "max_cc_per_hour",
        "max_cc_per_day",
    ):
        api.portal.set_registry_record(
            f"collective.tickets.interfaces.ITicketSettings.{name}", 0
        )
    api.portal.set_registry_record(
        "collective.tickets.interfaces.ITicketSettings.categories", CATEGORIES
    )
    # Service-level targets (issue 16), so that tickets have due times and
    # the overview's "overdue" filter and the report have figures to show.
    for target, hours in (("first_response", 8.0), ("resolution", 40.0)):
        for value in ("low", "normal", "high", "urgent"):
            api.portal.set_registry_record(
                f"collective.tickets.interfaces.ITicketSettings.{target}_{value}",
                hours,
            )
    site.portal_types.Document.allow_discussion = True
    add_user(STAFF, "Sam Staff")
    api.group.add_user(groupname="ticket-staff", username=STAFF)
    add_user(VIEWER, "Vera Viewer")
    transaction.commit()
    return site


def add_user(userid, fullname):
    api.user.create(
        username=userid,
        email=f"{userid}@example.com",
        password=PASSWORD,
        properties={"fullname": fullname},
    )


def published_document(container, id, text):
    doc = api.content.create(
        container=container,
        type="Document",
        id=id,
        title="The invoices export times out",
        text=RichTextValue(text, "text/html", "text/x-html-safe"),
    )
    api.content.transition(obj=doc, transition="publish")
    return doc


def add_comments(doc, count, userid, text):
    from plone.app.discussion.interfaces import IConversation
    from zope.component import createObject

    conversation = IConversation(doc)
    for _ in range(count):
        comment = createObject("plone.Comment")
        comment.text = text
        comment.author_username = userid
        comment.author_name = api.user.get(userid=userid).getProperty("fullname")
        comment.creator = userid
        comment.creation_date = comment.modification_date = DateTime().asdatetime()
        conversation.addComment(comment)


def subject(rng, number):
    return f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} problem #{number}"


def ticket_with_replies(app, customer, count):
    """A ticket of ``customer`` whose conversation alternates customer and staff."""
    login(app, customer)
    ticket = tickets.create("The invoices export times out", f"<p>{MESSAGE}</p>")
    for index in range(count):
        login(app, STAFF if index % 2 == 0 else customer)
        tickets.reply(ticket, f"<p>{MESSAGE}</p>")
    login(app, "admin")
    return ticket


# What the staff desk gives the seeded tickets, so that the overview's
# filters find some of them and not all.
CATEGORIES = ["billing | Billing", "access | Access", "printers | Printers"]
PRIORITIES = ["low", "normal", "normal", "high", "urgent"]
DAY = 86400


def random_source(seed=2026):
    return random.Random(seed)


def import_records(customers, count, rng, first=0):
    """``count`` tickets as lines of ``tickets-import``'s JSON-lines format,
    spread over ``customers`` in turn, so that the overview's filters find
    some of them and not all: a category, a priority, (one in three) the
    staff member as assignee, opened over the past year, half of them
    completed a few days later and most of those rated (the report's
    weeks)."""
    categories = [line.split(" | ")[0] for line in CATEGORIES]
    now = time.time()
    for offset in range(count):
        number = first + offset
        opened = now - rng.uniform(0, 364 * DAY)
        record = {
            "id": f"bench-{number}",
            "customer": customers[number % len(customers)],
            "subject": subject(rng, number),
            "category": rng.choice(categories),
            "priority": rng.choice(PRIORITIES),
            "assignee": STAFF if number % 3 == 0 else None,
            "messages": [
                {
                    "date": iso(opened),
                    "html": f"<p>{rng.choice(WORDS)} {MESSAGE}</p>",
                }
            ],
        }
        if number % 2:
            closed = min(opened + rng.uniform(0.1, 10) * DAY, now)
            record["state"] = "completed"
            record["closed"] = iso(closed)
            record["closed_by"] = STAFF
            if rng.random() < 0.7:
                record["rating"] = {"score": rng.choice((2, 3, 4, 4, 5, 5))}
        yield json.dumps(record)


def iso(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat()


def seed_with_import(app, customers, count, rng, first=0, batch=500, on_batch=None):
    """``count`` tickets through ``tickets-import``'s importer (the same code
    as the command, fed the lines directly: the bench holds the database
    open). Returns (seconds, report)."""
    from collective.tickets.core.importer import Importer

    login(app, "admin")
    started = time.perf_counter()

    def tell(report):
        if on_batch is not None:
            on_batch(report.imported, time.perf_counter() - started)

    importer = Importer(batch=batch, on_commit=tell)
    report = importer.run(import_records(customers, count, rng, first))
    if report.failed or report.imported != count:
        raise AssertionError(f"the import refused lines: {report.to_dict()}")
    return time.perf_counter() - started, report
