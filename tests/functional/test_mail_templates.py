"""The mails' fixed parts come from page templates a site can override.

The rules give the subject and the message; the templates ``ticket-mail-text``
and ``ticket-mail-html`` put a CC recipient's introduction and unsubscribe
link around it, in the site's language, and ``ticket-conversation-text`` is
what ``${ticket_conversation}`` gives.
"""

from collective.tickets import api as tickets
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import SentMailMixin
from pathlib import Path
from plone import api
from plone.stringinterp.interfaces import IStringSubstitution
from Products.Five.browser.metaconfigure import SimpleViewClass
from zope.component import getAdapter
from zope.component import getGlobalSiteManager
from zope.globalrequest import clearRequest
from zope.globalrequest import setRequest
from zope.interface import alsoProvides
from zope.interface import Interface
from zope.publisher.interfaces.browser import IDefaultBrowserLayer

import re
import tempfile
import unittest


CC_MAIL = "boss@example.org"
UNSUBSCRIBE_URL = r"http://nohost/plone/@@ticket-unsubscribe/\S+"


def text_of(mail):
    """The text part, without the line end every MIME part ends with."""
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")[:-1]


def html_of(mail):
    return mail.get_body(("html",)).get_content()


class ISiteLayer(IDefaultBrowserLayer):
    """A site's own browser layer, as its theme or policy package has one."""


class MailTemplateTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        SENT_MAIL.clear()

    def mail_to(self, address):
        (mail,) = [mail for mail in self.take_mail() if mail["To"] == address]
        return mail

    def open_ticket(self, text="<p>It <b>jams</b>.</p>"):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Printer jam", text, cc=[CC_MAIL])
        self.commit()
        return ticket


class TestCCMailLayout(MailTemplateTestCase):
    def test_first_cc_mail_reads_introduction_message_and_unsubscribe_footer(self):
        self.open_ticket()
        text = text_of(self.mail_to(CC_MAIL))
        introduction, message, footer = (
            text[: text.index("\n\n")],
            text[text.index("\n\n") + 2 : text.index("\n\n-- \n")],
            text[text.index("\n\n-- \n") + 6 :],
        )
        self.assertEqual(
            introduction,
            "You receive this e-mail because Carla Customer added you "
            "(boss@example.org) as a CC recipient of a support ticket: you will "
            "receive its updates. If you do not want them, use the link at the "
            "end of this e-mail.",
        )
        self.assertIn('Carla Customer opened the ticket "Printer jam":', message)
        self.assertIn("It jams.", message)
        self.assertRegex(
            footer,
            r"\AYou receive this e-mail as a CC recipient of this ticket\. To stop "
            rf"receiving e-mails about it, open:\n{UNSUBSCRIBE_URL}\Z",
        )

    def test_the_html_part_has_the_same_parts_and_a_link_to_unsubscribe(self):
        self.open_ticket()
        mail = self.mail_to(CC_MAIL)
        (url,) = re.findall(UNSUBSCRIBE_URL, text_of(mail))
        html = html_of(mail)
        self.assertIn("Carla Customer added you (boss@example.org)", html)
        self.assertIn("It jams.", html)
        self.assertRegex(html, rf'<a href="{re.escape(url)}"\s*>{re.escape(url)}</a>')
        self.assertLess(html.index("added you"), html.index("It jams."))
        self.assertLess(html.index("It jams."), html.index(url))

    def test_cc_parts_are_in_the_sites_language_not_the_requests(self):
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        # The test request asks for no language: the translations it would
        # get are English ones.
        self.open_ticket()
        mail = self.mail_to(CC_MAIL)
        for part in (text_of(mail), html_of(mail)):
            self.assertIn(
                "Recibe este correo porque Carla Customer le ha añadido "
                "(boss@example.org) en copia de un ticket de soporte",
                part,
            )
            self.assertIn("Para dejar de recibir correos sobre él, abra:", part)
            self.assertNotIn("You receive this e-mail", part)
        self.assertIn('<html lang="es"', html_of(mail))


