"""Notifications through content rules, asserted on the MockMailHost."""

from collective.tickets import api as tickets
from collective.tickets.contentrules.rules import install_rules
from collective.tickets.contentrules.rules import uninstall_rules
from collective.tickets.core.mailin.tokens import reply_address
from collective.tickets.core.mailin.tokens import root_message_id
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import parse_mail
from helpers import RefusingSink
from helpers import SentMailMixin
from helpers import SMTPSink
from pathlib import Path
from plone import api
from plone.app.testing import SITE_OWNER_NAME
from plone.app.testing import SITE_OWNER_PASSWORD
from Products.MailHost.MailHost import MailHost

import sys
import transaction
import unittest


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from cluster import free_port  # noqa: E402


CUSTOMER_MAIL = USERS[CUSTOMER]["email"]
OTHER_MAIL = USERS[OTHER_CUSTOMER]["email"]
STAFF_MAIL = USERS[STAFF]["email"]
CC_MAIL = "boss@example.org"


class NotificationTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        SENT_MAIL.clear()

    def recipients(self, mails):
        return sorted(mail["To"] for mail in mails)

    def open_ticket(self, cc=(CC_MAIL,)):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Printer jam", "<p>It <b>jams</b>.</p>", cc=cc)
        self.commit()
        return ticket

    def root_id(self, ticket):
        return root_message_id(ticket)


