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
# The indexes the seeding changes after create() has indexed a ticket.
SEEDED_INDEXES = [
    "ticket_priority",
    "ticket_assignee",
    "created",
    "ticket_last_activity",
    "review_state",
    "allowedRolesAndUsers",
    "ticket_due",
    "ticket_next_job",
    "ticket_closed",
    "ticket_rating",
]


def seed_with_api(app, customers, count, rng, batch=500, on_batch=None):
    """``count`` tickets spread over ``customers``, each opened by its customer
    through ``collective.tickets.api.create`` in a category, with a priority
    and (one in three) the staff member as assignee, opened over the past
    year, half of them completed and most of those rated; a commit every
    ``batch``. What follows create() is set directly and only its indexes
    updated: the desk's API and the workflow would also record history and
    send mail."""
    started = time.perf_counter()
    categories = [line.split(" | ")[0] for line in CATEGORIES]
    now = time.time()
    portal_workflow = api.portal.get_tool("portal_workflow")
    workflow = portal_workflow.getWorkflowById("ticket_workflow")
    for number in range(count):
        customer = customers[number % len(customers)]
        login(app, customer)
        ticket = tickets.create(
            subject(rng, number),
            f"<p>{rng.choice(WORDS)} {MESSAGE}</p>",
            category=rng.choice(categories),
        )
        ticket.ticket_priority = rng.choice(PRIORITIES)
        ticket.ticket_assignee = STAFF if number % 3 == 0 else None
        # Opened over the past year; half of them completed a few days
        # later and most of those rated, recorded as the workflow records
        # a status (no transition, so no mail): the report's weeks.
        opened = now - rng.uniform(0, 364 * DAY)
        ticket.creation_date = DateTime(opened)
        if number % 2:
            closed = min(opened + rng.uniform(0.1, 10) * DAY, now)
            portal_workflow.setStatusOf(
                "ticket_workflow",
                ticket,
                {
                    "action": "complete",
                    "review_state": "completed",
                    "actor": STAFF,
                    "time": DateTime(closed),
                    "comments": "",
                },
            )
            workflow.updateRoleMappingsFor(ticket)
            if rng.random() < 0.7:
                ticket.ticket_rating = (rng.choice((2, 3, 4, 4, 5, 5)), "", closed)
        # create() has indexed the ticket already: what changed, again.
        ticket.reindexObject(idxs=SEEDED_INDEXES)
        if (number + 1) % batch == 0:
            transaction.commit()
            app._p_jar.cacheMinimize()
            if on_batch:
                on_batch(number + 1, time.perf_counter() - started)
    transaction.commit()
    login(app, "admin")
    return time.perf_counter() - started


def random_source(seed=2026):
    return random.Random(seed)
