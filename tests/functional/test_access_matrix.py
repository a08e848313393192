"""Who may do what with a ticket: one table, checked as the real users.

The same table is in docs/security.rst; a test keeps the two identical.
"""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.core import canned
from collective.tickets.core import satisfaction
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.report import build_report
from collective.tickets.core.report import ReportFilter
from collective.tickets.testing import CC_MEMBER
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from helpers import as_user
from helpers import browser_for
from helpers import PDF
from pathlib import Path
from plone import api

import gzip
import transaction
import unittest


ROLES = {
    "anonymous": None,
    "owner": CUSTOMER,
    "other customer": OTHER_CUSTOMER,
    "CC'd member": CC_MEMBER,
    "staff": STAFF,
    "site administrator": SITE_ADMIN,
    "manager": MANAGER,
}
EVERYONE_WHO_SEES = {"owner", "staff", "site administrator", "manager"}
STAFF_ROLES = {"staff", "site administrator", "manager"}
MEMBERS = set(ROLES) - {"anonymous"}
ADMINS = {"site administrator", "manager"}

# action -> state -> the roles that may do it
MATRIX = {
    "open the ticket page": {
        "in_progress": EVERYONE_WHO_SEES,
        "completed": EVERYONE_WHO_SEES,
    },
    "download an attachment": {
        "in_progress": EVERYONE_WHO_SEES,
        "completed": EVERYONE_WHO_SEES,
    },
    "read it through the REST API": {
        "in_progress": EVERYONE_WHO_SEES,
        "completed": EVERYONE_WHO_SEES,
    },
    "find it in the REST listing": {
        "in_progress": EVERYONE_WHO_SEES,
        "completed": EVERYONE_WHO_SEES,
    },
    "find it in the site search": {
        "in_progress": EVERYONE_WHO_SEES,
        "completed": EVERYONE_WHO_SEES,
    },
    "see it in My tickets": {"in_progress": {"owner"}, "completed": {"owner"}},
    "see it in the staff overview": {
        "in_progress": STAFF_ROLES,
        "completed": STAFF_ROLES,
    },
    "open the customer's tickets tab": {
        "in_progress": STAFF_ROLES,
        "completed": STAFF_ROLES,
    },
    "open the new ticket form": {"in_progress": MEMBERS, "completed": MEMBERS},
    "open the tickets settings": {"in_progress": ADMINS, "completed": ADMINS},
    "reply": {"in_progress": EVERYONE_WHO_SEES, "completed": set()},
    "close": {"in_progress": EVERYONE_WHO_SEES, "completed": set()},
    "reopen": {"in_progress": set(), "completed": STAFF_ROLES},
    "read an internal note": {"in_progress": STAFF_ROLES, "completed": STAFF_ROLES},
    "download a note's attachment": {
        "in_progress": STAFF_ROLES,
        "completed": STAFF_ROLES,
    },
    "add an internal note": {"in_progress": STAFF_ROLES, "completed": STAFF_ROLES},
    "assign, set priority and category": {
        "in_progress": STAFF_ROLES,
        "completed": STAFF_ROLES,
    },
    "rate it": {"in_progress": set(), "completed": {"owner"}},
    "insert a canned reply": {"in_progress": STAFF_ROLES, "completed": STAFF_ROLES},
    "keep the canned replies": {"in_progress": ADMINS, "completed": ADMINS},
    "read the tickets report": {"in_progress": STAFF_ROLES, "completed": STAFF_ROLES},
}

# What the API allows must be what the page offers.
API_ACTIONS = {
    "reply": lambda ticket: tickets.reply(ticket, "<p>matrix</p>"),
    "close": tickets.close,
    "reopen": tickets.reopen,
    "add an internal note": lambda ticket: tickets.add_note(ticket, "<p>matrix</p>"),
    "assign, set priority and category": lambda ticket: (
        tickets.take(ticket),
        tickets.set_priority(ticket, "urgent"),
        tickets.set_category(ticket, ""),
    ),
    "rate it": lambda ticket: satisfaction.rate(ticket, 4),
    "insert a canned reply": lambda ticket: canned.fill(
        canned.canned_replies()[0], ticket
    ),
    "keep the canned replies": lambda ticket: canned.save_canned(
        "Matrix", "<p>matrix</p>"
    ),
    "read the tickets report": lambda ticket: build_report(ReportFilter()),
}


