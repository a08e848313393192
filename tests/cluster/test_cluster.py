"""Two Zope instances on one ZEO server, as make run-cluster starts them:
simultaneous replies and tickets are all stored, and a crash loses nothing
that a user was told was saved."""

from pathlib import Path

import re
import requests
import sys
import tempfile
import threading
import time
import unittest


ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from cluster import Cluster  # noqa: E402
from cluster import free_port  # noqa: E402


AUTH = ("customer1", "tickets-demo")
TICKET_PATH = "/Plone/Members/customer1/error-al-exportar-las-facturas"


def form_values(session, url):
    page = session.get(url, timeout=60).text
    token = re.search(r'name="_authenticator"[^>]*value="([^"]+)"', page)
    submission = re.search(r'name="([\w.]+submission_id)"[^>]*value="([^"]*)"', page)
    return token.group(1), submission.groups()


class TestCluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cluster = Cluster(
            cls.tmp.name, free_port(), [free_port(), free_port()], mail_port=free_port()
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

    def post_at_once(self, requests_to_send):
        """POST each (url, data) from its own thread, released together."""
        barrier = threading.Barrier(len(requests_to_send))
        responses = [None] * len(requests_to_send)

        def send(index, url, data):
            session = self.session()
            barrier.wait()
            responses[index] = session.post(url, files=data, timeout=120)

        threads = [
            threading.Thread(target=send, args=(index, url, data))
            for index, (url, data) in enumerate(requests_to_send)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return responses

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

    def test_simultaneous_new_tickets_of_one_customer_are_both_stored(self):
        def ticket_data(number, subject):
            token, (name, value) = form_values(
                self.session(), self.url(number, "/Plone/@@new-ticket")
            )
            return {
                "_authenticator": (None, token),
                name: (None, value),
                "form.widgets.title": (None, subject),
                "form.widgets.cc_recipients.count": (None, "0"),
                "form.widgets.text": (None, "<p>At the same time</p>"),
                "form.widgets.text.mimeType": (None, "text/html"),
                "form.buttons.add": (None, "Abrir ticket"),
            }

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
