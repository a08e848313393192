"""The in-process part of ``make bench``: build the scratch site, seed it and
time its pages through Zope's WSGI publisher (WebTest), in one process.

Run by ``scripts/bench.py``, which gives it the scratch instance; it writes
its figures as JSON to ``--out``. Every page is requested as a logged-in user
(HTTP basic authentication), themed, exactly as a browser would get it; each
figure is the median of ``--repeat`` timings taken after a warm-up, with the
compared pages timed alternately so that a noisy moment hits both.
"""

from pathlib import Path

import argparse
import json
import re
import statistics
import sys
import time


sys.path.insert(0, str(Path(__file__).parent))

import bench_site as site_tools  # noqa: E402


HOST = "localhost"
PORT = "8080"
SMALL_CUSTOMER = "customer-a"
# The staff overview's filters that make bench times: query string each.
OVERVIEW_FILTERS = {
    "state": "state=in_progress",
    "waiting": "waiting=staff",
    "assignee": f"assignee={site_tools.STAFF}",
    "unassigned": "assignee=none",
    "priority": "priority=urgent",
    "category": "category=billing",
    "customer": "customer=customer-a",
    "text": "SearchableText=printer",
    "priority_sort": "sort=priority",
    # Service levels (issue 16).
    "overdue": "due=overdue",
    "due_sort": "sort=due",
}
LARGE_CUSTOMER = "customer-b"
CREATOR = "customer-c"
MAIL_CUSTOMER = "customer-mail"
# Replies by e-mail and on the web are spread over this many tickets of
# each kind, as replies to a busy helpdesk are.
REPLY_TICKETS = 50
OTHER_CUSTOMERS = [f"customer-{n:03d}" for n in range(50)]
ATTACHMENT_SIZE = 100 * 1024


def close(app):
    """Close the connection of ``app`` and forget its site: the next request
    must not start from a site whose objects can no longer be loaded (the
    importer empties the object cache at each commit)."""
    from zope.component.hooks import setSite

    app._p_jar.close()
    setSite(None)


