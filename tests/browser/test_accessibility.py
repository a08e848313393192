"""WCAG 2.1 AA on the add-on's pages, checked with axe-core in Chromium.

Each page of the add-on is opened as the person who uses it and axe-core
runs its WCAG 2.0 and 2.1 A and AA rules on it. A violation fails the test
unless Plone's own page shows it too for the same person: a plain Document,
whose toolbar, header and footer are those of every page. An element counts
as the same when the path to it from the nearest element with an id, tags
and classes, is the same: axe's own selectors change from page to page.

axe-core comes from the npm registry, pinned by version and checksum, and is
kept in .venv/cache/ once downloaded. As for the other browser tests, under
CI=true a missing Chromium or a failed download fails the run; elsewhere the
tests are skipped with the reason.
"""

from collective.tickets import api as tickets
from collective.tickets.core import canned
from collective.tickets.core import satisfaction
from collective.tickets.core.unsubscribe import unsubscribe_url
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import SITE_ADMIN
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import PDF
from helpers import PNG
from pathlib import Path
from plone import api

import base64
import hashlib
import io
import os
import tarfile
import test_browser
import transaction
import unittest
import urllib.request


AXE_VERSION = "4.14.1"
# dist.integrity of axe-core@4.14.1 in the npm registry's metadata.
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNt"
    "uFooJpZe37OgudVGtQ=="
)
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_CACHE = Path(__file__).resolve().parents[2] / ".venv" / "cache"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Violations of Plone's editor itself (TinyMCE 8 and Plone's image plugin),
# by rule and CSS selector: Plone's own edit form has them as well, which
# test_plones_own_editor_has_the_violations_we_leave_to_it checks.
PLONES_EDITOR = {
    # The resize handle is a focusable separator without aria-valuenow.
    "aria-required-attr": ".tox-statusbar__resize-handle",
    # The button shows "Image" and is named "Insert/edit image".
    "label-content-name-mismatch": '.tox-tbtn[data-mce-name="ploneimage"]',
}