def matrix_as_rst():
    """MATRIX as the RST table of docs/security.rst."""
    columns = list(ROLES)
    header = ["action", "state", *columns]
    rows = []
    for action, states in MATRIX.items():
        for state, allowed in states.items():
            rows.append(
                [action, state.replace("_", " ")]
                + ["yes" if role in allowed else "no" for role in columns]
            )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("=" * width for width in widths)

    def line(cells):
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([rule, line(header), rule, *(line(row) for row in rows), rule])


class TestMatrixDocumented(unittest.TestCase):
    def test_docs_security_has_this_very_table(self):
        docs = Path(__file__).resolve().parents[2] / "docs" / "security.rst"
        self.assertIn(matrix_as_rst(), docs.read_text(encoding="utf-8"))


class TestAccessMatrix(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                "Matrix ticket",
                "<p>Zebrafish secret words</p>",
                cc=[USERS[CC_MEMBER]["email"]],
                attachments=[("contract.pdf", PDF, "application/pdf")],
            )
        with as_user(self.portal, STAFF):
            self.note = tickets.add_note(
                self.ticket,
                "<p>Heron internal words</p>",
                attachments=[("plan.pdf", PDF, "application/pdf")],
            )
        with as_user(self.portal, MANAGER):
            self.canned_id = canned.save_canned("Gannet", "<p>Hi ${customer_name}</p>")
        transaction.commit()

    def can(self, action, browser):
        url = self.ticket.absolute_url()
        portal_url = self.portal.absolute_url()
        if action == "open the ticket page":
            browser.open(url)
            return "Zebrafish secret words" in browser.contents
        if action == "read an internal note":
            browser.open(url)
            return "Heron internal words" in browser.contents
        if action in ("download an attachment", "download a note's attachment"):
            if action == "download an attachment":
                browser.open(url + "/@@attachment/0/contract.pdf")
            else:
                browser.open(self.note.absolute_url() + "/@@attachment/0/plan.pdf")
            return (
                browser.contents.startswith("%PDF")
                if isinstance(browser.contents, str)
                else browser.contents.startswith(b"%PDF")
            )
        if action in ("read it through the REST API", "find it in the REST listing"):
            rest = browser_for(self.layer, self.userid)
            rest.addHeader("Accept", "application/json")
            rest.open(
                url
                if action == "read it through the REST API"
                else portal_url + "/@tickets"
            )
            body = rest.contents
            body = body.decode("utf-8") if isinstance(body, bytes) else body
            return rest.headers["status"].startswith("200") and "Matrix ticket" in body
        if action == "find it in the site search":
            browser.open(portal_url + "/@@search?SearchableText=Zebrafish")
            return "Matrix ticket" in browser.contents
        if action == "see it in My tickets":
            browser.open(portal_url + "/@@my-tickets")
            return "Matrix ticket" in browser.contents
        if action == "see it in the staff overview":
            browser.open(portal_url + "/@@tickets")
            return "Matrix ticket" in browser.contents
        if action == "open the customer's tickets tab":
            browser.open(portal_url + f"/@@customer-tickets?userid={CUSTOMER}")
            return "Matrix ticket" in browser.contents
        if action == "open the new ticket form":
            browser.open(portal_url + "/@@new-ticket")
            return "form.widgets.title" in browser.contents
        if action == "open the tickets settings":
            browser.open(portal_url + "/@@tickets-controlpanel")
            return "form.widgets.max_files" in browser.contents
        if action == "insert a canned reply":
            browser.open(f"{url}/@@canned-reply?id={self.canned_id}")
            body = browser.contents
            body = body.decode("utf-8") if isinstance(body, bytes) else body
            return "Hi Carla Customer" in body
        if action == "keep the canned replies":
            browser.open(portal_url + "/@@tickets-canned-replies")
            return "canned.widgets.title" in browser.contents
        if action == "read the tickets report":
            browser.open(portal_url + "/@@tickets-report")
            return "pygal-chart" in browser.contents
        browser.open(url)
        marker = {
            "reply": 'id="reply-buttons-save"',
            "close": "close-ticket",
            "reopen": "reopen-ticket",
            "add an internal note": 'id="reply-buttons-note"',
            "assign, set priority and category": 'id="ticket-desk"',
            "rate it": "@@rate-ticket",
        }
        return marker[action] in browser.contents

    def api_allows(self, action, userid):
        """Try the action through the API as ``userid``, then undo it."""
        savepoint = transaction.savepoint()
        try:
            if userid is None:
                with api.env.adopt_roles(["Anonymous"]):
                    API_ACTIONS[action](self.ticket)
            else:
                with as_user(self.portal, userid):
                    API_ACTIONS[action](self.ticket)
        except (Unauthorized, TicketInputError, TicketStateError):
            return False
        finally:
            savepoint.rollback()
        return True

    def check_state(self, state):
        found = {}
        through_api = {}
        for role, userid in ROLES.items():
            self.userid = userid
            browser = browser_for(self.layer, userid)
            for action in MATRIX:
                found.setdefault(action, set())
                if self.can(action, browser):
                    found[action].add(role)
            for action in API_ACTIONS:
                through_api.setdefault(action, set())
                if self.api_allows(action, userid):
                    through_api[action].add(role)
        expected = {action: states[state] for action, states in MATRIX.items()}
        self.assertEqual(found, expected)
        self.assertEqual(
            through_api, {action: expected[action] for action in API_ACTIONS}
        )

    def test_in_progress(self):
        self.check_state("in_progress")

    def test_completed(self):
        with as_user(self.portal, CUSTOMER):
            tickets.close(self.ticket)
        transaction.commit()
        self.check_state("completed")


