"""Writes under load on a cluster: what ``make bench`` reports as "cluster".

A ZEO server, or with ``--storage postgresql`` a PostgreSQL server, and two
Zope instances (as ``make run-cluster`` starts them, with the demo site) in a
temporary directory; 8 clients write through the
REST API for ``--seconds`` each, 4 per instance:

- ``new_tickets_8_customers``: 8 customers open tickets;
- ``new_tickets_1_customer``: one customer opens tickets from 8 clients;
- ``replies_8_tickets``: the staff answer 8 different tickets;
- ``replies_1_ticket``: the staff answer one ticket from 8 clients;
- ``plone_documents_8_folders``: Plone's own baseline, Documents added to 8
  folders.

For each: the requests answered 201 (stored), those answered 500 (an error
page a user would have seen), any other status, and the write conflicts the
instances logged (``collective.tickets.conflicts``), by the class of the
object they were on.

    python scripts/bench_cluster.py [--seconds 15] [--out results.json]
                                    [--storage zeo|postgresql]
"""

from pathlib import Path
from urllib.parse import urlparse

import argparse
import collections
import json
import re
import sys
import tempfile
import threading
import time


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from cluster import Cluster  # noqa: E402
from cluster import free_port  # noqa: E402
from cluster import STORAGES  # noqa: E402


CLIENTS = 8
PASSWORD = "writer-Pa55word"
CONFLICT = re.compile(
    r"Conflict, (tried again|request failed): .*?class ([\w.]+)", re.DOTALL
)


def session(auth):
    import requests

    s = requests.Session()
    s.auth = auth
    s.headers["Accept"] = "application/json"
    return s