def integrity(data):
    """The npm registry's ``dist.integrity`` of ``data``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def download_axe(tarball):
    with urllib.request.urlopen(AXE_TARBALL, timeout=60) as response:
        data = response.read()
    if integrity(data) != AXE_INTEGRITY:
        raise RuntimeError(
            f"{AXE_TARBALL} is not the axe-core {AXE_VERSION} pinned here: its "
            f"checksum is {integrity(data)}, not {AXE_INTEGRITY}."
        )
    tarball.parent.mkdir(parents=True, exist_ok=True)
    partial = tarball.with_name(f"{tarball.name}.{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(tarball)
    return data


def axe_source():
    """axe.min.js of the pinned axe-core: from the cache, else the registry."""
    tarball = AXE_CACHE / f"axe-core-{AXE_VERSION}.tgz"
    data = tarball.read_bytes() if tarball.exists() else b""
    if integrity(data) != AXE_INTEGRITY:
        try:
            data = download_axe(tarball)
        except OSError as error:
            reason = f"axe-core {AXE_VERSION} could not be downloaded: {error}"
            if os.environ.get("CI"):
                raise RuntimeError(reason) from error
            raise unittest.SkipTest(reason) from error
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return archive.extractfile("package/axe.min.js").read().decode()


SETTLE = """async () => {
    const loaded = () => performance.getEntriesByType("resource").length;
    for (let before = -1, tries = 0; before !== loaded() && tries < 40; tries++) {
        before = loaded();
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}"""

# Frames are left out: the only one is TinyMCE's editing area, whose title
# is checked from the page (frame-title).
RUN_AXE = """async ([tags, plones]) => {
    const path = (element) => {
        const steps = [];
        for (let node = element; node; node = node.parentElement) {
            if (node.id) {
                steps.unshift("#" + node.id);
                break;
            }
            const classes = [...node.classList].sort();
            steps.unshift([node.localName, ...classes].join("."));
        }
        return steps.join(" > ");
    };
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
        iframes: false,
        elementRef: true,
    });
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({
            path: path(node.element),
            plones: Boolean(
                plones[violation.id] && node.element.matches(plones[violation.id])
            ),
            target: node.target.join(" "),
            html: node.html,
            summary: node.failureSummary,
        })),
    }));
}"""


def found(violations):
    """What axe found, as (rule, path) pairs."""
    return {
        (violation["id"], node["path"])
        for violation in violations
        for node in violation["nodes"]
    }


def describe(added):
    lines = []
    for title, violations in added:
        lines.append(f"{title}:")
        for violation in violations:
            lines.append(
                f"  {violation['id']} ({violation['impact']}): {violation['help']}"
            )
            for node in violation["nodes"]:
                lines.append(f"    {node['target']}")
                lines.append(f"      {node['html']}")
                for line in node["summary"].splitlines():
                    lines.append(f"      {line}")
    return "\n".join(lines)


class TestAccessibility(test_browser.BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        cls.axe = axe_source()
        super().setUpClass()

    def setUp(self):
        super().setUp()
        with as_user(self.portal, SITE_ADMIN):
            self.document = api.content.create(
                container=self.portal,
                type="Document",
                id="plain-page",
                title="A plain page",
                text="<p>Plone's own page, for comparison.</p>",
            )
            api.content.transition(self.document, "publish")
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                "Printer jams on page 2",
                "<p>The printer jams.</p>",
                cc=["boss@example.org"],
                attachments=[("jam.png", PNG, "image/png")],
            )
        with as_user(self.portal, STAFF):
            tickets.reply(
                self.ticket,
                "<p>Please use tray 3.</p>",
                attachments=[("howto.pdf", PDF, "application/pdf")],
            )
        # A completed ticket, to be rated; a canned reply for the picker;
        # service targets, for the due times and the report.
        with as_user(self.portal, CUSTOMER):
            self.completed = tickets.create("Scanner offline", "<p>It is off.</p>")
        with as_user(self.portal, STAFF):
            tickets.close(self.completed)
        with as_user(self.portal, SITE_ADMIN):
            canned.save_canned("Restart it", "<p>Hello ${customer_name}.</p>")
        api.portal.set_registry_record(
            "collective.tickets.interfaces.ITicketSettings.first_response_normal", 2.0
        )
        transaction.commit()

    def anonymous(self):
        page = self.browser.new_context().new_page()
        self.pages.append(page)
        return page

    def run_axe(self, page, url=None):
        """axe-core's WCAG violations of the page (at ``url``, when given)."""
        if url is not None:
            page.goto(url)
        page.wait_for_load_state("load")
        # Playwright's "networkidle" now and then never comes on the pages
        # with TinyMCE's frame: wait until the page loads nothing new.
        page.evaluate(SETTLE)
        if page.locator("textarea.pat-tinymce").count():
            page.wait_for_selector(".tox-statusbar")
        page.evaluate(self.axe)
        return page.evaluate(RUN_AXE, [WCAG_TAGS, PLONES_EDITOR])

    def plones_own(self, page):
        """What axe finds on Plone's own page for the user of ``page``."""
        return found(self.run_axe(page, self.document.absolute_url()))

    def added(self, page, plones, screens):
        """The violations of the screens, (title, url or None for the page as
        it is), that are not in ``plones``."""
        added = []
        for title, url in screens:
            violations = []
            for violation in self.run_axe(page, url):
                nodes = [
                    node
                    for node in violation["nodes"]
                    if (violation["id"], node["path"]) not in plones
                    and not node["plones"]
                ]
                if nodes:
                    violations.append({**violation, "nodes": nodes})
            if violations:
                added.append((f"{title} ({page.url})", violations))
        return added

    def assertNothingAdded(self, added):
        if added:
            self.fail(
                "WCAG 2.1 AA violations that Plone's own page has not:\n"
                + describe(added)
            )

    def test_customer_pages_add_no_wcag_violation(self):
        page = self.login(CUSTOMER)
        plones = self.plones_own(page)
        added = self.added(
            page,
            plones,
            [
                ("My tickets", self.url + "/@@my-tickets"),
                ("New ticket", self.url + "/@@new-ticket"),
                ("A ticket with a reply and attachments", self.ticket.absolute_url()),
            ],
        )
        # The form shown again with an error.
        page.goto(self.url + "/@@new-ticket")
        page.fill("#form-widgets-title", "Printer jams on page 3")
        page.locator("input[name$='.widgets.email']:visible").first.fill("boss@")
        self.type_in_editor(page, "The printer jams again.")
        with page.expect_navigation():
            page.click("#form-buttons-add")
        self.assertIn("'boss@' is not a valid e-mail address.", page.content())
        added += self.added(page, plones, [("New ticket with an error", None)])
        self.assertNothingAdded(added)

    def test_staff_pages_add_no_wcag_violation(self):
        page = self.login(STAFF)
        self.assertNothingAdded(
            self.added(
                page,
                self.plones_own(page),
                [
                    ("Tickets overview", self.url + "/@@tickets"),
                    (
                        "The customer's tickets",
                        self.url + f"/@@customer-tickets?userid={CUSTOMER}",
                    ),
                    (
                        "A ticket with a reply and attachments",
                        self.ticket.absolute_url(),
                    ),
                    ("My tickets", self.url + "/@@my-tickets"),
                    ("New ticket", self.url + "/@@new-ticket"),
                    ("Overdue tickets", self.url + "/@@tickets?due=overdue&sort=due"),
                    ("Tickets report", self.url + "/@@tickets-report"),
                ],
            )
        )

    def test_completed_ticket_and_rating_pages_add_no_wcag_violation(self):
        customer = self.login(CUSTOMER)
        added = self.added(
            customer,
            self.plones_own(customer),
            [("A completed ticket to rate", self.completed.absolute_url())],
        )
        page = self.anonymous()
        with as_user(self.portal, CUSTOMER):
            url = satisfaction.rating_url(self.completed, score=4)
        transaction.commit()
        added += self.added(page, self.plones_own(page), [("Rate a ticket", url)])
        self.assertNothingAdded(added)

    def test_control_panel_adds_no_wcag_violation(self):
        page = self.login(SITE_ADMIN)
        self.assertNothingAdded(
            self.added(
                page,
                self.plones_own(page),
                [
                    ("Tickets settings", self.url + "/@@tickets-controlpanel"),
                    ("Canned replies", self.url + "/@@tickets-canned-replies"),
                ],
            )
        )

    def test_unsubscribe_page_adds_no_wcag_violation(self):
        page = self.anonymous()
        url = unsubscribe_url(self.ticket, "boss@example.org")
        self.assertNothingAdded(
            self.added(
                page, self.plones_own(page), [("Stop e-mails about a ticket", url)]
            )
        )

    def test_cc_inputs_and_editors_are_named_in_the_pages_language(self):
        page = self.login(CUSTOMER)
        page.goto(self.ticket.absolute_url())
        self.assertEqual(
            page.locator("iframe.tox-edit-area__iframe").get_attribute("title"),
            "Message",
        )
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        transaction.commit()
        page.goto(self.url + "/@@new-ticket")
        self.assertEqual(
            page.get_by_role("textbox", name="Correo electrónico", exact=True).count(),
            1,
        )
        self.assertEqual(
            page.get_by_role("textbox", name="Nombre", exact=True).count(), 1
        )
        self.assertEqual(
            page.locator("iframe.tox-edit-area__iframe").get_attribute("title"),
            "Mensaje",
        )

    def test_plones_own_editor_has_the_violations_we_leave_to_it(self):
        """When Plone fixes its editor, PLONES_EDITOR must lose the fixed ones."""
        page = self.login(SITE_ADMIN)
        violations = self.run_axe(page, self.document.absolute_url() + "/edit")
        plones = {
            violation["id"]
            for violation in violations
            if any(node["plones"] for node in violation["nodes"])
        }
        self.assertEqual(plones, set(PLONES_EDITOR))