class TestMailText(MailTemplateTestCase):
    def test_text_part_is_plain_text_and_html_part_escaped_html(self):
        self.open_ticket(
            "<p>Tom &amp; Jerry &lt;3 caf&eacute;</p><ul><li>one</li><li>two</li></ul>"
            "<p>Hi<script>alert(1)</script></p>"
        )
        mail = self.mail_to(CC_MAIL)
        text, html = text_of(mail), html_of(mail)
        self.assertIn("Tom & Jerry <3 café", text)
        self.assertRegex(text, r"(?m)^ *- one\n\n *- two$")
        self.assertIn("Tom &amp; Jerry &lt;3 caf&eacute;", html)
        self.assertNotIn("&amp;amp;", html)
        for part in (text, html):
            self.assertIn("Hi", part)
            self.assertNotIn("alert", part)

    def test_a_mail_to_the_customer_is_the_rules_text_alone(self):
        ticket = self.open_ticket()
        text = text_of(self.mail_to("customer1@example.com"))
        self.assertTrue(text.startswith("Hello Carla Customer,\n\nwe have received"))
        self.assertTrue(
            text.endswith(
                "Your message:\n\nIt jams.\n\n"
                f"This is an automatic message from {ticket.absolute_url()}"
            )
        )


class TestOutsideAPublishedRequest(MailTemplateTestCase):
    def test_a_script_without_a_global_request_still_sends_the_mails(self):
        # As scripts/create_site.py runs: a request only by acquisition.
        clearRequest()
        self.addCleanup(setRequest, self.layer["request"])
        self.open_ticket()
        self.assertIn("Carla Customer added you", text_of(self.mail_to(CC_MAIL)))


class TestSitesOverrideTheTemplates(MailTemplateTestCase):
    def register(self, name, source):
        """A page ``name`` on the site's layer, from a template ``source``: as
        a site's own package (or z3c.jbot) would override ours."""
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: [path.unlink() for path in folder.iterdir()])
        template = folder / f"{name}.pt"
        template.write_text(source, encoding="utf-8")
        factory = SimpleViewClass(str(template), name=name)
        registry = getGlobalSiteManager()
        required = (Interface, ISiteLayer)
        registry.registerAdapter(factory, required, Interface, name)
        self.addCleanup(registry.unregisterAdapter, factory, required, Interface, name)

    def test_a_template_registered_on_the_sites_layer_changes_the_mail(self):
        self.register(
            "ticket-mail-text",
            "<tal:mail>Our helpdesk writes: ${structure: options/body}</tal:mail>",
        )
        self.register(
            "ticket-mail-html",
            '<p class="ours" tal:content="structure options/body_html"></p>',
        )
        alsoProvides(self.layer["request"], ISiteLayer)
        self.open_ticket()
        mail = self.mail_to("customer1@example.com")
        self.assertTrue(text_of(mail).startswith("Our helpdesk writes: Hello Carla"))
        self.assertTrue(html_of(mail).startswith('<p class="ours">Hello Carla'))

    def test_without_the_sites_layer_the_mail_is_ours(self):
        self.register("ticket-mail-text", "<tal:mail>Our helpdesk writes</tal:mail>")
        self.open_ticket()
        mail = self.mail_to("customer1@example.com")
        self.assertTrue(text_of(mail).startswith("Hello Carla Customer"))


class TestConversationSubstitution(MailTemplateTestCase):
    def test_conversation_lists_the_messages_newest_first_with_their_files(self):
        ticket = self.open_ticket("<p>It <b>jams</b> &amp; beeps.</p>")
        with as_user(self.portal, STAFF):
            tickets.reply(
                ticket, "<p>Send the log.</p>", [("log.txt", b"x", "text/plain")]
            )
        self.commit()
        conversation = getAdapter(
            ticket, IStringSubstitution, name="ticket_conversation"
        )()
        self.assertRegex(
            conversation,
            r"\A-- Sam Staff, [^\n]+\nSend the log\.\n\[log\.txt\]\n\n"
            r"-- Carla Customer, [^\n]+\nIt jams & beeps\.\Z",
        )
