"""The REST API over HTTP, as the customer, another customer, the staff and
anonymous. Every documented call writes its request and response to
docs/http-examples/, which docs/restapi.rst includes."""

from collective.tickets import api as tickets
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import PASSWORD
from collective.tickets.testing import SERVER_TESTING
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import PDF
from pathlib import Path

import base64
import json
import re
import requests
import transaction
import unittest


EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "http-examples"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "restapi.rst"


def normalize(text, base):
    """Examples that do not change from run to run."""
    text = text.replace(base, "http://localhost:8080/Plone")
    text = re.sub(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?",
        "2026-11-24T10:00:00+00:00",
        text,
    )
    return re.sub(r"\b[0-9a-f]{32}\b", "0123456789abcdef0123456789abcdef", text)


def record(name, response, base, body=None):
    """Write one call as docs/http-examples/<name>.req and .resp."""
    request = response.request
    path = request.url.replace(base, "/Plone")
    lines = [f"{request.method} {path} HTTP/1.1", "Accept: application/json"]
    if body is not None:
        lines.append("Content-Type: application/json")
    lines.append("Authorization: Basic <credentials>")
    req = "\n".join(lines) + "\n"
    if body is not None:
        req += "\n" + json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    resp = f"HTTP/1.1 {response.status_code} {response.reason}\nContent-Type: application/json\n"
    if response.headers.get("Location"):
        resp += f"Location: {response.headers['Location']}\n"
    if response.text:
        resp += "\n" + json.dumps(response.json(), indent=2, ensure_ascii=False) + "\n"
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    (EXAMPLES / f"{name}.req").write_text(normalize(req, base), encoding="utf-8")
    (EXAMPLES / f"{name}.resp").write_text(normalize(resp, base), encoding="utf-8")


class RestTestCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.base = self.portal.absolute_url()

    def session(self, userid=None):
        session = requests.Session()
        session.headers["Accept"] = "application/json"
        if userid:
            session.auth = (userid, PASSWORD)
        return session

    def error(self, response, status, error_type):
        """plone.rest's error body, after checking its status and type."""
        self.assertEqual(response.status_code, status, response.text)
        data = response.json()
        self.assertEqual(data["type"], error_type)
        self.assertNotIn("error", data)
        return data

    def field_error(self, response):
        """The one problem of a 400 about a field: plone.rest's ``message``
        holds it as plone.restapi's deserializers list theirs."""
        data = self.error(response, 400, "BadRequest")
        (problem,) = json.loads(data["message"])
        self.assertEqual(problem["error"], "ValidationError")
        return problem

    def open_ticket(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(
                "Printer jam",
                "<p>It <strong>jams</strong>.</p>",
                cc=["boss@example.org"],
                attachments=[("log.pdf", PDF, "application/pdf")],
            )
        transaction.commit()
        return ticket


class TestCreate(RestTestCase):
    def test_customer_opens_a_ticket(self):
        body = {
            "title": "Cannot export invoices",
            "text": "<p>The <b>Export</b> button fails.</p>",
            "cc": ["boss@example.org"],
            "attachments": [
                {
                    "filename": "error.pdf",
                    "content-type": "application/pdf",
                    "encoding": "base64",
                    "data": base64.b64encode(PDF).decode(),
                }
            ],
        }
        response = self.session(CUSTOMER).post(self.base + "/@tickets", json=body)
        record("tickets_post", response, self.base, body)
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        self.assertEqual(response.headers["Location"], data["@id"])
        self.assertEqual(data["title"], "Cannot export invoices")
        self.assertEqual(data["review_state"], "in_progress")
        self.assertEqual(data["customer"], {"id": CUSTOMER, "name": "Carla Customer"})
        self.assertEqual(data["cc"], [{"email": "boss@example.org", "name": ""}])
        (message,) = data["conversation"]
        self.assertEqual(message["author"]["id"], CUSTOMER)
        self.assertIn("<b>Export</b>", message["text"]["data"])
        (attachment,) = message["attachments"]
        self.assertEqual(attachment["filename"], "error.pdf")
        self.assertEqual(attachment["size"], len(PDF))
        download = self.session(CUSTOMER).get(attachment["download"])
        self.assertEqual(download.content, PDF)
        refused = self.session(OTHER_CUSTOMER).get(attachment["download"])
        self.assertFalse(refused.content.startswith(b"%PDF"))

    def test_validation_errors_name_the_field(self):
        session = self.session(CUSTOMER)
        cases = [
            ({"text": "<p>x</p>"}, "title", "Enter a subject"),
            ({"title": "x", "text": " "}, "text", "Write a message."),
            (
                {"title": "x", "text": "<p>x</p>", "cc": ["bob@"]},
                "cc_recipients",
                "'bob@' is not a valid e-mail address.",
            ),
            (
                {
                    "title": "x",
                    "text": "<p>x</p>",
                    "attachments": [{"filename": "a.pdf", "data": "%%%"}],
                },
                "attachments",
                "is not valid base64",
            ),
        ]
        for body, field, message in cases:
            response = session.post(self.base + "/@tickets", json=body)
            problem = self.field_error(response)
            self.assertEqual(problem["field"], field, body)
            self.assertIn(message, problem["message"])
        record("tickets_post_invalid", response, self.base, body)
        self.assertEqual(
            self.session(CUSTOMER).get(self.base + "/@tickets").json()["items_total"], 0
        )

    def test_anonymous_cannot_create(self):
        response = self.session().post(
            self.base + "/@tickets", json={"title": "x", "text": "<p>x</p>"}
        )
        self.error(response, 401, "Unauthorized")


class TestRead(RestTestCase):
    def test_get_ticket_with_its_conversation(self):
        ticket = self.open_ticket()
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Which model?</p>")
        transaction.commit()
        response = self.session(CUSTOMER).get(ticket.absolute_url())
        record("ticket_get", response, self.base)
        data = response.json()
        self.assertEqual(data["@type"], "Ticket")
        self.assertEqual(
            [m["author"]["name"] for m in data["conversation"]],
            ["Carla Customer", "Sam Staff"],
        )
        self.assertEqual(data["state_title"], "In progress")
        for who in (OTHER_CUSTOMER, None):
            self.assertIn(
                self.session(who).get(ticket.absolute_url()).status_code, (401, 403)
            )

    def test_listing_for_customers_and_staff(self):
        ticket = self.open_ticket()
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.create("Other's ticket", "<p>mine</p>")
        with as_user(self.portal, CUSTOMER):
            tickets.close(tickets.create("Old one", "<p>old</p>"))
        transaction.commit()
        mine = self.session(CUSTOMER).get(self.base + "/@tickets")
        record("tickets_get", mine, self.base)
        self.assertEqual(
            sorted(i["title"] for i in mine.json()["items"]), ["Old one", "Printer jam"]
        )
        other = self.session(OTHER_CUSTOMER).get(self.base + "/@tickets").json()
        self.assertEqual([i["title"] for i in other["items"]], ["Other's ticket"])
        staff = self.session(STAFF)
        self.assertEqual(staff.get(self.base + "/@tickets").json()["items_total"], 3)
        filtered = staff.get(
            self.base + f"/@tickets?customer={CUSTOMER}&review_state=in_progress"
        )
        record("tickets_get_staff_filtered", filtered, self.base)
        self.assertEqual(
            [i["@id"] for i in filtered.json()["items"]], [ticket.absolute_url()]
        )
        found = staff.get(self.base + "/@tickets?SearchableText=jams").json()
        self.assertEqual([i["title"] for i in found["items"]], ["Printer jam"])
        anonymous = self.error(
            self.session().get(self.base + "/@tickets"), 401, "Unauthorized"
        )
        self.assertIn("Log in to see tickets", anonymous["message"])

    def test_listing_is_batched(self):
        with as_user(self.portal, CUSTOMER):
            for number in range(30):
                tickets.create(f"T{number}", "<p>x</p>")
        transaction.commit()
        data = self.session(CUSTOMER).get(self.base + "/@tickets?b_size=10").json()
        self.assertEqual(data["items_total"], 30)
        self.assertEqual(len(data["items"]), 10)
        self.assertIn("next", data["batching"])


class TestReplyAndWorkflow(RestTestCase):
    def test_reply_close_and_reopen(self):
        ticket = self.open_ticket()
        url = ticket.absolute_url()
        body = {"text": "<p>Try the other tray.</p>"}
        response = self.session(STAFF).post(url + "/@reply", json=body)
        record("reply_post", response, self.base, body)
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(len(response.json()["conversation"]), 2)
        for who in (OTHER_CUSTOMER, None):
            refused = self.session(who).post(url + "/@reply", json=body)
            self.assertIn(refused.status_code, (401, 403), who)
            refused = self.session(who).post(url + "/@workflow/complete")
            self.assertIn(refused.status_code, (401, 403), who)
        empty = self.session(CUSTOMER).post(url + "/@reply", json={"text": ""})
        self.assertEqual(self.field_error(empty)["field"], "text")
        closed = self.session(CUSTOMER).post(url + "/@workflow/complete")
        record("workflow_complete", closed, self.base)
        self.assertEqual(closed.status_code, 200, closed.text)
        late = self.session(CUSTOMER).post(url + "/@reply", json=body)
        record("reply_post_completed", late, self.base, body)
        self.assertIn("completed", self.error(late, 400, "BadRequest")["message"])
        self.assertNotEqual(
            self.session(CUSTOMER).post(url + "/@workflow/reopen").status_code, 200
        )
        self.assertEqual(
            self.session(STAFF).post(url + "/@workflow/reopen").status_code, 200
        )
        transaction.begin()
        self.assertEqual(tickets.state(ticket), "in_progress")
        self.assertEqual(len(tickets.conversation(ticket)), 2)


class TestDocs(unittest.TestCase):
    def test_every_example_is_in_the_docs(self):
        docs = DOCS.read_text(encoding="utf-8")
        for name in (
            "tickets_post",
            "tickets_post_invalid",
            "ticket_get",
            "tickets_get",
            "tickets_get_staff_filtered",
            "reply_post",
            "reply_post_completed",
            "workflow_complete",
        ):
            for suffix in (".req", ".resp"):
                self.assertIn(f"http-examples/{name}{suffix}", docs)