class TestRules(NotificationTestCase):
    def test_rules_are_shipped_enabled_and_listed(self):
        browser = browser_for(self.layer, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        browser.open(self.portal.absolute_url() + "/@@rules-controlpanel")
        for title in (
            "Ticket created: confirm to the customer",
            "Ticket created: tell the staff and the CC recipients",
            "Ticket reply added: tell the other side",
            "Ticket completed: tell the customer and the CC recipients",
            "Ticket reopened: tell the customer and the CC recipients",
            "Internal note added: tell the other staff",
            "Ticket assigned: tell the assignee",
        ):
            self.assertIn(title, browser.contents)

    def test_ticket_created(self):
        # A site's own address: Plone's transform makes links of addresses
        # whose host has a dot in its name (or is localhost), not of nohost.
        self.layer["request"].setServerURL("https", "helpdesk.example.com")
        ticket = self.open_ticket()
        mails = self.take_mail()
        self.assertEqual(
            self.recipients(mails), sorted([CUSTOMER_MAIL, CC_MAIL, STAFF_MAIL])
        )
        confirmation = next(m for m in mails if m["To"] == CUSTOMER_MAIL)
        # Numbered: the customer quotes the number when calling.
        self.assertEqual(
            confirmation["Subject"], f"[#{ticket.ticket_number}] Printer jam"
        )
        text = confirmation.get_body(("plain",)).get_content()
        self.assertIn("we have received your ticket", text)
        self.assertIn(ticket.absolute_url(), text)
        self.assertIn("It jams.", text)
        html = confirmation.get_body(("html",)).get_content()
        self.assertIn(f'<a href="{ticket.absolute_url()}"', html)
        # The confirmation is the thread's first message; the others refer to it.
        self.assertEqual(confirmation["Message-ID"], self.root_id(ticket))
        self.assertIsNone(confirmation["In-Reply-To"])
        for mail in mails:
            if mail is not confirmation:
                self.assertEqual(mail["In-Reply-To"], self.root_id(ticket))
                self.assertEqual(mail["References"], self.root_id(ticket))
                self.assertNotEqual(mail["Message-ID"], self.root_id(ticket))
            # The support address, with the ticket's signed code.
            self.assertEqual(mail["Reply-To"], reply_address(ticket))
            self.assertTrue(mail["Reply-To"].startswith("helpdesk+"))
            self.assertEqual(mail["From"], "Helpdesk <helpdesk@example.com>")

    def test_staff_address_from_the_settings_gets_staff_mail(self):
        api.portal.set_registry_record(
            "staff_email", "support@example.com", interface=ITicketSettings
        )
        self.open_ticket(cc=())
        self.assertIn("support@example.com", self.recipients(self.take_mail()))

    def test_reply_by_customer_goes_to_staff_and_cc(self):
        ticket = self.open_ticket()
        self.take_mail()
        with as_user(self.portal, CUSTOMER):
            tickets.reply(ticket, "<p>Any news?</p>")
        self.commit()
        mails = self.take_mail()
        self.assertEqual(self.recipients(mails), sorted([STAFF_MAIL, CC_MAIL]))
        for mail in mails:
            self.assertEqual(
                mail["Subject"], f"Re: [#{ticket.ticket_number}] Printer jam"
            )
            self.assertEqual(mail["In-Reply-To"], self.root_id(ticket))
            self.assertEqual(mail["References"], self.root_id(ticket))
            text = mail.get_body(("plain",)).get_content()
            self.assertIn("Carla Customer replied", text)
            self.assertIn("Any news?", text)
            # The new message only, with the link to the conversation.
            self.assertNotIn("It jams.", text)
            self.assertIn(ticket.absolute_url(), text)
        self.assertEqual(len({mail["Message-ID"] for mail in mails}), 1)

    def test_reply_by_staff_goes_to_customer_and_cc_never_the_author(self):
        ticket = self.open_ticket()
        self.take_mail()
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>Fixed.</p>")
        self.commit()
        mails = self.take_mail()
        self.assertEqual(self.recipients(mails), sorted([CUSTOMER_MAIL, CC_MAIL]))

    def test_closing_and_reopening(self):
        ticket = self.open_ticket()
        self.take_mail()
        with as_user(self.portal, CUSTOMER):
            tickets.close(ticket)
        self.commit()
        self.assertEqual(
            self.recipients(self.take_mail()), sorted([CC_MAIL, STAFF_MAIL])
        )
        with as_user(self.portal, STAFF):
            tickets.reopen(ticket)
        self.commit()
        reopened = self.take_mail()
        self.assertEqual(self.recipients(reopened), sorted([CUSTOMER_MAIL, CC_MAIL]))
        self.assertIn(
            "in progress again", reopened[0].get_body(("plain",)).get_content()
        )
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
        self.commit()
        self.assertEqual(
            self.recipients(self.take_mail()), sorted([CUSTOMER_MAIL, CC_MAIL])
        )

    def test_closing_from_plones_state_menu_notifies_too(self):
        ticket = self.open_ticket()
        self.take_mail()
        browser = browser_for(self.layer, STAFF)
        browser.open(ticket.absolute_url())
        browser.open(
            ticket.absolute_url()
            + f"/content_status_modify?workflow_action=complete&_authenticator={authenticator(browser)}"
        )
        self.assertEqual(tickets.state(ticket), "completed")
        self.assertEqual(
            self.recipients(self.take_mail()), sorted([CUSTOMER_MAIL, CC_MAIL])
        )

    def test_a_customer_never_gets_another_customers_mail(self):
        ticket = self.open_ticket()
        with as_user(self.portal, STAFF):
            tickets.reply(ticket, "<p>r</p>")
        self.commit()
        with as_user(self.portal, CUSTOMER):
            tickets.close(ticket)
        self.commit()
        with as_user(self.portal, OTHER_CUSTOMER):
            tickets.create("Mine", "<p>mine</p>")
        self.commit()
        mails = self.take_mail()
        about_printer = [mail for mail in mails if "Printer jam" in mail["Subject"]]
        about_mine = [mail for mail in mails if "Mine" in mail["Subject"]]
        self.assertEqual(len(about_printer) + len(about_mine), len(mails))
        self.assertGreater(len(about_printer), 5)
        self.assertNotIn(OTHER_MAIL, self.recipients(about_printer))
        self.assertIn(OTHER_MAIL, self.recipients(about_mine))
        self.assertNotIn(CUSTOMER_MAIL, self.recipients(about_mine))

    def test_disabling_a_rule_in_the_control_panel_stops_its_mail(self):
        ticket = self.open_ticket()
        self.take_mail()
        browser = browser_for(self.layer, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        browser.open(self.portal.absolute_url() + "/@@rules-controlpanel")
        browser.post(
            self.portal.absolute_url() + "/@@rules-controlpanel",
            "rule-id=collective-tickets-reply-added&form.button.DisableRule=1"
            f"&_authenticator={authenticator(browser)}",
        )
        transaction.begin()
        with as_user(self.portal, CUSTOMER):
            tickets.reply(ticket, "<p>Hello?</p>")
        self.commit()
        self.assertEqual(self.take_mail(), [])
        self.assertEqual(len(tickets.conversation(ticket)), 2)

    def test_mails_follow_the_site_language(self):
        uninstall_rules()
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        install_rules()
        self.commit()
        ticket = self.open_ticket(cc=())
        confirmation = next(m for m in self.take_mail() if m["To"] == CUSTOMER_MAIL)
        text = confirmation.get_body(("plain",)).get_content()
        self.assertIn("hemos recibido su ticket", text)
        self.assertIn(ticket.absolute_url(), text)
        with as_user(self.portal, CUSTOMER):
            tickets.close(ticket)
        self.commit()
        closed = self.take_mail()[0]
        self.assertIn(
            "está ahora completado", closed.get_body(("plain",)).get_content()
        )


class TestRealSmtp(NotificationTestCase):
    def start_smtp_server(self):
        from aiosmtpd.controller import Controller

        sink = SMTPSink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        self.addCleanup(controller.stop)
        return sink, port

    def test_mail_reaches_a_real_smtp_server_after_the_commit(self):
        sink, port = self.start_smtp_server()
        self.portal.MailHost = MailHost(
            "MailHost", smtp_host="127.0.0.1", smtp_port=port
        )
        api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
        api.portal.set_registry_record("plone.smtp_port", port)
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(
                "Real mail",
                "<p>Long line "
                + "word " * 400
                + "</p><ul><li>one</li><li>two</li></ul>",
                cc=[CC_MAIL],
            )
        self.assertEqual(sink.envelopes, [], "nothing may leave before the commit")
        self.commit()
        self.assertEqual(
            sorted(rcpt for env in sink.envelopes for rcpt in env.rcpt_tos),
            sorted([CUSTOMER_MAIL, CC_MAIL, STAFF_MAIL]),
        )
        for envelope in sink.envelopes:
            mail = parse_mail(envelope.content)
            self.assertEqual(mail["To"], envelope.rcpt_tos[0])
            text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
            self.assertRegex(text, r"(?m)^ *- one\n\n *- two$")
            self.assertIn(ticket.absolute_url(), text)

    def test_an_aborted_transaction_sends_nothing(self):
        sink, port = self.start_smtp_server()
        api.portal.set_registry_record("plone.smtp_port", port)
        self.portal.MailHost = MailHost(
            "MailHost", smtp_host="127.0.0.1", smtp_port=port
        )
        self.commit()
        with as_user(self.portal, CUSTOMER):
            tickets.create("Never happened", "<p>x</p>")
        transaction.abort()
        self.assertEqual(sink.envelopes, [])


class TestSmtpRefuses(NotificationTestCase):
    def test_a_refusing_smtp_server_loses_no_ticket(self):
        from aiosmtpd.controller import Controller

        port = free_port()
        controller = Controller(RefusingSink(), hostname="127.0.0.1", port=port)
        controller.start()
        self.addCleanup(controller.stop)
        self.portal.MailHost = MailHost(
            "MailHost", smtp_host="127.0.0.1", smtp_port=port
        )
        api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
        api.portal.set_registry_record("plone.smtp_port", port)
        with self.assertLogs("collective.tickets", level="ERROR") as logged:
            ticket = self.open_ticket()
        self.assertIn("Could not send the ticket e-mail", logged.output[0])
        transaction.begin()
        self.assertEqual(tickets.state(ticket), "in_progress")
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 1)


class TestSmtpFailure(NotificationTestCase):
    def test_a_failing_smtp_server_loses_no_reply(self):
        ticket = self.open_ticket()
        # A real MailHost, pointing at a port where nothing listens.
        self.portal.MailHost = MailHost("MailHost", smtp_host="127.0.0.1", smtp_port=9)
        api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
        api.portal.set_registry_record("plone.smtp_port", 9)
        self.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(ticket.absolute_url())
        with self.assertLogs("collective.tickets", level="ERROR") as logged:
            browser.getControl(name="reply.widgets.text").value = "<p>Still jammed</p>"
            browser.getControl("Send reply").click()
        self.assertIn("Your reply has been added.", browser.contents)
        self.assertIn("Still jammed", browser.contents)
        transaction.begin()
        self.assertEqual(len(tickets.conversation(ticket)), 2)
        self.assertIn("Could not send the ticket e-mail", logged.output[0])


class TestEditingRules(NotificationTestCase):
    def test_editor_changes_the_wording_in_the_rules_ui(self):
        browser = browser_for(self.layer, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        rule_url = self.portal.absolute_url() + "/++rule++collective-tickets-closed"
        browser.open(rule_url + "/@@manage-elements")
        self.assertIn("Ticket e-mail to ${ticket_recipients}", browser.contents)
        browser.open(rule_url + "/++action++0/edit")
        browser.getControl(
            name="form.widgets.subject"
        ).value = "Closed: ${ticket_title}"
        browser.getControl(
            name="form.widgets.message"
        ).value = "Done with ${ticket_title}, state ${ticket_state}."
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        ticket = self.open_ticket(cc=())
        self.take_mail()
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
        self.commit()
        (mail,) = self.take_mail()
        self.assertEqual(mail["Subject"], "Closed: Printer jam")
        self.assertEqual(
            mail.get_body(("plain",)).get_content().strip(),
            "Done with Printer jam, state Completed.",
        )

    def test_editor_adds_the_action_to_a_rule_of_their_own(self):
        browser = browser_for(self.layer, SITE_OWNER_NAME, SITE_OWNER_PASSWORD)
        browser.open(
            self.portal.absolute_url()
            + "/++rule++collective-tickets-reopened/@@manage-elements"
        )
        self.assertIn("Send ticket e-mail", browser.contents)
        browser.open(
            self.portal.absolute_url()
            + "/++rule++collective-tickets-reopened/+action/collective.tickets.actions.Mail"
        )
        browser.getControl(name="form.widgets.subject").value = "Reopened"
        browser.getControl(name="form.widgets.recipients").value = "audit@example.com"
        browser.getControl(name="form.widgets.message").value = "${ticket_url}"
        browser.getControl(name="form.buttons.save").click()
        transaction.begin()
        ticket = self.open_ticket(cc=())
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
            self.commit()
            self.take_mail()
            tickets.reopen(ticket)
        self.commit()
        self.assertIn("audit@example.com", self.recipients(self.take_mail()))
