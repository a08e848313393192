"""Writes through the REST API that another site could forge, and bodies that
are not what the API takes: refused with a clear 4xx, nothing stored."""

from collective.tickets import api as tickets
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import PASSWORD
from collective.tickets.testing import SERVER_TESTING
from collective.tickets.testing import STAFF
from helpers import as_user
from plone import api

import json
import requests
import transaction
import unittest


class Cookie:
    """Catches the login cookie plone.session would set on a response."""

    value = None

    def setCookie(self, name, value, **options):
        self.value = value


class RestSecurityTestCase(unittest.TestCase):
    layer = SERVER_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        self.base = self.portal.absolute_url()

    def cookie_session(self, userid):
        """A session logged in by cookie, as a browser after the login form."""
        cookie = Cookie()
        self.portal.acl_users.session._setupSession(userid, cookie)
        transaction.commit()
        session = requests.Session()
        session.headers["Accept"] = "application/json"
        value = cookie.value
        session.cookies.set(
            "__ac", value.decode() if isinstance(value, bytes) else value
        )
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

    def ticket_count(self):
        transaction.begin()
        catalog = api.portal.get_tool("portal_catalog")
        return len(catalog.unrestrictedSearchResults(portal_type="Ticket"))

    def reply_count(self, ticket):
        transaction.begin()
        return len(tickets.replies(self.portal.unrestrictedTraverse(ticket)))

    def open_ticket(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Printer jam", "<p>It jams.</p>")
        transaction.commit()
        return ticket


# What each refusal answers: status, plone.rest's type, words of the message.
NOT_JSON = (415, "UnsupportedMediaType", "'Content-Type: application/json'")
FOREIGN = (403, "Forbidden", "sent by a page of another site")

FORGED = {
    # What a page elsewhere can send with fetch(..., {mode: "no-cors"}) or a
    # plain HTML form: no CORS preflight, the cookie goes along.
    "text/plain": ({"Content-Type": "text/plain"}, NOT_JSON),
    "form-encoded": (
        {"Content-Type": "application/x-www-form-urlencoded"},
        NOT_JSON,
    ),
    "multipart": ({"Content-Type": "multipart/form-data; boundary=x"}, NOT_JSON),
    # JSON needs a preflight, but a browser that says where it comes from
    # must say it comes from the site itself.
    "JSON from another origin": (
        {"Content-Type": "application/json", "Origin": "http://evil.example"},
        FOREIGN,
    ),
    "JSON from another port": (
        {"Content-Type": "application/json", "Origin": "http://localhost:1"},
        FOREIGN,
    ),
    "JSON, Sec-Fetch-Site cross-site": (
        {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
        FOREIGN,
    ),
    "JSON, Sec-Fetch-Site same-site": (
        {"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"},
        FOREIGN,
    ),
}


def forged_body(headers, fields):
    """The body a page elsewhere would send with these headers."""
    if headers["Content-Type"].startswith("multipart/"):
        parts = [
            f'--x\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ]
        return "".join(parts) + "--x--\r\n"
    return json.dumps(fields)


class TestForgedWrites(RestSecurityTestCase):
    def test_another_site_cannot_open_a_ticket_with_the_login_cookie(self):
        session = self.cookie_session(CUSTOMER)
        fields = {"title": "Forged", "text": "<p>Forged</p>"}
        for case, (headers, (status, error_type, words)) in FORGED.items():
            with self.subTest(case=case):
                response = session.post(
                    self.base + "/@tickets",
                    data=forged_body(headers, fields),
                    headers=headers,
                )
                error = self.error(response, status, error_type)
                self.assertIn(words, error["message"])
                self.assertEqual(self.ticket_count(), 0)

    def test_the_site_itself_still_opens_a_ticket_with_the_cookie(self):
        session = self.cookie_session(CUSTOMER)
        origin = "/".join(self.base.split("/")[:3])
        response = session.post(
            self.base + "/@tickets",
            json={"title": "Mine", "text": "<p>Mine</p>"},
            headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"},
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(self.ticket_count(), 1)

    def test_another_site_cannot_reply_with_the_login_cookie(self):
        ticket = self.open_ticket()
        path = ticket.getPhysicalPath()
        session = self.cookie_session(CUSTOMER)
        fields = {"text": "<p>Forged</p>"}
        for case, (headers, (status, error_type, words)) in FORGED.items():
            with self.subTest(case=case):
                response = session.post(
                    ticket.absolute_url() + "/@reply",
                    data=forged_body(headers, fields),
                    headers=headers,
                )
                error = self.error(response, status, error_type)
                self.assertIn(words, error["message"])
                self.assertEqual(self.reply_count(path), 0)
        response = session.post(
            ticket.absolute_url() + "/@reply", json={"text": "<p>Mine</p>"}
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(self.reply_count(path), 1)

    def test_another_site_cannot_note_or_change_the_desk_with_the_login_cookie(self):
        ticket = self.open_ticket()
        path = ticket.getPhysicalPath()
        session = self.cookie_session(STAFF)
        for method, endpoint, fields in (
            ("POST", "@notes", {"text": "<p>Forged</p>"}),
            ("PATCH", "@desk", {"priority": "urgent"}),
        ):
            for case, (headers, (status, error_type, words)) in FORGED.items():
                with self.subTest(endpoint=endpoint, case=case):
                    response = session.request(
                        method,
                        f"{ticket.absolute_url()}/{endpoint}",
                        data=forged_body(headers, fields),
                        headers=headers,
                    )
                    error = self.error(response, status, error_type)
                    self.assertIn(words, error["message"])
                    transaction.begin()
                    ticket = self.portal.unrestrictedTraverse(path)
                    self.assertEqual(len(ticket.objectIds()), 0)
                    self.assertEqual(tickets.priority(ticket), "normal")
        origin = "/".join(self.base.split("/")[:3])
        response = session.patch(
            f"{ticket.absolute_url()}/@desk",
            json={"priority": "urgent"},
            headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        transaction.begin()
        ticket = self.portal.unrestrictedTraverse(path)
        self.assertEqual(tickets.priority(ticket), "urgent")

    def test_refusals_are_translated(self):
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        session = self.cookie_session(CUSTOMER)
        response = session.post(
            self.base + "/@tickets", data="{}", headers={"Content-Type": "text/plain"}
        )
        error = self.error(response, 415, "UnsupportedMediaType")
        self.assertIn("Envíe", error["message"])
        response = session.post(
            self.base + "/@tickets", json={"title": ["x"], "text": "<p>x</p>"}
        )
        problem = self.field_error(response)
        self.assertEqual(problem["field"], "title")
        self.assertEqual(problem["message"], "'title' debe ser una cadena de texto.")


class TestBadBodies(RestSecurityTestCase):
    def post(self, url, data, userid=CUSTOMER, method="POST"):
        session = requests.Session()
        session.auth = (userid, PASSWORD)
        return session.request(
            method,
            url,
            data=data if isinstance(data, (str, bytes)) else json.dumps(data),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )

    def patch(self, url, data, userid=CUSTOMER):
        return self.post(url, data, userid, method="PATCH")

    def unrestricted(self, path):
        transaction.begin()
        return self.portal.unrestrictedTraverse(path)

    def test_bodies_that_are_no_json_object_get_a_400(self):
        ticket = self.open_ticket()
        path = ticket.getPhysicalPath()
        for body in (
            '{"title": "x",',
            "[1, 2]",
            '"a string"',
            "42",
            "\xff",
            "[" * 200,
        ):
            for url, userid in (
                (self.base + "/@tickets", CUSTOMER),
                (ticket.absolute_url() + "/@reply", CUSTOMER),
                (ticket.absolute_url() + "/@notes", STAFF),
            ):
                with self.subTest(body=body[:20], url=url):
                    response = self.post(
                        url, body.encode("utf-8", "surrogatepass"), userid
                    )
                    error = self.error(response, 400, "BadRequest")
                    self.assertIn("must be a JSON object", error["message"])
                    self.assertEqual(self.ticket_count(), 1)
                    self.assertEqual(self.reply_count(path), 0)
                    self.assertEqual(len(self.unrestricted(path).objectIds()), 0)
            with self.subTest(body=body[:20], url="@desk"):
                response = self.patch(
                    ticket.absolute_url() + "/@desk",
                    body.encode("utf-8", "surrogatepass"),
                    STAFF,
                )
                error = self.error(response, 400, "BadRequest")
                self.assertIn("must be a JSON object", error["message"])

    def test_fields_of_the_wrong_kind_are_named(self):
        cases = [
            ({"title": "x", "text": "<p>x</p>", "cc": "boss@example.org"}, "cc"),
            ({"title": "x", "text": 5}, "text"),
            ({"title": ["x"], "text": "<p>x</p>"}, "title"),
            ({"title": "x", "text": "<p>x</p>", "attachments": "x"}, "attachments"),
            (
                {"title": "x", "text": "<p>x</p>", "attachments": [{"filename": 1}]},
                "attachments",
            ),
        ]
        for body, field in cases:
            with self.subTest(field=field, body=body):
                response = self.post(self.base + "/@tickets", body)
                self.assertEqual(self.field_error(response)["field"], field)
                self.assertEqual(self.ticket_count(), 0)

    def test_wrong_kinds_inside_cc_and_attachments_get_a_400_not_a_500(self):
        ticket = self.open_ticket()
        path = ticket.getPhysicalPath()
        new = self.base + "/@tickets"
        reply = ticket.absolute_url() + "/@reply"
        text = "<p>x</p>"
        cases = [
            (new, {"title": None, "text": text}, "title"),
            (new, {"title": "x", "text": text, "cc": [{"email": 5}]}, "cc"),
            (new, {"title": "x", "text": text, "cc": [{"email": ["a@b.org"]}]}, "cc"),
            (
                new,
                {"title": "x", "text": text, "cc": [{"email": "a@b.org", "name": 5}]},
                "cc",
            ),
            (
                new,
                {
                    "title": "x",
                    "text": text,
                    "attachments": [{"filename": "a", "data": 5}],
                },
                "attachments",
            ),
            (
                new,
                {
                    "title": "x",
                    "text": text,
                    "attachments": [{"filename": ["a"], "data": "aGk="}],
                },
                "attachments",
            ),
            (reply, {"text": 5}, "text"),
            (reply, {"text": None}, "text"),
            (reply, {"text": text, "attachments": "x"}, "attachments"),
            (
                reply,
                {"text": text, "attachments": [{"filename": "a", "data": 5}]},
                "attachments",
            ),
        ]
        for url, body, field in cases:
            with self.subTest(url=url, body=body):
                response = self.post(url, body)
                self.assertEqual(self.field_error(response)["field"], field)
                self.assertEqual(self.ticket_count(), 1)
                self.assertEqual(self.reply_count(path), 0)

    def test_wrong_kinds_on_the_staff_desk_get_a_400_not_a_500(self):
        ticket = self.open_ticket()
        path = ticket.getPhysicalPath()
        notes = ticket.absolute_url() + "/@notes"
        desk = ticket.absolute_url() + "/@desk"
        cases = [
            ("POST", notes, {"text": 5}, "text"),
            ("POST", notes, {"text": None}, "text"),
            ("POST", notes, {"text": "<p>x</p>", "attachments": "x"}, "attachments"),
            (
                "POST",
                notes,
                {"text": "<p>x</p>", "attachments": [{"filename": "a", "data": 5}]},
                "attachments",
            ),
            ("PATCH", desk, {"priority": 5}, "priority"),
            ("PATCH", desk, {"category": ["billing"]}, "category"),
            ("PATCH", desk, {"assignee": {"id": STAFF}}, "assignee"),
        ]
        for method, url, body, field in cases:
            with self.subTest(url=url, body=body):
                response = self.post(url, body, STAFF, method=method)
                self.assertEqual(self.field_error(response)["field"], field)
                ticket = self.unrestricted(path)
                self.assertEqual(len(ticket.objectIds()), 0)
                self.assertIsNone(getattr(ticket, "ticket_assignee", None))

    def test_a_cc_string_is_not_checked_letter_by_letter(self):
        response = self.post(
            self.base + "/@tickets",
            {"title": "x", "text": "<p>x</p>", "cc": "boss@example.org"},
        )
        problem = self.field_error(response)
        self.assertEqual(problem["field"], "cc")
        message = problem["message"]
        self.assertIn("'cc' must be a list", message)
        self.assertNotIn("'b'", message)

    def test_the_other_customer_and_anonymous_are_still_refused(self):
        ticket = self.open_ticket()
        path = ticket.getPhysicalPath()
        response = self.post(
            ticket.absolute_url() + "/@reply", {"text": "<p>x</p>"}, OTHER_CUSTOMER
        )
        self.assertIn(response.status_code, (401, 403))
        anonymous = requests.post(
            ticket.absolute_url() + "/@reply",
            json={"text": "<p>x</p>"},
            headers={"Accept": "application/json"},
        )
        self.assertIn(anonymous.status_code, (401, 403))
        self.assertEqual(self.reply_count(path), 0)


class TestPloneRestapiWritesOnTickets(RestSecurityTestCase):
    def state(self, path):
        transaction.begin()
        return tickets.state(self.portal.unrestrictedTraverse(path))

    def test_another_site_cannot_close_a_ticket_through_workflow(self):
        ticket = self.open_ticket()
        path = ticket.getPhysicalPath()
        url = ticket.absolute_url() + "/@workflow/complete"
        session = self.cookie_session(CUSTOMER)
        for headers, (status, error_type, words) in (
            ({"Origin": "http://evil.example"}, FOREIGN),
            ({"Sec-Fetch-Site": "cross-site"}, FOREIGN),
            ({"Content-Type": "text/plain"}, NOT_JSON),
            ({"Content-Type": "application/x-www-form-urlencoded"}, NOT_JSON),
        ):
            with self.subTest(headers=headers):
                data = "{}" if "Content-Type" in headers else None
                response = session.post(url, data=data, headers=headers)
                error = self.error(response, status, error_type)
                self.assertIn(words, error["message"])
                self.assertEqual(self.state(path), tickets.IN_PROGRESS)
        origin = "/".join(self.base.split("/")[:3])
        response = session.post(url, headers={"Origin": origin})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.state(path), tickets.COMPLETED)
