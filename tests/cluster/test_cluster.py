"""Two Zope instances on one storage, as make run-cluster starts them, once
on a ZEO server and once on RelStorage with PostgreSQL (make run-cluster
STORAGE=postgresql): simultaneous replies and tickets are all stored, tickets
opened at once get numbers that no other ticket has, and a crash loses
nothing that a user was told was saved.

PostgreSQL's server comes from the distribution's package, which make test
installs first; where it is missing the PostgreSQL class is skipped with the
reason, and under CI=true it fails instead."""

from collective.tickets.core.numbers import COUNTER_KEY
from collective.tickets.core.numbers import TicketCounter
from email import message_from_bytes
from email import policy
from pathlib import Path
from urllib.parse import urlparse
from zope.annotation.attribute import AttributeAnnotations

import base64
import collections
import functools
import json
import os
import re
import requests
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid


ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from cluster import Cluster  # noqa: E402
from cluster import free_port  # noqa: E402
from postgresql import binaries  # noqa: E402
from postgresql import missing_reason  # noqa: E402


AUTH = ("customer1", "tickets-demo")
TICKET_PATH = "/Plone/Members/customer1/error-al-exportar-las-facturas"
NUMBERED_PASSWORD = "numbered-Pa55word"
# What ZODB says of a commit that the ticket counter refused.
COUNTER_CONFLICT = f"class {TicketCounter.__module__}.{TicketCounter.__qualname__},"
AT_ONCE = {"title": "At once", "text": "<p>At once</p>"}
SETTINGS = "collective.tickets.interfaces.ITicketSettings."


def form_values(session, url):
    page = session.get(url, timeout=60).text
    token = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', page)
    submission = re.search(r'name="([\w.]+submission_id)"[^>]*value="([^"]*)"', page)
    return token.group(1), submission.groups()


def opened_ticket(response):
    """The path of the ticket that ``POST @tickets`` or the new-ticket form
    answered as opened, else None."""
    if response.status_code == 201:
        return urlparse(response.json()["@id"]).path
    if response.status_code == 200 and "Se ha abierto su ticket" in response.text:
        return urlparse(response.url).path
    return None


