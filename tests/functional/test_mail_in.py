"""Reply by e-mail, through ``api.receive_mail``: matching, the sender
check, robots, duplicates, closed tickets, new tickets, what is stored.

Every mail here is built as a mail client builds an answer to one of the
site's real notifications (its Reply-To, its Message-ID); the fixtures of
real clients are in tests/fixtures/mail/ (see test_mail_in_clients.py).
"""

from collective.tickets import api as tickets
from collective.tickets.core.mailin import receive
from collective.tickets.core.mailin.tokens import root_message_id
from collective.tickets.interfaces import ITicketSettings
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import SENT_MAIL
from collective.tickets.testing import STAFF
from collective.tickets.testing import USERS
from email.message import EmailMessage
from email.utils import make_msgid
from helpers import as_user
from helpers import fetch
from helpers import PDF
from helpers import PNG
from helpers import SentMailMixin
from plone import api
from unittest import mock

import transaction
import unittest


CUSTOMER_MAIL = USERS[CUSTOMER]["email"]
OTHER_MAIL = USERS[OTHER_CUSTOMER]["email"]
STAFF_MAIL = USERS[STAFF]["email"]
CC_MAIL = "boss@example.org"
SUPPORT = "soporte@example.com"


def mail(
    sender,
    to=SUPPORT,
    subject="Re: [Ticket] Printer jam",
    text="It is still jammed.",
    html=None,
    in_reply_to=None,
    cc=(),
    files=(),
    inline=(),
    headers=(),
    message_id=None,
):
    """Raw bytes of a mail as a mail client sends it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="client.example.org")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in headers:
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
        for cid, data in inline:
            message.get_payload()[1].add_related(
                data, "image", "png", cid=f"<{cid}>", filename=f"{cid}.png"
            )
    for filename, data, maintype, subtype in files:
        message.add_attachment(data, maintype, subtype, filename=filename)
    return message.as_bytes()


class MailInTestCase(SentMailMixin, unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        api.portal.set_registry_record(
            "support_address", SUPPORT, interface=ITicketSettings
        )
        self.commit()
        SENT_MAIL.clear()

    def open_ticket(self, cc=(CC_MAIL,)):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Printer jam", "<p>It jams.</p>", cc=cc)
        self.commit()
        return ticket

    def notification_to(self, address):
        mails = [m for m in self.take_mail() if m["To"] == address]
        self.assertEqual(len(mails), 1, f"one notification to {address}")
        return mails[0]

    def receive(self, raw):
        outcome = tickets.receive_mail(raw)
        self.commit()
        return outcome

    def texts(self, ticket):
        transaction.begin()
        return [message.text for message in tickets.conversation(ticket)]


class TestOutgoingHeaders(MailInTestCase):
    def test_notifications_name_the_ticket_and_silence_robots(self):
        ticket = self.open_ticket()
        mails = self.take_mail()
        self.assertTrue(mails)
        for sent in mails:
            self.assertRegex(
                sent["Reply-To"], r"^soporte\+[0-9a-f]{32}-[a-z2-7]{16}@example\.com$"
            )
            self.assertEqual(sent["Auto-Submitted"], "auto-generated")
            self.assertEqual(sent["X-Auto-Response-Suppress"], "All")
            self.assertTrue(sent["Message-ID"].strip().startswith("<ticket."))
        self.assertIn(root_message_id(ticket), [m["Message-ID"].strip() for m in mails])

    def test_without_plus_addressing_the_reply_to_is_the_support_address(self):
        api.portal.set_registry_record(
            "plus_addressing", False, interface=ITicketSettings
        )
        self.open_ticket()
        self.assertEqual({m["Reply-To"] for m in self.take_mail()}, {SUPPORT})


class TestReplies(MailInTestCase):
    def test_a_customers_answer_joins_the_ticket_without_the_quote(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        quoted = (
            "Still jammed, and now it beeps.\n\n"
            "El mié, 25 nov 2026 a las 10:00, Helpdesk <helpdesk@example.com> "
            "escribió:\n> we have received your ticket\n> It jams.\n"
        )
        outcome = self.receive(
            mail(
                f"Carla Customer <{CUSTOMER_MAIL}>",
                to=notice["Reply-To"],
                text=quoted,
                in_reply_to=notice["Message-ID"],
            )
        )
        self.assertEqual(outcome.status, "added", outcome.reason)
        self.assertEqual(outcome.ticket, ticket)
        transaction.begin()
        last = tickets.conversation(ticket)[-1]
        self.assertEqual(last.author_id, CUSTOMER)
        self.assertIn("now it beeps", last.text)
        self.assertNotIn("escribió", last.text)
        self.assertNotIn("we have received", last.text)
        self.assertTrue(last.by_mail)
        # The same notifications as a reply on the web, never to its author.
        recipients = sorted(m["To"] for m in self.take_mail())
        self.assertEqual(recipients, sorted([STAFF_MAIL, CC_MAIL]))

    def test_the_sender_is_compared_case_insensitively_after_decoding(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(
            mail(
                "=?utf-8?q?Carla_Cust=C3=B3mer?= <Customer1@Example.COM>",
                to=notice["Reply-To"],
            )
        )
        self.assertEqual(outcome.status, "added", outcome.reason)
        self.assertEqual(len(self.texts(ticket)), 2)

    def test_matched_by_in_reply_to_when_the_address_has_no_code(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(
            mail(CUSTOMER_MAIL, to=SUPPORT, in_reply_to=notice["Message-ID"])
        )
        self.assertEqual(outcome.status, "added", outcome.reason)
        self.assertEqual(outcome.ticket, ticket)

    def test_a_cc_recipient_answers_and_everyone_else_hears_of_it(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CC_MAIL)
        outcome = self.receive(
            mail(
                f"The Boss <{CC_MAIL}>",
                to=notice["Reply-To"],
                text="Please fix it today.",
            )
        )
        self.assertEqual(outcome.status, "added", outcome.reason)
        transaction.begin()
        last = tickets.conversation(ticket)[-1]
        self.assertEqual(last.author_name, "The Boss")
        self.assertEqual(last.author_email, CC_MAIL)
        self.assertFalse(last.author_is_staff)
        recipients = sorted(m["To"] for m in self.take_mail())
        self.assertEqual(recipients, sorted([CUSTOMER_MAIL, STAFF_MAIL]))

    def test_staff_answer_by_mail_as_themselves(self):
        ticket = self.open_ticket()
        notice = self.notification_to(STAFF_MAIL)
        outcome = self.receive(
            mail(STAFF_MAIL, to=notice["Reply-To"], text="Try turning it off.")
        )
        self.assertEqual(outcome.status, "added", outcome.reason)
        transaction.begin()
        last = tickets.conversation(ticket)[-1]
        self.assertEqual(last.author_id, STAFF)
        self.assertTrue(last.author_is_staff)
        recipients = sorted(m["To"] for m in self.take_mail())
        self.assertEqual(recipients, sorted([CUSTOMER_MAIL, CC_MAIL]))

    def test_the_same_mail_delivered_twice_is_stored_once(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        raw = mail(CUSTOMER_MAIL, to=notice["Reply-To"])
        self.assertEqual(self.receive(raw).status, "added")
        self.take_mail()
        second = self.receive(raw)
        self.assertEqual(second.status, "ignored")
        self.assertEqual(second.ticket, ticket)
        self.assertEqual(len(self.texts(ticket)), 2)
        self.assertEqual(self.take_mail(), [])

    def test_attachments_follow_the_web_policy_and_the_text_says_what_was_left_out(
        self,
    ):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(
            mail(
                CUSTOMER_MAIL,
                to=notice["Reply-To"],
                files=[
                    ("invoice.pdf", PDF, "application", "pdf"),
                    (
                        "setup.exe",
                        b"MZ\x90\x00" + b"\x00" * 64,
                        "application",
                        "x-msdownload",
                    ),
                ],
            )
        )
        self.assertEqual(outcome.status, "added", outcome.reason)
        transaction.begin()
        last = tickets.conversation(ticket)[-1]
        self.assertEqual([a.filename for a in last.attachments], ["invoice.pdf"])
        self.assertIn("Not stored from this e-mail", last.text)
        self.assertIn("setup.exe", last.text)
        self.assertIn("still jammed", last.text)

    def test_an_inline_image_becomes_an_attachment_shown_in_the_message(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(
            mail(
                CUSTOMER_MAIL,
                to=notice["Reply-To"],
                html='<p>See:</p><p><img src="cid:shot1" alt="screen"></p>',
                inline=[("shot1", PNG)],
            )
        )
        self.assertEqual(outcome.status, "added", outcome.reason)
        transaction.begin()
        last = tickets.conversation(ticket)[-1]
        self.assertEqual([a.filename for a in last.attachments], ["shot1.png"])
        self.assertIn(f'src="{last.attachments[0].url}"', last.text)
        self.assertNotIn("cid:", last.text)
        status, _body = fetch(self.layer, CUSTOMER, last.attachments[0].url)
        self.assertEqual(status, 200)

    def test_html_goes_through_the_safe_html_filter(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        self.receive(
            mail(
                CUSTOMER_MAIL,
                to=notice["Reply-To"],
                html='<p onclick="steal()">Hello<script>steal()</script></p>',
            )
        )
        last = self.texts(ticket)[-1]
        self.assertIn("Hello", last)
        self.assertNotIn("script", last)
        self.assertNotIn("onclick", last)

    def test_staff_download_the_original_mail_and_nobody_else(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        raw = mail(CUSTOMER_MAIL, to=notice["Reply-To"], text="Original words.")
        outcome = self.receive(raw)
        url = outcome.message.absolute_url() + "/@@original-mail"
        status, body = fetch(self.layer, STAFF, url)
        self.assertEqual(status, 200)
        self.assertIn("Original words.", body)
        for userid in (CUSTOMER, OTHER_CUSTOMER, None):
            with self.subTest(userid=userid):
                status, body = fetch(self.layer, userid, url)
                self.assertNotEqual(status, 200)
                self.assertNotIn("Original words.", body)
        # Only staff are offered the link.
        _status, page = fetch(self.layer, STAFF, ticket.absolute_url())
        self.assertIn("@@original-mail", page)
        _status, page = fetch(self.layer, CUSTOMER, ticket.absolute_url())
        self.assertNotIn("@@original-mail", page)


class TestRefused(MailInTestCase):
    def assert_nothing_stored(self, ticket, outcome, replies=1):
        self.assertEqual(outcome.status, "refused", outcome.reason)
        self.assertEqual(len(self.texts(ticket)), replies)
        self.assertEqual(self.take_mail(), [])

    def test_mail_from_an_erased_customer_is_refused(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        with as_user(self.portal, STAFF):
            tickets.anonymise_customer(CUSTOMER)
        self.commit()
        # Neither a reply to the old notification nor a new ticket.
        outcome = self.receive(mail(CUSTOMER_MAIL, to=notice["Reply-To"]))
        self.assert_nothing_stored(ticket, outcome)
        self.assertIn("erased", outcome.reason)
        outcome = self.receive(mail(CUSTOMER_MAIL, subject="New problem"))
        self.assertEqual(outcome.status, "refused", outcome.reason)
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(len(catalog.unrestrictedSearchResults(Title="problem")), 0)

    def test_a_stranger_with_a_genuine_code_is_refused(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(mail("mallory@evil.example", to=notice["Reply-To"]))
        self.assert_nothing_stored(ticket, outcome)

    def test_another_customer_cannot_write_into_a_ticket(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(mail(OTHER_MAIL, to=notice["Reply-To"]))
        self.assert_nothing_stored(ticket, outcome)
        outcome = self.receive(
            mail(OTHER_MAIL, to=SUPPORT, in_reply_to=notice["Message-ID"])
        )
        self.assert_nothing_stored(ticket, outcome)

    def test_a_forged_code_is_refused_and_opens_no_ticket(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        local, domain = notice["Reply-To"].split("@")
        forged = local[:-1] + ("a" if local[-1] != "a" else "b") + "@" + domain
        outcome = self.receive(mail(CUSTOMER_MAIL, to=forged))
        self.assert_nothing_stored(ticket, outcome)
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 1)

    def test_a_code_of_another_ticket_names_that_ticket_only(self):
        ticket = self.open_ticket()
        with as_user(self.portal, OTHER_CUSTOMER):
            other = tickets.create("Other", "<p>Mine.</p>")
        self.commit()
        other_notice = self.notification_to(OTHER_MAIL)
        # The customer of the first ticket uses the second one's address.
        outcome = self.receive(mail(CUSTOMER_MAIL, to=other_notice["Reply-To"]))
        self.assert_nothing_stored(other, outcome)
        self.assertEqual(len(self.texts(ticket)), 1)

    def test_a_forged_message_id_is_refused(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        forged = notice["Message-ID"].replace("@", "x@", 1)
        outcome = self.receive(mail(CUSTOMER_MAIL, to=SUPPORT, in_reply_to=forged))
        self.assert_nothing_stored(ticket, outcome)
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 1)

    def test_an_answer_to_a_mail_from_before_the_ids_were_signed_is_new_mail(self):
        # Before the upgrade to 1003, a ticket's first mail had the Message-ID
        # <ticket.UID@domain>: it proves nothing, and answering it is no forgery.
        ticket = self.open_ticket()
        self.take_mail()
        old_id = f"<ticket.{ticket.UID()}@example.com>"
        outcome = self.receive(mail(CUSTOMER_MAIL, to=SUPPORT, in_reply_to=old_id))
        self.assertEqual(outcome.status, "created", outcome.reason)
        self.assertNotEqual(outcome.ticket, ticket)
        self.assertEqual(len(self.texts(ticket)), 1)

    def test_the_subject_alone_never_names_a_ticket(self):
        ticket = self.open_ticket()
        self.take_mail()
        outcome = self.receive(mail(CUSTOMER_MAIL, subject="Re: [Ticket] Printer jam"))
        self.assertEqual(outcome.status, "created")
        self.assertNotEqual(outcome.ticket, ticket)
        self.assertEqual(len(self.texts(ticket)), 1)

    def test_dmarc_failure_is_refused(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(
            mail(
                CUSTOMER_MAIL,
                to=notice["Reply-To"],
                headers=[
                    (
                        "Authentication-Results",
                        "mx.example.com; spf=fail smtp.mailfrom=example.com; "
                        "dmarc=fail (p=NONE) header.from=example.com",
                    )
                ],
            )
        )
        self.assert_nothing_stored(ticket, outcome)

    def test_a_closed_ticket_answers_once_and_stores_nothing(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
        self.commit()
        self.take_mail()
        outcome = self.receive(mail(CUSTOMER_MAIL, to=notice["Reply-To"]))
        self.assertEqual(outcome.status, "refused")
        self.assertEqual(len(self.texts(ticket)), 1)
        answers = self.take_mail()
        self.assertEqual([m["To"] for m in answers], [CUSTOMER_MAIL])
        self.assertEqual(answers[0]["Auto-Submitted"], "auto-replied")
        self.assertIn("@@new-ticket", answers[0].get_body(("plain",)).get_content())
        # A second mail within the hour (a robot that looks like a person)
        # gets no second answer: nothing can loop.
        self.receive(mail(CUSTOMER_MAIL, to=notice["Reply-To"]))
        self.assertEqual(self.take_mail(), [])


class TestRobots(MailInTestCase):
    ROBOT_HEADERS = (
        ("Auto-Submitted", "auto-replied"),
        ("X-Autoreply", "yes"),
        ("X-Autorespond", "yes"),
        ("Precedence", "bulk"),
        ("Precedence", "junk"),
        ("Precedence", "list"),
        ("X-Auto-Response-Suppress", "All"),
        ("List-Id", "<support.lists.example.org>"),
        ("Return-Path", "<>"),
    )

    def test_robots_are_dropped_silently(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        for header in self.ROBOT_HEADERS:
            with self.subTest(header=header):
                outcome = self.receive(
                    mail(CUSTOMER_MAIL, to=notice["Reply-To"], headers=[header])
                )
                self.assertEqual(outcome.status, "ignored", outcome.reason)
        outcome = self.receive(
            mail("MAILER-DAEMON@mx.example.org", to=notice["Reply-To"])
        )
        self.assertEqual(outcome.status, "ignored")
        self.assertEqual(len(self.texts(ticket)), 1)
        self.assertEqual(self.take_mail(), [])

    def test_auto_submitted_no_is_a_person(self):
        self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        outcome = self.receive(
            mail(
                CUSTOMER_MAIL, to=notice["Reply-To"], headers=[("Auto-Submitted", "no")]
            )
        )
        self.assertEqual(outcome.status, "added", outcome.reason)

    def test_our_own_notification_coming_back_is_dropped(self):
        ticket = self.open_ticket()
        notice = self.notification_to(CUSTOMER_MAIL)
        del notice["Auto-Submitted"]
        del notice["X-Auto-Response-Suppress"]
        outcome = self.receive(notice.as_bytes())
        self.assertEqual(outcome.status, "ignored")
        self.assertEqual(len(self.texts(ticket)), 1)


class TestNewTickets(MailInTestCase):
    def test_a_member_opens_a_ticket_by_mail_with_cc_and_files(self):
        outcome = self.receive(
            mail(
                f"Carla Customer <{CUSTOMER_MAIL}>",
                to=SUPPORT,
                cc=[CC_MAIL, "not an address", SUPPORT],
                subject="Fwd: Scanner broken",
                text="The scanner shows E42.",
                files=[("photo.pdf", PDF, "application", "pdf")],
            )
        )
        self.assertEqual(outcome.status, "created", outcome.reason)
        transaction.begin()
        ticket = outcome.ticket
        self.assertEqual(ticket.Title(), "Scanner broken")
        self.assertEqual(ticket.getOwner().getId(), CUSTOMER)
        self.assertEqual([row["email"] for row in ticket.cc_recipients], [CC_MAIL])
        first = tickets.conversation(ticket)[0]
        self.assertIn("E42", first.text)
        self.assertEqual([a.filename for a in first.attachments], ["photo.pdf"])
        # The customer's confirmation, and the staff's and the CC's notice.
        recipients = sorted(m["To"] for m in self.take_mail())
        self.assertEqual(recipients, sorted([CUSTOMER_MAIL, STAFF_MAIL, CC_MAIL]))

    def test_an_unknown_sender_is_refused_by_default_and_nothing_is_stored(self):
        outcome = self.receive(mail("stranger@example.net"))
        self.assertEqual(outcome.status, "refused")
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 0)
        self.assertIsNone(api.user.get(username="stranger"))
        self.assertEqual(self.take_mail(), [])

    def test_an_unknown_sender_gets_an_account_when_the_settings_allow(self):
        api.portal.set_registry_record(
            "unknown_senders_may_open", True, interface=ITicketSettings
        )
        outcome = self.receive(mail("Nuria Nueva <nuria@example.net>", subject="Hola"))
        self.assertEqual(outcome.status, "created", outcome.reason)
        transaction.begin()
        owner = outcome.ticket.getOwner().getId()
        self.assertEqual(
            api.user.get(userid=owner).getProperty("email"), "nuria@example.net"
        )

    def test_a_refused_new_ticket_leaves_no_account_behind(self):
        api.portal.set_registry_record(
            "unknown_senders_may_open", True, interface=ITicketSettings
        )
        refusal = tickets.TicketInputError("Too many tickets.")
        with mock.patch.object(receive, "create", side_effect=refusal):
            outcome = self.receive(mail("Nuria Nueva <nuria@example.net>"))
        self.assertEqual(outcome.status, "refused")
        self.assertIn("Too many tickets.", outcome.reason)
        transaction.begin()
        self.assertIsNone(api.user.get(username="nuria"))
        self.assertEqual(len(api.content.find(portal_type="Ticket")), 0)

    def test_not_a_message(self):
        for raw in (b"", b"hello world", b"\x00\x01\x02"):
            with self.subTest(raw=raw), self.assertRaises(tickets.NotAMessage):
                tickets.receive_mail(raw)