class TestNoLeaks(unittest.TestCase):
    """Search boxes, sitemaps and feeds never show a ticket to someone who may
    not open it."""

    layer = FUNCTIONAL_TESTING

    def setUp(self):

        self.portal = self.layer["portal"]
        self.url = self.portal.absolute_url()
        api.portal.set_registry_record("plone.enable_sitemap", True)
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create("Quokka problem", "<p>Quokka details</p>")
            tickets.reply(self.ticket, "<p>Quokka follow-up</p>")
        transaction.commit()

    def test_live_search_and_sitemap(self):
        for who in (None, OTHER_CUSTOMER, CC_MEMBER):
            browser = browser_for(self.layer, who)
            browser.open(self.url + "/@@ajax-search?SearchableText=Quokka")
            self.assertNotIn("Quokka", browser.contents, who)
            browser.open(self.url + "/@@search?SearchableText=Quokka")
            self.assertNotIn("Quokka problem", browser.contents, who)
        anonymous = browser_for(self.layer)
        anonymous.open(self.url + "/sitemap.xml.gz?page=1")
        body = anonymous.contents
        sitemap = gzip.decompress(
            body if isinstance(body, bytes) else body.encode("latin-1")
        )
        self.assertIn(b"<urlset", sitemap)
        self.assertNotIn(b"quokka", sitemap.lower())
        self.assertNotIn(b"/Members/", sitemap)

    def test_navigation_and_site_map_pages(self):
        for who in (None, OTHER_CUSTOMER, CC_MEMBER, CUSTOMER):
            browser = browser_for(self.layer, who)
            for page in ("", "/@@sitemap", "/Members"):
                browser.open(self.url + page)
                # Not even the owner: tickets are reached through My tickets.
                self.assertNotIn("Quokka", browser.contents, (who, page))

    def test_replies_are_not_search_results_of_their_own(self):
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.url + "/@@search?SearchableText=follow-up")
        self.assertIn("Quokka problem", browser.contents)
        self.assertNotIn("/reply-1", browser.contents)