def figure(samples):
    return {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "min_ms": round(min(samples) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
        "samples_ms": [round(s * 1000, 2) for s in samples],
    }


class Client:
    """WebTest over Zope's WSGI publisher, as one user."""

    def __init__(self, wsgi_app, userid):
        from webtest import TestApp

        self.app = TestApp(
            wsgi_app, extra_environ={"HTTP_HOST": f"{HOST}:{PORT}"}, lint=False
        )
        self.app.authorization = ("Basic", (userid, site_tools.PASSWORD))

    def get(self, path, expect=None):
        response = self.app.get(path, status=200)
        if expect is not None:
            expect(response.text)
        return response

    def timed_get(self, path, expect=None):
        started = time.perf_counter()
        response = self.app.get(path, status=200)
        elapsed = time.perf_counter() - started
        if expect is not None:
            expect(response.text)
        return elapsed


def count_check(pattern, expected):
    """A check that the page shows ``expected`` matches of ``pattern``: the
    figures must be of the page meant, not of an error or an empty listing."""

    def check(text):
        found = len(re.findall(pattern, text))
        if found != expected:
            raise AssertionError(f"expected {expected} x {pattern!r}, found {found}")

    return check


def compare(cases, repeat):
    """Time each of ``cases`` (name -> callable returning seconds) ``repeat``
    times, round robin, after one warm-up round."""
    for timer in cases.values():
        timer()
    samples = {name: [] for name in cases}
    for _ in range(repeat):
        for name, timer in cases.items():
            samples[name].append(timer())
    return {name: figure(values) for name, values in samples.items()}


def ratio(a, b):
    return round(a["median_ms"] / b["median_ms"], 3)


class Bench:
    def __init__(self, conf, smtp_port, repeat):
        from Zope2.Startup.run import make_wsgi_app

        self.wsgi = make_wsgi_app({}, conf)
        self.smtp_port = smtp_port
        self.repeat = repeat
        self.rng = site_tools.random_source()
        self.results = {"repeat": repeat, "figures": {}, "seeding": {}}
        # The keys of the imported tickets run on from one seeding to the next.
        self.seeded = 0
        self.milestones = []

    # The scratch site

    def app(self):
        return site_tools.open_app(HOST, PORT)

    def build(self):
        import transaction

        started = time.perf_counter()
        app = self.app()
        site = site_tools.build_site(app, self.smtp_port)
        for userid in [
            SMALL_CUSTOMER,
            LARGE_CUSTOMER,
            CREATOR,
            MAIL_CUSTOMER,
            *OTHER_CUSTOMERS,
        ]:
            site_tools.add_user(userid, userid.replace("-", " ").title())
        transaction.commit()
        self.ticket5 = site_tools.ticket_with_replies(app, SMALL_CUSTOMER, 5)
        self.ticket50 = site_tools.ticket_with_replies(app, SMALL_CUSTOMER, 50)
        self.ticket5_path = self.path_of(self.ticket5)
        self.ticket50_path = self.path_of(self.ticket50)
        from plone import api

        docs = api.content.create(
            container=site, type="Folder", id="docs", title="Docs"
        )
        api.content.transition(obj=docs, transition="publish")
        text = f"<p>{site_tools.MESSAGE}</p>"
        plain = site_tools.published_document(docs, "plain", text)
        commented = site_tools.published_document(docs, "commented", text)
        site_tools.add_comments(commented, 50, site_tools.STAFF, site_tools.MESSAGE)
        self.plain_path = self.path_of(plain)
        self.commented_path = self.path_of(commented)
        workspace = api.content.create(
            container=site, type="Folder", id="workspace", title="Workspace"
        )
        api.user.grant_roles(username=CREATOR, obj=workspace, roles=["Contributor"])
        self.workspace_path = self.path_of(workspace)
        transaction.commit()
        # Ten tickets for the customer of the small "My tickets" (two of
        # them the conversations above), ninety for the others.
        for customers, count in (([SMALL_CUSTOMER], 8), (OTHER_CUSTOMERS, 90)):
            site_tools.seed_with_import(
                app, customers, count, self.rng, first=self.seeded
            )
            self.seeded += count
        self.results["build_seconds"] = round(time.perf_counter() - started, 1)
        close(app)

    def path_of(self, obj):
        return "/".join(obj.getPhysicalPath())[len(f"/{site_tools.SITE_ID}") :]

    def url(self, path):
        return f"/{site_tools.SITE_ID}{path}"

    def ticket_count(self, **query):
        """How many tickets (matching ``query``) the catalog holds now."""
        from plone import api

        app = self.app()
        count = len(
            api.portal.get_tool("portal_catalog").unrestrictedSearchResults(
                portal_type="Ticket", **query
            )
        )
        close(app)
        return count

    def queue_count(self, query):
        """How many tickets the overview finds for ``query``, as the staff."""
        from collective.tickets.core.queue import queue_brains
        from collective.tickets.core.queue import QueueFilter
        from urllib.parse import parse_qsl

        app = self.app()
        site_tools.login(app, site_tools.STAFF)
        count = len(queue_brains(QueueFilter.from_form(dict(parse_qsl(query)))))
        site_tools.login(app, "admin")
        # PlonePAS holds the staff member's groups in the request until it
        # closes: before the connection, not after.
        app.REQUEST.close()
        close(app)
        return count

    # Figures

    def conversations(self):
        customer = Client(self.wsgi, SMALL_CUSTOMER)
        staff = Client(self.wsgi, site_tools.STAFF)
        message = r'class="card mb-3 ticket-message"'
        comment = r'<div class="comment[" ]'
        cases = {
            "ticket_50_replies": lambda: customer.timed_get(
                self.url(self.ticket50_path), count_check(message, 51)
            ),
            "document_50_comments": lambda: customer.timed_get(
                self.url(self.commented_path), count_check(comment, 50)
            ),
            "ticket_5_replies": lambda: customer.timed_get(
                self.url(self.ticket5_path), count_check(message, 6)
            ),
            "document": lambda: customer.timed_get(self.url(self.plain_path)),
            # The same pages as the staff, who also get the handling panel,
            # the internal-note box and Plone's toolbar on tickets.
            "ticket_5_replies_staff": lambda: staff.timed_get(
                self.url(self.ticket5_path), count_check(message, 6)
            ),
            "ticket_50_replies_staff": lambda: staff.timed_get(
                self.url(self.ticket50_path), count_check(message, 51)
            ),
            "document_staff": lambda: staff.timed_get(self.url(self.plain_path)),
        }
        figures = compare(cases, self.repeat)
        self.results["figures"].update(figures)
        self.results["ratios"] = {
            "1_ticket50_vs_document_50_comments": ratio(
                figures["ticket_50_replies"], figures["document_50_comments"]
            ),
            "2_ticket5_vs_document": ratio(
                figures["ticket_5_replies"], figures["document"]
            ),
            "2_ticket50_vs_document": ratio(
                figures["ticket_50_replies"], figures["document"]
            ),
            "2_staff_ticket5_vs_document": ratio(
                figures["ticket_5_replies_staff"], figures["document_staff"]
            ),
            "2_staff_ticket50_vs_document": ratio(
                figures["ticket_50_replies_staff"], figures["document_staff"]
            ),
        }

    def listings(self, label):
        """``@@my-tickets`` of both customers, ``@@tickets`` and
        ``@@customer-tickets`` now, as one milestone of the chart."""
        tickets = self.ticket_count()
        a = Client(self.wsgi, SMALL_CUSTOMER)
        b = Client(self.wsgi, LARGE_CUSTOMER)
        staff = Client(self.wsgi, site_tools.STAFF)
        row = r"<tr>\s*<td class=\"text-break\">"
        # The overview's rows start with their selection box.
        queue_row = r'name="uids:list"'
        b_tickets = self.ticket_count(ticket_customer=LARGE_CUSTOMER)
        b_count = min(b_tickets, 20)
        cases = {
            "my_tickets_small": lambda: a.timed_get(
                self.url("/@@my-tickets"), count_check(row, 10)
            ),
            "overview": lambda: staff.timed_get(
                self.url("/@@tickets"), count_check(queue_row, 20)
            ),
            "customer_tickets": lambda: staff.timed_get(
                self.url(f"/@@customer-tickets?userid={SMALL_CUSTOMER}"),
                count_check(row, 10),
            ),
            # The report of the last 12 weeks, its five charts (issue 16).
            "report": lambda: staff.timed_get(
                self.url("/@@tickets-report"),
                count_check(r'class="pygal-chart"', 5),
            ),
        }
        # The work queue's filters, each a first page of 20 (or of all the
        # matches when fewer): the same queries at every milestone.
        for name, query in OVERVIEW_FILTERS.items():
            expected = min(self.queue_count(query), 20)
            cases[f"overview_{name}"] = lambda query=query, expected=expected: (
                staff.timed_get(
                    self.url(f"/@@tickets?{query}"), count_check(queue_row, expected)
                )
            )
        if b_count:
            cases["my_tickets_large"] = lambda: b.timed_get(
                self.url("/@@my-tickets"), count_check(row, b_count)
            )
        figures = compare(cases, self.repeat)
        self.milestones.append(
            {
                "label": label,
                "tickets": tickets,
                "large_customer_tickets": self.ticket_count(
                    ticket_customer=LARGE_CUSTOMER
                ),
                "figures": figures,
                # This process has one connection: its cache's objects, and
                # the memory of the process with them.
                "rss_mb": round(site_tools.rss_mb(), 1),
            }
        )
        return figures

    def creation(self):
        """A ticket with a 100 KB attachment through @@new-ticket, against a
        Document and a File with the same text and data through Plone's add
        forms; the redirect after each is not followed."""
        from webtest import Upload

        data = b"%PDF-1.4\n" + bytes(
            self.rng.randrange(256) for _ in range(ATTACHMENT_SIZE - 9)
        )
        creator = Client(self.wsgi, CREATOR)
        text = f"<p>{site_tools.MESSAGE}</p>"
        counter = iter(range(10**6))

        def ticket():
            page = creator.get(self.url("/@@new-ticket")).text
            fields = {
                "_authenticator": hidden(page, "_authenticator"),
                "form.widgets.submission_id": hidden(
                    page, "form.widgets.submission_id"
                ),
                "form.widgets.title": f"The export fails {next(counter)}",
                "form.widgets.cc_recipients.count": "0",
                "form.widgets.text": text,
                "form.widgets.text.mimeType": "text/html",
                # The bench site keeps categories: the form asks for one.
                "form.widgets.category": "billing",
                "form.widgets.category-empty-marker": "1",
                "form.buttons.add": "Open ticket",
            }
            started = time.perf_counter()
            response = creator.app.post(
                self.url("/@@new-ticket"),
                fields,
                upload_files=[
                    ("form.widgets.attachments", "report.pdf", data, "application/pdf")
                ],
                status=302,
            )
            elapsed = time.perf_counter() - started
            assert "/Members/" in response.location, response.location
            return elapsed

        def document_and_file():
            elapsed = 0
            form = creator.get(
                self.url(f"{self.workspace_path}/++add++Document")
            ).forms["form"]
            form["form.widgets.IDublinCore.title"] = f"The export fails {next(counter)}"
            form["form.widgets.IRichTextBehavior.text"] = text
            started = time.perf_counter()
            response = form.submit("form.buttons.save", status=302)
            elapsed += time.perf_counter() - started
            assert "++add++" not in response.location, response.location
            form = creator.get(self.url(f"{self.workspace_path}/++add++File")).forms[
                "form"
            ]
            form["form.widgets.file"] = Upload("report.pdf", data, "application/pdf")
            started = time.perf_counter()
            response = form.submit("form.buttons.save", status=302)
            elapsed += time.perf_counter() - started
            assert "++add++" not in response.location, response.location
            return elapsed

        figures = compare(
            {"create_ticket": ticket, "create_document_and_file": document_and_file},
            self.repeat,
        )
        self.results["figures"].update(figures)
        self.results["ratios"]["5_create_ticket_vs_document_and_file"] = ratio(
            figures["create_ticket"], figures["create_document_and_file"]
        )

    def replies(self, count):
        """Replies per second: ``count`` replies by e-mail through
        ``receive_mail`` (quote stripping, matching, the sender check, a
        commit each, as @@mail-in and the mailbox reader do), and ``count``
        through the ticket page's reply form (the POST only, its redirect not
        followed), taken alternately in rounds of ``REPLY_TICKETS``. Both
        fire the same notifications."""
        from collective.tickets import api as tickets
        from collective.tickets.core.mailin.tokens import reply_address
        from collective.tickets.core.mailin.tokens import root_message_id
        from email.message import EmailMessage
        from email.utils import make_msgid
        from zope.component.hooks import setSite

        import transaction

        app = self.app()
        site_tools.login(app, MAIL_CUSTOMER)
        by_mail, on_web = [], []
        for number in range(REPLY_TICKETS):
            ticket = tickets.create(f"Reply by e-mail {number}", "<p>Hello</p>")
            by_mail.append((reply_address(ticket), root_message_id(ticket), ticket))
            ticket = tickets.create(f"Reply on the web {number}", "<p>Hello</p>")
            on_web.append(self.path_of(ticket))
        transaction.commit()
        site_tools.login(app, "admin")
        sender = f"{MAIL_CUSTOMER}@example.com"
        quoted = "\n".join(f"> {line}" for line in [site_tools.MESSAGE] * 12)
        customer = Client(self.wsgi, MAIL_CUSTOMER)
        seconds = {"mail": 0.0, "web": 0.0}
        statuses = {}

        def mail_reply(number):
            address, root, ticket = by_mail[number % REPLY_TICKETS]
            message = EmailMessage()
            message["From"] = f"Mail Customer <{sender}>"
            message["To"] = address
            message["Subject"] = f"Re: [Ticket] {ticket.title}"
            message["Message-ID"] = make_msgid(domain="example.com")
            message["In-Reply-To"] = root
            message["References"] = root
            message.set_content(
                f"{site_tools.MESSAGE} ({number})\n\n"
                "On Wed, 25 Nov 2026 at 10:00, Helpdesk <help@example.com> wrote:\n"
                f"{quoted}\n"
            )
            raw = message.as_bytes()
            started = time.perf_counter()
            outcome = tickets.receive_mail(raw)
            transaction.commit()
            seconds["mail"] += time.perf_counter() - started
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1

        def web_reply(number):
            path = self.url(on_web[number % REPLY_TICKETS])
            page = customer.get(path).text
            fields = {
                "_authenticator": hidden(page, "_authenticator"),
                "reply.widgets.submission_id": hidden(
                    page, "reply.widgets.submission_id"
                ),
                "reply.widgets.text": f"<p>{site_tools.MESSAGE} ({number})</p>",
                "reply.widgets.text.mimeType": "text/html",
                "reply.buttons.save": "Send reply",
            }
            started = time.perf_counter()
            response = customer.app.post(path, fields, status=302)
            seconds["web"] += time.perf_counter() - started
            assert response.location.startswith("http"), response.location

        for first in range(0, count, REPLY_TICKETS):
            # A request through the publisher ends with no site and no user:
            # back to the script's own.
            site_tools.login(app, "admin")
            setSite(app[site_tools.SITE_ID])
            for number in range(first, min(first + REPLY_TICKETS, count)):
                mail_reply(number)
            app._p_jar.cacheMinimize()
            for number in range(first, min(first + REPLY_TICKETS, count)):
                web_reply(number)
        close(app)
        if statuses != {"added": count}:
            raise AssertionError(f"mail replies not all added: {statuses}")
        self.results["replies"] = {
            "count": count,
            "by_mail_seconds": round(seconds["mail"], 1),
            "on_web_seconds": round(seconds["web"], 1),
            "by_mail_per_second": round(count / seconds["mail"], 1),
            "on_web_per_second": round(count / seconds["web"], 1),
        }
        self.results["ratios"]["7_reply_by_mail_vs_web_per_second"] = round(
            seconds["web"] / seconds["mail"], 3
        )

    def seed(self, name, customers, count):
        """Seed ``count`` tickets through ``tickets-import``'s importer (no
        content rule runs, each object is indexed once, a commit every 500),
        and record the rate and memory."""
        app = self.app()
        memory = []

        def on_batch(done, elapsed):
            memory.append(
                {
                    "tickets": done,
                    "seconds": round(elapsed, 1),
                    "rss_mb": round(site_tools.rss_mb(), 1),
                }
            )

        rss_before = site_tools.rss_mb()
        seconds, _report = site_tools.seed_with_import(
            app,
            customers,
            count,
            self.rng,
            first=self.seeded,
            batch=500,
            on_batch=on_batch,
        )
        self.seeded += count
        close(app)
        self.results["seeding"][name] = {
            "tickets": count,
            "seconds": round(seconds, 1),
            "tickets_per_second": round(count / seconds, 1),
            "rss_before_mb": round(rss_before, 1),
            "peak_rss_mb": round(site_tools.peak_rss_mb(), 1),
            "rss_by_batch": memory,
        }

    def import_floor(self, count):
        """Plone's own floor for a bulk import: ``count`` Documents of the
        seeded tickets' text added the way the importer adds a ticket (no
        events, the workflow's initial state, indexed once, a commit every
        500), beside ``count`` tickets through the importer, in one run."""
        from plone import api
        from plone.app.textfield.value import RichTextValue
        from plone.dexterity.utils import createContent

        import transaction

        self.seed("import_floor_tickets", OTHER_CUSTOMERS, count)
        app = self.app()
        site = app[site_tools.SITE_ID]
        folder = api.content.create(
            container=site, type="Folder", id="import-floor", title="Import floor"
        )
        transaction.commit()
        workflow = api.portal.get_tool("portal_workflow")
        started = time.perf_counter()
        for number in range(count):
            doc = createContent(
                "Document",
                id=f"doc-{number}",
                title=site_tools.subject(self.rng, number),
                text=RichTextValue(
                    f"<p>{site_tools.MESSAGE}</p>", "text/html", "text/x-html-safe"
                ),
            )
            folder._setObject(doc.id, doc, suppress_events=True, set_owner=False)
            doc = folder[doc.id]
            workflow.notifyCreated(doc)
            doc.indexObject()
            if number % 500 == 499:
                transaction.commit()
        transaction.commit()
        seconds = time.perf_counter() - started
        close(app)
        tickets = self.results["seeding"]["import_floor_tickets"]
        self.results["import_floor"] = {
            "count": count,
            "tickets_per_second": tickets["tickets_per_second"],
            "documents_per_second": round(count / seconds, 1),
        }
        self.results["ratios"]["9_import_tickets_vs_plone_documents"] = round(
            tickets["tickets_per_second"] / (count / seconds), 3
        )

    def load_targets(self):
        return {
            "ticket": self.url(self.ticket5_path),
            "document": self.url(self.plain_path),
            "user": SMALL_CUSTOMER,
            "password": site_tools.PASSWORD,
        }


def hidden(page, name):
    match = re.search(
        rf'name="{re.escape(name)}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{re.escape(name)}"',
        page,
    )
    if match is None:
        raise AssertionError(f"no {name} in the form")
    return match.group(1) or match.group(2)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--conf", required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--one-customer", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=1_000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    bench = Bench(args.conf, args.smtp_port, args.repeat)
    step = Step()
    bench.build()
    step("site built and seeded with 100 tickets")
    bench.conversations()
    step("conversations timed")
    small = bench.listings("small")
    step("listings timed at 100 tickets")
    bench.creation()
    step("creation timed")
    bench.import_floor(1000)
    step("1000 tickets imported beside 1000 of Plone's Documents")
    bench.replies(args.replies)
    step(f"{args.replies} replies by e-mail and {args.replies} on the web timed")
    bench.seed("one_customer", [LARGE_CUSTOMER], args.one_customer)
    step(f"{args.one_customer} tickets seeded for one customer")
    bench.listings("one customer's many")
    step("listings timed")
    extra = args.large - bench.ticket_count()
    if extra > 0:
        bench.seed("rest_of_the_site", OTHER_CUSTOMERS, extra)
        step(f"{extra} more tickets seeded")
    large = bench.listings("large")
    step("listings timed")

    results = bench.results
    results["milestones"] = bench.milestones
    first, last = bench.milestones[1]["figures"], large
    results["ratios"]["3_my_tickets_10000_vs_10"] = ratio(
        first["my_tickets_large"], first["my_tickets_small"]
    )
    results["ratios"]["4_overview_large_vs_100"] = ratio(
        last["overview"], small["overview"]
    )
    results["ratios"]["4_customer_tickets_large_vs_100"] = ratio(
        last["customer_tickets"], small["customer_tickets"]
    )
    for name in OVERVIEW_FILTERS:
        results["ratios"][f"4_overview_{name}_large_vs_100"] = ratio(
            last[f"overview_{name}"], small[f"overview_{name}"]
        )
    # The report reads the rows of the period's tickets: it grows with the
    # tickets of 12 weeks, not with the site; measured against the overview
    # of the same site.
    results["ratios"]["8_report_vs_overview_large"] = ratio(
        last["report"], last["overview"]
    )
    results["load_targets"] = bench.load_targets()
    Path(args.out).write_text(json.dumps(results, indent=2), encoding="utf-8")


class Step:
    def __init__(self):
        self.started = time.perf_counter()

    def __call__(self, what):
        print(f"  {time.perf_counter() - self.started:6.0f} s  {what}", flush=True)


if __name__ == "__main__":
    main()