class TestCluster(unittest.TestCase):
    """On ZEO, the default storage."""

    storage = "zeo"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        # The PostgreSQL server runs as its own user when the tests run as
        # root: it must reach its data folder inside this one.
        Path(cls.tmp.name).chmod(0o755)
        cls.cluster = Cluster(
            cls.tmp.name,
            free_port(),
            [free_port(), free_port()],
            mail_port=free_port(),
            storage=cls.storage,
        )
        try:
            cls.cluster.start()
        except Exception:
            cls.cluster.stop()
            cls.tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()
        cls.tmp.cleanup()

    def url(self, number, path):
        return f"http://127.0.0.1:{self.cluster.ports[number - 1]}{path}"

    def session(self):
        session = requests.Session()
        session.auth = AUTH
        return session

    def at_once(self, calls):
        """Call each function from its own thread, all released together;
        their results."""
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def run(index, call):
            barrier.wait()
            results[index] = call()

        threads = [
            threading.Thread(target=run, args=(index, call))
            for index, call in enumerate(calls)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def post_at_once(self, requests_to_send):
        """POST each (url, data) from its own thread, released together."""
        return self.at_once(
            [
                functools.partial(self.session().post, url, files=data, timeout=120)
                for url, data in requests_to_send
            ]
        )

    def reply_data(self, number, text):
        token, (name, value) = form_values(
            self.session(), self.url(number, TICKET_PATH)
        )
        return {
            "_authenticator": (None, token),
            name: (None, value),
            "reply.widgets.text": (None, f"<p>{text}</p>"),
            "reply.widgets.text.mimeType": (None, "text/html"),
            "reply.buttons.save": (None, "Enviar respuesta"),
        }

    def test_simultaneous_replies_from_two_instances_are_both_stored(self):
        responses = self.post_at_once(
            [
                (self.url(1, TICKET_PATH), self.reply_data(1, "Walrus from one")),
                (self.url(2, TICKET_PATH), self.reply_data(2, "Walrus from two")),
            ]
        )
        for response in responses:
            self.assertEqual(response.status_code, 200)
            self.assertIn("Se ha añadido su respuesta", response.text)
        for number in (1, 2):
            page = self.session().get(self.url(number, TICKET_PATH), timeout=60).text
            self.assertIn("Walrus from one", page)
            self.assertIn("Walrus from two", page)
            self.assertEqual(page.count("Walrus from"), 2)

    def new_ticket_data(self, session, number, subject, text):
        """The new-ticket form of instance ``number``, filled in."""
        token, (name, value) = form_values(
            session, self.url(number, "/Plone/@@new-ticket")
        )
        return {
            "_authenticator": (None, token),
            name: (None, value),
            "form.widgets.title": (None, subject),
            "form.widgets.cc_recipients.count": (None, "0"),
            "form.widgets.text": (None, text),
            "form.widgets.text.mimeType": (None, "text/html"),
            "form.buttons.add": (None, "Abrir ticket"),
        }

    def test_simultaneous_new_tickets_of_one_customer_are_both_stored(self):
        def ticket_data(number, subject):
            return self.new_ticket_data(
                self.session(), number, subject, "<p>At the same time</p>"
            )

        responses = self.post_at_once(
            [
                (self.url(1, "/Plone/@@new-ticket"), ticket_data(1, "Narwhal one")),
                (self.url(2, "/Plone/@@new-ticket"), ticket_data(2, "Narwhal two")),
            ]
        )
        for response in responses:
            self.assertIn("Se ha abierto su ticket", response.text)
        listing = (
            self.session().get(self.url(2, "/Plone/@@my-tickets"), timeout=60).text
        )
        self.assertIn("Narwhal one", listing)
        self.assertIn("Narwhal two", listing)

    def customer(self, userid, json=True):
        """A session of a customer that ``add_customer`` made."""
        session = requests.Session()
        session.auth = (userid, NUMBERED_PASSWORD)
        if json:
            session.headers["Accept"] = "application/json"
        return session

    def add_customer(self, userid):
        """A new customer, with a first ticket that makes their member folder:
        one at a time, as two member folders made at once would conflict."""
        admin = requests.Session()
        admin.auth = ("admin", "admin")
        admin.headers["Accept"] = "application/json"
        response = admin.post(
            self.url(1, "/Plone/@users"),
            json={
                "username": userid,
                "email": f"{userid}@example.com",
                "password": NUMBERED_PASSWORD,
            },
            timeout=60,
        )
        self.assertEqual(response.status_code, 201, response.text)
        first = self.customer(userid).post(
            self.url(1, "/Plone/@tickets"), json=AT_ONCE, timeout=60
        )
        self.assertEqual(first.status_code, 201, first.text)

    def stored_numbers(self):
        """``({path: number}, counter)``: the number of every ticket of the
        site and the counter's value, read from the storage, not through
        an instance."""
        db = self.cluster.open_db()
        try:
            connection = db.open()
            site = connection.root()["Application"].Plone
            catalog = site.portal_catalog
            numbers = {
                brain.getPath(): getattr(
                    brain._unrestrictedGetObject(), "ticket_number", None
                )
                for brain in catalog.unrestrictedSearchResults(portal_type="Ticket")
            }
            counter = AttributeAnnotations(site)[COUNTER_KEY].value
            connection.close()
        finally:
            db.close()
        return numbers, counter

    def event_logs(self):
        return [
            self.cluster.instance_dir(number) / "var" / "log" / "event.log"
            for number in range(1, len(self.cluster.ports) + 1)
        ]

    def test_tickets_opened_at_once_on_both_instances_get_consecutive_numbers(self):
        """Twenty tickets opened in the same instant, half on each instance:
        by twelve customers, by one customer four times, and through the form
        by two more, each on both instances. None of them fails; every ticket
        a user was told about is stored with a number of its own, after the
        old ones, and the counter holds the highest."""
        singles = [f"numbered{index}" for index in range(12)]
        repeated, form_users = "numbered12", ["numbered13", "numbered14"]
        for userid in [*singles, repeated, *form_users]:
            self.add_customer(userid)

        def through_rest(userid, number):
            return functools.partial(
                self.customer(userid).post,
                self.url(number, "/Plone/@tickets"),
                json=AT_ONCE,
                timeout=120,
            )

        def through_form(userid, number):
            session = self.customer(userid, json=False)
            data = self.new_ticket_data(
                session, number, AT_ONCE["title"], AT_ONCE["text"]
            )
            return functools.partial(
                session.post,
                self.url(number, "/Plone/@@new-ticket"),
                files=data,
                timeout=120,
            )

        calls = [
            through_rest(user, index % 2 + 1) for index, user in enumerate(singles)
        ]
        calls += [through_rest(repeated, number) for number in (1, 2, 1, 2)]
        calls += [
            through_form(user, number) for user in form_users for number in (1, 2)
        ]
        before, counter_before = self.stored_numbers()
        offsets = [log.stat().st_size for log in self.event_logs()]

        responses = self.at_once(calls)

        opened = [opened_ticket(response) for response in responses]
        failed = [
            r.status_code
            for r, path in zip(responses, opened, strict=True)
            if path is None
        ]
        outcome = f"{len(calls) - len(failed)} of {len(calls)} opened, failed: {failed}"
        # The numbers are taken apart from the requests' transactions: none of
        # the requests may fail on them (issue 17).
        self.assertEqual(failed, [], outcome)
        stored, counter = self.stored_numbers()
        new = {path: number for path, number in stored.items() if path not in before}
        self.assertEqual(
            sorted(new),
            sorted(path for path in opened if path),
            f"every ticket answered as opened is stored, and no other: {outcome}",
        )
        unnumbered = [
            path for path, number in stored.items() if not isinstance(number, int)
        ]
        self.assertEqual(unnumbered, [], "tickets without a number")
        holders = collections.defaultdict(list)
        for path, number in stored.items():
            holders[number].append(path)
        shared = {number: paths for number, paths in holders.items() if len(paths) > 1}
        self.assertEqual(shared, {}, "numbers given to more than one ticket")
        # After the old ones; a request Zope tried again after a conflict
        # elsewhere took a number in each try, so numbers may skip.
        self.assertGreater(min(new.values()), counter_before)
        self.assertEqual(
            counter, max(stored.values()), "the counter holds the highest number"
        )
        # No request conflicted on the counter itself: the counter is written
        # only in the short transactions that take numbers.
        logged = "".join(
            log.read_bytes()[offset:].decode("utf-8", "replace")
            for log, offset in zip(self.event_logs(), offsets, strict=True)
        )
        self.assertEqual(logged.count(COUNTER_CONFLICT), 0, logged[-3000:])

    def admin(self):
        session = requests.Session()
        session.auth = ("admin", "admin")
        session.headers["Accept"] = "application/json"
        return session

    def set_settings(self, values):
        response = self.admin().patch(
            self.url(1, "/Plone/@registry"),
            json={SETTINGS + name: value for name, value in values.items()},
            timeout=120,
        )
        self.assertEqual(response.status_code, 204, response.text)

    def alerted(self):
        """``{path: (targets alerted, targets pending)}`` of the tickets the
        catalog says are due, read from the storage (a ticket the staff
        answered has only its resolution pending)."""
        db = self.cluster.open_db()
        try:
            connection = db.open()
            catalog = connection.root()["Application"].Plone.portal_catalog
            found = {
                brain.getPath(): (
                    tuple(
                        getattr(
                            brain._unrestrictedGetObject(), "ticket_sla_alerted", ()
                        )
                    ),
                    ("first_response", "resolution")
                    if brain.ticket_sla[1] is None
                    else ("resolution",),
                )
                for brain in catalog.unrestrictedSearchResults(
                    portal_type="Ticket", ticket_due={"query": 0, "range": "min"}
                )
            }
            connection.close()
        finally:
            db.close()
        return found

    def overdue_mails(self):
        """``[(subject, recipient, text)]`` of the overdue notices in the
        sink (the text names the target)."""
        sink = Path(self.tmp.name) / "mail" / "new"
        found = []
        for path in sink.iterdir():
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            if "Vencido:" in str(mail["Subject"]):
                body = mail.get_body(("plain",)).get_content()
                found.append((str(mail["Subject"]), str(mail["To"]), body))
        return found

    def test_the_periodic_job_on_both_instances_at_once_does_everything_once(self):
        """Every ticket waiting on the staff overdue at once (targets of 36
        seconds, round the clock); eight passes of tickets-cron's view, four
        on each instance, released together: each ticket's two targets are
        announced once, in one mail per recipient, whoever ran first."""
        days = ("monday", "tuesday", "wednesday", "thursday", "friday")
        days += ("saturday", "sunday")
        hours = {f"hours_{day}": "00:00-24:00" for day in days}
        targets = {
            f"{target}_{priority}": 0.01
            for target in ("first_response", "resolution")
            for priority in ("low", "normal", "high", "urgent")
        }
        self.set_settings({**hours, **targets})
        try:
            for index in range(6):
                response = self.session().post(
                    self.url(1 + index % 2, "/Plone/@tickets"),
                    json={"title": f"Late {index}", "text": "<p>Late</p>"},
                    headers={"Accept": "application/json"},
                    timeout=60,
                )
                self.assertEqual(response.status_code, 201, response.text)
            due = self.alerted()
            self.assertGreaterEqual(len(due), 6)
            self.assertEqual({alerted for alerted, _pending in due.values()}, {()})
            time.sleep(40)
            key = (self.cluster.instance_dir(1) / "var" / "mail-in.key").read_text()
            answers = self.at_once(
                [
                    functools.partial(
                        requests.post,
                        self.url(1 + index % 2, "/Plone/@@tickets-cron"),
                        headers={"X-Mail-In-Key": key.strip()},
                        timeout=300,
                    )
                    for index in range(8)
                ]
            )
            for answer in answers:
                self.assertEqual(answer.status_code, 200, answer.text)
                self.assertEqual(answer.json()["errors"], [])
            announced = sum(answer.json()["counts"]["overdue"] for answer in answers)
            pending = {path: targets for path, (_none, targets) in due.items()}
            self.assertEqual(announced, sum(len(t) for t in pending.values()))
            alerted = {path: done for path, (done, _) in self.alerted().items()}
            self.assertEqual(alerted, pending)
            # The instances' mail queues send within seconds: wait for one
            # notice per target announced.
            deadline = time.monotonic() + 120
            mails = self.overdue_mails()
            while time.monotonic() < deadline:
                if len({(m[0], m[2]) for m in mails}) >= announced:
                    break
                time.sleep(2)
                mails = self.overdue_mails()
            self.assertTrue(mails)
            duplicates = [
                pair for pair, count in collections.Counter(mails).items() if count > 1
            ]
            self.assertEqual(duplicates, [])
            subjects = {subject for subject, _to, _text in mails}
            self.assertEqual(len(subjects), len(due))
            texts = {(subject, text) for subject, _to, text in mails}
            self.assertEqual(len(texts), announced)
        finally:
            shipped = {
                name: ""
                if name in ("hours_saturday", "hours_sunday")
                else "09:00-17:00"
                for name in hours
            }
            self.set_settings({**dict.fromkeys(targets), **shipped})

    def test_erasing_a_customer_while_the_staff_reply_on_the_other_instance(self):
        """The customer is deleted (plone.restapi, member folder included) on
        instance 2 while the staff reply to their ticket on instance 1: the
        ticket is anonymised and moved as a whole, every reply acknowledged
        is in it, the others were refused cleanly (never an error page)."""
        customer = ("customer2", "tickets-demo")
        staff = ("staff1", "tickets-demo")
        json_headers = {"Accept": "application/json"}
        created = requests.post(
            self.url(1, "/Plone/@tickets"),
            json={"title": "Erase me", "text": "<p>Jordi Puig writes.</p>"},
            auth=customer,
            headers=json_headers,
            timeout=60,
        )
        self.assertEqual(created.status_code, 201, created.text)
        path = urlparse(created.json()["@id"]).path
        erased = threading.Event()
        answers = []

        def reply():
            for number in range(1, 400):
                response = requests.post(
                    self.url(1, f"{path}/@reply"),
                    json={"text": f"<p>Reply {number}.</p>"},
                    auth=staff,
                    headers=json_headers,
                    timeout=120,
                )
                answers.append((number, response.status_code))
                if response.status_code == 404 or (erased.is_set() and number > 5):
                    return

        def erase():
            time.sleep(1)
            try:
                return self.admin().delete(
                    self.url(2, "/Plone/@users/customer2"), timeout=300
                )
            finally:
                erased.set()

        _replies, deleted = self.at_once([reply, erase])
        self.assertEqual(deleted.status_code, 204, deleted.text)
        codes = collections.Counter(code for _number, code in answers)
        # Acknowledged, or refused cleanly: gone (404) or "send again" (503).
        self.assertLessEqual(set(codes), {201, 404, 503}, codes)
        landed = [number for number, code in answers if code == 201]
        self.assertTrue(landed, codes)
        db = self.cluster.open_db()
        try:
            portal = db.open().root()["Application"].Plone
            catalog = portal.portal_catalog
            self.assertEqual(
                len(catalog.unrestrictedSearchResults(ticket_customer="customer2")), 0
            )
            (brain,) = catalog.unrestrictedSearchResults(
                portal_type="Ticket", Title="Erase me"
            )
            self.assertNotIn("customer2", brain.getPath())
            ticket = brain._unrestrictedGetObject()
            self.assertTrue(ticket.getOwnerTuple()[1].startswith("anonymised-"))
            self.assertNotIn("Jordi", ticket.text.raw)
            self.assertIsNone(portal.unrestrictedTraverse(path, None))
            texts = [obj.text.raw for obj in ticket.objectValues()]
            for number in landed:
                self.assertEqual(
                    sum(f"Reply {number}." in text for text in texts), 1, number
                )
        finally:
            db.close()

    def test_tickets_import_loads_a_file_into_the_running_cluster(self):
        """tickets-import as an operator runs it: with an instance's zope.conf
        (a client of the storage beside the running instances), a progress bar, a report,
        exit status 65 for the line it refused; the customer then reads the
        tickets on either instance; run again, it imports nothing twice."""
        folder = Path(self.tmp.name) / "import"
        folder.mkdir()
        records = [
            {
                "id": f"old-{number}",
                "customer": "customer1",
                "subject": f"Imported subject {number}",
                "messages": [
                    {"date": "2024-05-02T10:00:00Z", "text": f"Old question {number}"},
                    {
                        "date": "2024-05-02T12:00:00Z",
                        "author": "staff1",
                        "text": f"Old answer {number}",
                    },
                ],
            }
            for number in range(3)
        ]
        lines = [json.dumps(record) for record in records]
        lines.insert(1, json.dumps({**records[0], "id": "bad", "customer": "nobody"}))
        export = folder / "export.jsonl"
        export.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [
            str(Path(sys.executable).parent / "tickets-import"),
            str(self.cluster.instance_dir(1) / "etc" / "zope.conf"),
            str(export),
        ]
        first = subprocess.run(command, capture_output=True, text=True, timeout=600)
        self.assertEqual(first.returncode, 65, first.stdout + first.stderr)
        self.assertIn("3 tickets imported", first.stdout)
        self.assertIn(
            "line 2: customer (cliente): 'nobody' no es un usuario", first.stdout
        )
        self.assertIn("4/4", first.stderr)
        self.assertIn("tickets/s", first.stderr)
        for number in (1, 2):
            page = self.session().get(
                self.url(number, "/Plone/@@my-tickets"), timeout=60
            )
            for record in records:
                self.assertIn(record["subject"], page.text)
        again = subprocess.run(command, capture_output=True, text=True, timeout=600)
        self.assertIn("0 tickets imported", again.stdout)
        self.assertIn("3 imported before", again.stdout)

    def pack(self):
        """The weekly pack as docs/operators.rst gives it, while both
        instances serve."""
        if self.storage == "postgresql":
            command = [
                str(Path(sys.executable).parent / "zodbpack"),
                "--days",
                "0",
                str(self.cluster.base / "zodbpack.conf"),
            ]
        else:
            command = [
                str(Path(sys.executable).parent / "zeopack"),
                "-d",
                "0",
                f"127.0.0.1:{self.cluster.zeo_port}",
            ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def open_with_file(self, title):
        """A ticket opened through REST on the first instance with a file of
        its own, by a customer of its own (customer1's tickets per hour are
        the other tests'); (its path, the file's bytes)."""
        content = b"%PDF-1.4 " + uuid.uuid4().hex.encode()
        userid = f"filer-{uuid.uuid4().hex[:8]}"
        self.add_customer(userid)
        opened = self.customer(userid).post(
            self.url(1, "/Plone/@tickets"),
            json={
                "title": title,
                "text": "<p>Keep my file</p>",
                "attachments": [
                    {
                        "filename": "keep.pdf",
                        "content-type": "application/pdf",
                        "data": base64.b64encode(content).decode(),
                    }
                ],
            },
            timeout=120,
        )
        self.assertEqual(opened.status_code, 201, opened.text)
        return urlparse(opened.json()["@id"]).path, content, userid

    def ticket_total(self, number):
        """How many tickets the site's manager finds through REST."""
        admin = requests.Session()
        admin.auth = ("admin", "admin")
        admin.headers["Accept"] = "application/json"
        listing = admin.get(self.url(number, "/Plone/@tickets"), timeout=60)
        return listing.json()["items_total"]

    def test_packing_keeps_every_ticket_and_file(self):
        """A ticket opened with a file just before the pack, and the site's
        other tickets, are whole after it: the file is downloaded first from
        the other instance, whose blob cache has never held it."""
        path, content, userid = self.open_with_file("Before the pack")
        before = self.ticket_total(1)
        self.pack()
        page = self.customer(userid, json=False)
        ticket = page.get(self.url(2, path), timeout=60)
        self.assertIn("Keep my file", ticket.text)
        (attachment,) = (
            self.customer(userid)
            .get(self.url(2, path), timeout=60)
            .json()["conversation"][0]["attachments"]
        )
        download = page.get(
            self.url(2, urlparse(attachment["download"]).path), timeout=60
        )
        self.assertEqual(download.content, content)
        self.assertEqual(self.ticket_total(2), before)

    def test_a_crash_loses_nothing_that_was_confirmed(self):
        response = self.session().post(
            self.url(1, TICKET_PATH),
            files=self.reply_data(1, "Before the crash"),
            timeout=120,
        )
        self.assertIn("Se ha añadido su respuesta", response.text)
        self.cluster.kill_instance(1)
        self.cluster.start_instance(1)
        self.cluster.wait_for_instance(1)
        page = self.session().get(self.url(1, TICKET_PATH), timeout=60).text
        self.assertIn("Before the crash", page)

    def test_mail_of_both_instances_reaches_the_clusters_sink(self):
        self.session().post(
            self.url(2, TICKET_PATH), files=self.reply_data(2, "Mail me"), timeout=120
        )
        sink = Path(self.tmp.name) / "mail" / "new"

        def arrived():
            mails = [path.read_text(errors="replace") for path in sink.iterdir()]
            return any("Mail me" in mail for mail in mails)

        # The instance's mail queue sends it (its thread looks every 3 s).
        deadline = time.monotonic() + 60
        while not arrived() and time.monotonic() < deadline:
            time.sleep(0.5)
        self.assertTrue(arrived(), "the reply's mail never reached the sink")


class TestClusterOnPostgreSQL(TestCluster):
    """The same tests on RelStorage with a PostgreSQL server."""

    storage = "postgresql"

    @classmethod
    def setUpClass(cls):
        reason = missing_reason()
        if reason:
            if os.environ.get("CI"):
                raise RuntimeError(f"{reason}: make test installs it")
            raise unittest.SkipTest(reason)
        super().setUpClass()

    def test_a_backup_restores_tickets_and_files(self):
        """docs/operators.rst's backup of a RelStorage site: pg_dump of the
        running database, restored into a new one, holds the ticket and its
        file (blobs live in the database)."""
        path, content, _userid = self.open_with_file("Before the backup")
        server = self.cluster.postgresql
        connection = ["-h", "127.0.0.1", "-p", str(server.port), "-U", "zope"]
        env = {**os.environ, "PGPASSWORD": server.password()}
        dump = Path(self.tmp.name) / "zodb.dump"
        for command in (
            ["pg_dump", *connection, "-Fc", "-f", str(dump), "zodb"],
            ["createdb", *connection, "restored"],
            ["pg_restore", *connection, "-d", "restored", str(dump)],
        ):
            done = subprocess.run(
                [str(binaries() / command[0]), *command[1:]],
                capture_output=True,
                text=True,
                env=env,
                timeout=600,
            )
            self.assertEqual(done.returncode, 0, done.stderr)
        db = self.cluster.open_db("restored")
        try:
            reader = db.open()
            ticket = reader.root()["Application"].unrestrictedTraverse(path)
            self.assertEqual(ticket.title, "Before the backup")
            (attachment,) = ticket.attachments
            self.assertEqual(attachment.data, content)
            reader.close()
        finally:
            db.close()