class WriteLoad:
    def __init__(self, cluster, seconds):
        self.cluster = cluster
        self.seconds = seconds
        self.admin = session(("admin", "admin"))

    def url(self, index, path):
        port = self.cluster.ports[index % len(self.cluster.ports)]
        return f"http://127.0.0.1:{port}{path}"

    def prepare(self):
        """8 customers with one ticket each, 8 folders for Documents; the
        rate limits that stop a spammer would stop the load."""
        limits = {
            f"collective.tickets.interfaces.ITicketSettings.{name}": 0
            for name in (
                "max_tickets_per_hour",
                "max_tickets_per_day",
                "max_cc_per_hour",
                "max_cc_per_day",
            )
        }
        self.admin.patch(
            self.url(0, "/Plone/@registry"), json=limits, timeout=60
        ).raise_for_status()
        self.customers = [f"writer{n}" for n in range(CLIENTS)]
        self.tickets = []
        for userid in self.customers:
            response = self.admin.post(
                self.url(0, "/Plone/@users"),
                json={
                    "username": userid,
                    "email": f"{userid}@example.com",
                    "password": PASSWORD,
                },
                timeout=60,
            )
            response.raise_for_status()
            first = session((userid, PASSWORD)).post(
                self.url(0, "/Plone/@tickets"),
                json={"title": "First", "text": "<p>First</p>"},
                timeout=60,
            )
            first.raise_for_status()
            self.tickets.append(urlparse(first.json()["@id"]).path)
        self.folders = []
        for number in range(CLIENTS):
            response = self.admin.post(
                self.url(0, "/Plone"),
                json={"@type": "Folder", "id": f"writes{number}", "title": "Writes"},
                timeout=60,
            )
            response.raise_for_status()
            self.folders.append(f"/Plone/writes{number}")

    def run(self, name, request_for):
        """``request_for(client, count) -> (session, path, json)``; every
        client writes for ``seconds``; statuses counted."""
        statuses = collections.Counter()
        failures = collections.Counter()
        lock = threading.Lock()
        logs = self.log_sizes()
        deadline = time.monotonic() + self.seconds

        def client(index):
            count = 0
            while time.monotonic() < deadline:
                s, path, body = request_for(index, count)
                try:
                    response = s.post(self.url(index, path), json=body, timeout=120)
                    status = response.status_code
                except Exception:  # noqa: BLE001 - counted, not raised
                    status = "no answer"
                    response = None
                with lock:
                    statuses[status] += 1
                    if status == 500 and response is not None:
                        failures[response.text[:300]] += 1
                count += 1

        threads = [
            threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        conflicts = self.conflicts_since(logs)
        total = sum(statuses.values())
        errors = statuses.get(500, 0)
        return {
            "requests": total,
            "stored": statuses.get(201, 0),
            "errors_500": errors,
            "error_rate": round(errors / total, 4) if total else 0,
            "other": {str(k): v for k, v in statuses.items() if k not in (201, 500)},
            "conflicts_retried": conflicts["tried again"],
            "conflicts_failed": conflicts["request failed"],
            "conflicts_by_class": conflicts["classes"],
            "error_answers": dict(failures.most_common(3)),
            "server_errors": self.errors_since(logs),
        }

    def event_logs(self):
        return [
            self.cluster.instance_dir(n) / "var" / "log" / "event.log"
            for n in range(1, len(self.cluster.ports) + 1)
        ]

    def log_sizes(self):
        return {
            log: log.stat().st_size if log.exists() else 0 for log in self.event_logs()
        }

    def errors_since(self, sizes):
        """The ERROR lines the instances logged meanwhile (at most 5)."""
        found = []
        for log, size in sizes.items():
            with open(log, encoding="utf-8", errors="replace") as file:
                file.seek(size)
                lines = file.read().splitlines()
            for number, line in enumerate(lines):
                if " ERROR " in line:
                    found.append("\n".join(lines[number : number + 30])[-1500:])
        return found[:5]

    def conflicts_since(self, sizes):
        found = {"tried again": 0, "request failed": 0}
        classes = collections.Counter()
        for log, size in sizes.items():
            with open(log, encoding="utf-8", errors="replace") as file:
                file.seek(size)
                text = file.read()
            for kind, cls in CONFLICT.findall(text):
                found[kind] += 1
                classes[cls] += 1
        found["classes"] = dict(classes.most_common())
        return found

    def scenarios(self):
        customers = [session((userid, PASSWORD)) for userid in self.customers]
        staff = session(("staff1", "tickets-demo"))
        text = "<p>Under load</p>"
        return {
            "new_tickets_8_customers": lambda i, n: (
                customers[i],
                "/Plone/@tickets",
                {"title": f"Load {i}-{n}", "text": text},
            ),
            "new_tickets_1_customer": lambda i, n: (
                customers[0],
                "/Plone/@tickets",
                {"title": f"One {i}-{n}", "text": text},
            ),
            "replies_8_tickets": lambda i, n: (
                staff,
                f"{self.tickets[i]}/@reply",
                {"text": f"<p>Reply {i}-{n}</p>"},
            ),
            "replies_1_ticket": lambda i, n: (
                staff,
                f"{self.tickets[0]}/@reply",
                {"text": f"<p>Same ticket {i}-{n}</p>"},
            ),
            "plone_documents_8_folders": lambda i, n: (
                self.admin,
                self.folders[i],
                {"@type": "Document", "title": f"Doc {i}-{n}", "text": text},
            ),
        }


def measure(base, seconds, storage="zeo"):
    cluster = Cluster(
        base, free_port(), [free_port(), free_port()], free_port(), storage=storage
    )
    try:
        cluster.start()
        load = WriteLoad(cluster, seconds)
        load.prepare()
        results = {}
        for name, request_for in load.scenarios().items():
            results[name] = load.run(name, request_for)
            print(f"  {name}: {results[name]}", flush=True)
        return results
    finally:
        cluster.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--out")
    parser.add_argument("--storage", choices=STORAGES, default="zeo")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tickets-cluster-") as base:
        # PostgreSQL runs as its own user when this runs as root.
        Path(base).chmod(0o755)
        results = measure(base, args.seconds, args.storage)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
