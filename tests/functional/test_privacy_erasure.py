"""Erasure on request (issue 18): a ticket, or all of a customer's tickets,
anonymised by the staff; the names and addresses gone from every text, the
customer's access gone, the history saying who did it."""

from AccessControl import Unauthorized
from collective.tickets import api as tickets
from collective.tickets.content.ticket import customer_of
from collective.tickets.core import history
from collective.tickets.core.people import display_name
from collective.tickets.core.people import SYSTEM_USERID
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import MANAGER
from collective.tickets.testing import OTHER_CUSTOMER
from collective.tickets.testing import STAFF
from helpers import as_user
from helpers import browser_for
from helpers import fetch
from helpers import PDF
from helpers import set_setting
from plone import api
from plone.namedfile.file import NamedBlobFile

import transaction
import unittest


class ErasureTestCase(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        with as_user(self.portal, CUSTOMER):
            self.ticket = tickets.create(
                "Invoice for Carla Customer",
                "<p>Send it to customer1@example.com or to The Boss.</p>",
                cc=[{"email": "boss@example.com", "name": "The Boss"}],
                attachments=[("invoice.pdf", PDF, "application/pdf")],
            )
            self.second = tickets.create("Printer", "<p>It jams.</p>")
        with as_user(self.portal, STAFF):
            self.reply = tickets.reply(self.ticket, "<p>Dear Carla CUSTOMER, done.</p>")
            tickets.add_note(self.ticket, "<p>Carla Customer called twice.</p>")
        self.reply.original_mail = NamedBlobFile(
            data=b"From: Carla Customer <customer1@example.com>\r\n\r\nhi",
            contentType="message/rfc822",
            filename="original.eml",
        )
        with as_user(self.portal, OTHER_CUSTOMER):
            self.other = tickets.create("Scanner", "<p>Otto Other here.</p>")
        transaction.commit()
        self.url = self.ticket.absolute_url()

    def tickets_titled(self, *titles):
        catalog = api.portal.get_tool("portal_catalog")
        return [
            brain._unrestrictedGetObject()
            for title in titles
            for brain in catalog.unrestrictedSearchResults(
                portal_type="Ticket", Title=title
            )
        ]

    def all_text(self, ticket):
        texts = [ticket.title, repr(ticket.cc_recipients)]
        for obj in [ticket, *ticket.objectValues()]:
            texts.append(obj.text.raw if obj.text else "")
        return "\n".join(texts)


class TestAnonymiseTicket(ErasureTestCase):
    def test_the_people_are_cut_out_of_the_ticket(self):
        with as_user(self.portal, STAFF):
            ticket = tickets.anonymise_ticket(self.ticket)
        transaction.commit()
        text = self.all_text(ticket)
        for gone in ("Carla", "customer1@example.com", "The Boss", "boss@example.com"):
            self.assertNotIn(gone.lower(), text.lower())
        self.assertIn("Send it to […] or to […].", text)
        self.assertEqual(ticket.cc_recipients, [])
        customer = customer_of(ticket)
        self.assertTrue(customer.startswith("anonymised-"))
        self.assertNotEqual(customer, CUSTOMER)
        self.assertEqual(ticket.creators, (customer,))
        self.assertIsNone(getattr(self.reply, "original_mail", None))
        # The files are kept unless asked otherwise.
        self.assertEqual([a.filename for a in ticket.attachments], ["invoice.pdf"])
        with as_user(self.portal, STAFF):
            changes = tickets.history(ticket)
        self.assertEqual(
            (changes[-1].field, changes[-1].actor), (history.ANONYMISED, STAFF)
        )
        # The other ticket of the same customer is theirs still.
        self.assertEqual(customer_of(self.second), CUSTOMER)

    def test_the_customer_no_longer_sees_it_the_staff_do(self):
        with as_user(self.portal, STAFF):
            ticket = tickets.anonymise_ticket(self.ticket)
        transaction.commit()
        new_url = ticket.absolute_url()
        self.assertNotIn(CUSTOMER, new_url)
        # The old address leads nowhere (no redirect naming the customer).
        for url in (self.url, new_url):
            status, body = fetch(self.layer, CUSTOMER, url)
            self.assertIn(status, (302, 401, 403, 404), url)
            self.assertNotIn("Send it to", body)
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal.absolute_url() + "/@@my-tickets")
        self.assertIn("Printer", browser.contents)
        self.assertNotIn(self.url, browser.contents)
        status, _body = fetch(self.layer, STAFF, self.url)
        self.assertEqual(status, 404)
        staff = browser_for(self.layer, STAFF)
        staff.open(new_url)
        self.assertIn("Anonymised customer", staff.contents)
        self.assertIn("anonymised the ticket", staff.contents)
        self.assertNotIn("Carla", staff.contents)

    def test_what_the_customer_did_is_the_pseudonyms_in_both_histories(self):
        with as_user(self.portal, CUSTOMER):
            tickets.close(self.ticket)
        with as_user(self.portal, STAFF):
            tickets.reopen(self.ticket)
            ticket = tickets.anonymise_ticket(self.ticket)
        transaction.commit()
        pseudonym = customer_of(ticket)
        with as_user(self.portal, STAFF):
            actors = [change.actor for change in tickets.history(ticket)]
        self.assertNotIn(CUSTOMER, actors)
        self.assertIn(pseudonym, actors)
        self.assertIn(STAFF, actors)
        workflow_actors = {
            entry.get("actor")
            for obj in (ticket, *ticket.objectValues())
            for entries in getattr(obj, "workflow_history", {}).values()
            for entry in entries
        }
        self.assertNotIn(CUSTOMER, workflow_actors)
        self.assertIn(pseudonym, workflow_actors)
        staff = browser_for(self.layer, STAFF)
        staff.open(ticket.absolute_url())
        self.assertNotIn(CUSTOMER, staff.contents)

    def test_no_address_of_the_member_folder_leads_to_the_ticket(self):
        from plone.app.redirector.interfaces import IRedirectionStorage
        from zope.component import getUtility

        reply_url = self.reply.absolute_url()
        with as_user(self.portal, STAFF):
            ticket = tickets.anonymise_ticket(self.ticket)
        transaction.commit()
        storage = getUtility(IRedirectionStorage)
        folder = "/".join(self.portal.getPhysicalPath()) + f"/Members/{CUSTOMER}/"
        self.assertEqual([path for path in storage if path.startswith(folder)], [])
        for obj in (ticket, *ticket.objectValues()):
            self.assertEqual(storage.redirects("/".join(obj.getPhysicalPath())), [])
        for url in (self.url, reply_url):
            status, _body = fetch(self.layer, STAFF, url)
            self.assertEqual(status, 404, url)

    def test_a_user_id_that_looks_like_a_pseudonym_is_a_customer_like_any(self):
        userid = "anonymised-real"
        with as_user(self.portal, MANAGER):
            api.user.create(
                email="real@example.com",
                username=userid,
                properties={"fullname": "Rita Real"},
            )
        with as_user(self.portal, userid):
            ticket = tickets.create("Modem", "<p>Rita Real here.</p>")
        transaction.commit()
        self.assertEqual(display_name(userid), "Rita Real")
        staff = browser_for(self.layer, STAFF)
        staff.open(ticket.absolute_url())
        self.assertIn("Rita Real", staff.contents)
        self.assertNotIn("Anonymised customer", staff.contents)
        with as_user(self.portal, STAFF):
            self.assertEqual(tickets.anonymise_customer(userid), 1)
        transaction.commit()
        (moved,) = self.tickets_titled("Modem")
        self.assertNotEqual(customer_of(moved), userid)
        self.assertNotIn("Rita", moved.text.raw)
        self.assertEqual(display_name(customer_of(moved)), "Anonymised customer")

    def test_nothing_left_names_the_customer(self):
        from collective.tickets.core import satisfaction

        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create(
                "Refund for Carla Customer, customer1@example.com",
                "<p>Tell gone@example.com too.</p>",
                attachments=[("Carla Customer passport.pdf", PDF, "application/pdf")],
            )
        # A CC recipient told of the ticket and removed since.
        ticket.cc_introduced = ("gone@example.com",)
        transaction.commit()
        staff = browser_for(self.layer, STAFF)
        staff.open(ticket.absolute_url() + "/@@attachment/0/passport.pdf")
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
        transaction.commit()
        token = satisfaction.make_token(ticket)
        with as_user(self.portal, STAFF):
            ticket = tickets.anonymise_ticket(ticket)
        transaction.commit()
        # Its address was made from the subject: a neutral one now.
        self.assertEqual(ticket.getId(), f"ticket-{ticket.ticket_number}")
        with as_user(self.portal, MANAGER):
            details = [entry.detail for entry in tickets.access_record(ticket)]
        self.assertEqual(details, [f"{ticket.getId()}/0/[…] passport.pdf"])
        self.assertEqual(ticket.attachments[0].filename, "[…] passport.pdf")
        self.assertNotIn("gone@example.com", ticket.text.raw)
        self.assertIsNone(getattr(ticket, "cc_introduced", None))
        for text in (ticket.absolute_url(), ticket.title, repr(details)):
            self.assertNotIn("carla", text.lower())
            self.assertNotIn("customer1", text.lower())
        # The rating link of the closing mail no longer reaches it.
        with self.assertRaises(satisfaction.InvalidToken):
            satisfaction.rate_with_token(token, 1, "Carla Customer was here")

    def test_the_files_kept_can_be_deleted_later(self):
        with as_user(self.portal, STAFF):
            ticket = tickets.anonymise_ticket(self.ticket)
            self.assertEqual(len(ticket.attachments), 1)
            ticket = tickets.anonymise_ticket(ticket, remove_attachments=True)
        self.assertEqual(list(ticket.attachments), [])

    def test_files_go_too_when_asked(self):
        with as_user(self.portal, STAFF):
            ticket = tickets.anonymise_ticket(self.ticket, remove_attachments=True)
        self.assertEqual(list(ticket.attachments), [])

    def test_only_the_staff_may_anonymise(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER):
            with as_user(self.portal, userid), self.assertRaises(Unauthorized):
                tickets.anonymise_ticket(self.ticket)
            with as_user(self.portal, userid), self.assertRaises(Unauthorized):
                tickets.anonymise_customer(CUSTOMER)
        transaction.begin()
        self.assertIn("Carla", self.all_text(self.ticket))


class TestAnonymiseCustomer(ErasureTestCase):
    def test_every_ticket_of_the_customer_under_one_pseudonym(self):
        with as_user(self.portal, STAFF):
            count = tickets.anonymise_customer(CUSTOMER)
        transaction.commit()
        self.assertEqual(count, 2)
        owners = {customer_of(self.ticket), customer_of(self.second)}
        self.assertEqual(len(owners), 1)
        self.assertTrue(owners.pop().startswith("anonymised-"))
        self.assertEqual(customer_of(self.other), OTHER_CUSTOMER)
        self.assertIn("Otto Other", self.other.text.raw)
        catalog = api.portal.get_tool("portal_catalog")
        self.assertEqual(
            len(catalog.unrestrictedSearchResults(ticket_customer=CUSTOMER)), 0
        )
        self.assertTrue(tickets.is_erased_address("Customer1@Example.com"))
        self.assertFalse(tickets.is_erased_address("customer2@example.com"))
        # Asked again, nothing is left to do.
        with as_user(self.portal, STAFF):
            self.assertEqual(tickets.anonymise_customer(CUSTOMER), 0)


class TestErasureScreens(ErasureTestCase):
    def test_the_staff_anonymise_a_ticket_after_confirming(self):
        browser = browser_for(self.layer, STAFF)
        browser.open(self.url)
        browser.getLink("Anonymise this ticket…").click()
        self.assertIn("This cannot be undone.", browser.contents)
        browser.getControl("Cancel").click()
        self.assertEqual(browser.url, self.url)
        transaction.begin()
        self.assertEqual(customer_of(self.ticket), CUSTOMER)
        browser.getLink("Anonymise this ticket…").click()
        browser.getControl("Delete the attachments too").selected = True
        browser.getControl("Anonymise").click()
        self.assertIn("The ticket was anonymised.", browser.contents)
        self.assertIn("Anonymised customer", browser.contents)
        self.assertNotIn("invoice.pdf", browser.contents)
        transaction.begin()
        self.assertTrue(customer_of(self.ticket).startswith("anonymised-"))

    def test_the_staff_anonymise_a_customer_from_their_tab(self):
        browser = browser_for(self.layer, STAFF)
        browser.open(
            f"{self.portal.absolute_url()}/@@customer-tickets?userid={CUSTOMER}"
        )
        browser.getLink("Anonymise all their tickets…").click()
        self.assertIn("Anonymise every ticket of Carla Customer", browser.contents)
        self.assertIn("Mail from their address is refused", browser.contents)
        browser.getControl("Anonymise").click()
        self.assertIn("2 tickets were anonymised.", browser.contents)
        self.assertIn(f"userid={CUSTOMER}", browser.url)
        transaction.begin()
        self.assertTrue(tickets.is_erased_address("customer1@example.com"))

    def test_without_a_customer_the_form_says_so_and_does_nothing(self):
        browser = browser_for(self.layer, STAFF)
        browser.open(f"{self.portal.absolute_url()}/@@anonymise-customer")
        self.assertIn("No customer was given", browser.contents)
        browser.getControl("Anonymise").click()
        self.assertIn("No customer was given", browser.contents)
        self.assertNotIn("tickets were anonymised", browser.contents)
        transaction.begin()
        self.assertEqual(customer_of(self.ticket), CUSTOMER)

    def test_nobody_else_reaches_the_forms(self):
        for userid in (CUSTOMER, OTHER_CUSTOMER, None):
            for url in (
                self.url + "/@@anonymise",
                f"{self.portal.absolute_url()}/@@anonymise-customer?userid={CUSTOMER}",
            ):
                status, body = fetch(self.layer, userid, url)
                self.assertIn(status, (302, 401, 403), (userid, url))
                self.assertNotIn("This cannot be undone.", body)
        customer = browser_for(self.layer, CUSTOMER)
        customer.open(self.url)
        self.assertNotIn("@@anonymise", customer.contents)


class TestDeletedMember(ErasureTestCase):
    def delete_in_user_management(self, userid):
        browser = browser_for(self.layer, MANAGER)
        browser.open(self.portal.absolute_url() + "/@@usergroup-userprefs")
        browser.getControl(name="form.button.FindAll").click()
        browser.getControl(name="delete:list").value = [userid]
        browser.getControl(name="form.button.Modify").click()
        self.assertIn("Changes applied.", browser.contents)

    def test_deleting_a_member_in_user_management_anonymises_their_tickets(self):
        self.delete_in_user_management(CUSTOMER)
        transaction.begin()
        self.assertIsNone(api.user.get(userid=CUSTOMER))
        kept = self.tickets_titled("Invoice", "Printer")
        self.assertEqual(len(kept), 2)
        owners = {customer_of(ticket) for ticket in kept}
        self.assertEqual(len(owners), 1)
        self.assertTrue(owners.pop().startswith("anonymised-"))
        for ticket in kept:
            self.assertNotIn(f"/{CUSTOMER}/", ticket.absolute_url())
        self.assertNotIn("Carla", self.all_text(kept[0]) + self.all_text(kept[1]))
        self.assertTrue(tickets.is_erased_address("customer1@example.com"))
        self.assertEqual(customer_of(self.other), OTHER_CUSTOMER)

    def test_tickets_outlive_the_member_folder_deleted_with_the_member(self):
        # plone.api (CMF's deleteMembers) deletes the member folder too.
        with as_user(self.portal, MANAGER):
            api.user.delete(username=CUSTOMER)
        transaction.commit()
        self.assertIsNone(self.portal.Members.get(CUSTOMER))
        self.assertEqual(len(self.tickets_titled("Invoice", "Printer")), 2)

    def test_with_the_delete_setting_the_tickets_go_with_the_member(self):
        set_setting("on_member_deleted", "delete")
        transaction.commit()
        self.delete_in_user_management(CUSTOMER)
        transaction.begin()
        self.assertEqual(self.tickets_titled("Invoice", "Printer"), [])
        self.assertTrue(tickets.is_erased_address("customer1@example.com"))
        self.assertEqual(len(self.tickets_titled("Scanner")), 1)

    def test_files_held_for_their_forms_go_with_the_member(self):
        from collective.tickets.core import uploads

        token, failures = uploads.hold(
            CUSTOMER, None, [("Carla-ID.pdf", PDF, "application/pdf")]
        )
        self.assertEqual(failures, [])
        transaction.commit()
        with as_user(self.portal, MANAGER):
            api.user.delete(username=CUSTOMER)
        transaction.commit()
        self.assertEqual(uploads.held_files(CUSTOMER, token), [])
        self.assertEqual(uploads.held_count(CUSTOMER), 0)

    def test_erased_addresses_are_kept_as_keyed_digests(self):
        import hashlib

        with as_user(self.portal, STAFF):
            tickets.anonymise_customer(CUSTOMER)
        transaction.commit()
        from collective.tickets.core.privacy.erasure import ERASED_KEY
        from zope.annotation.interfaces import IAnnotations

        kept = set(IAnnotations(self.portal)[ERASED_KEY])
        plain = hashlib.sha256(b"customer1@example.com").hexdigest()
        self.assertEqual(len(kept), 1)
        self.assertNotIn(plain, kept)
        self.assertTrue(tickets.is_erased_address("customer1@example.com"))

    def test_a_member_without_tickets_is_deleted_as_before(self):
        from collective.tickets.testing import CC_MEMBER

        with as_user(self.portal, MANAGER):
            api.user.delete(username=CC_MEMBER)
        transaction.commit()
        self.assertFalse(tickets.is_erased_address("ccmember1@example.com"))


class TestRetention(ErasureTestCase):
    def run_job(self, now):
        from collective.tickets.core.cron import run_periodic

        report = run_periodic(now=now)
        transaction.commit()
        return report

    def close(self, ticket):
        with as_user(self.portal, STAFF):
            tickets.close(ticket)
        transaction.commit()

    def test_off_by_default(self):
        from datetime import datetime
        from datetime import timedelta
        from datetime import UTC

        self.close(self.second)
        report = self.run_job(datetime.now(UTC) + timedelta(days=3650))
        self.assertEqual(report.counts["past_retention"], 0)
        self.assertEqual(customer_of(self.second), CUSTOMER)

    def test_completed_tickets_past_the_period_are_anonymised_or_deleted(self):
        from datetime import datetime
        from datetime import timedelta
        from datetime import UTC

        set_setting("retention_months", 6)
        self.close(self.second)
        now = datetime.now(UTC)
        # Five months on: kept as they are.
        self.assertEqual(
            self.run_job(now + timedelta(days=150)).counts["past_retention"], 0
        )
        self.assertEqual(customer_of(self.second), CUSTOMER)
        # Seven months on: the completed ticket is anonymised, the open one not.
        report = self.run_job(now + timedelta(days=213))
        self.assertEqual(report.counts["past_retention"], 1)
        transaction.begin()
        (second,) = self.tickets_titled("Printer")
        self.assertTrue(customer_of(second).startswith("anonymised-"))
        self.assertEqual(customer_of(self.ticket), CUSTOMER)
        with as_user(self.portal, STAFF):
            self.assertEqual(tickets.history(second)[-1].actor, SYSTEM_USERID)
        # Run again: nothing left to do.
        self.assertEqual(
            self.run_job(now + timedelta(days=214)).counts["past_retention"], 0
        )
        # With "delete", a ticket completed since goes altogether.
        set_setting("retention_action", "delete")
        transaction.commit()
        self.close(self.ticket)
        report = self.run_job(now + timedelta(days=400))
        self.assertEqual(report.counts["past_retention"], 2)
        transaction.begin()
        self.assertEqual(self.tickets_titled("Invoice", "Printer"), [])

    def test_a_ticket_that_fails_is_left_for_the_next_run(self):
        from collective.tickets.core.privacy import erasure
        from datetime import datetime
        from datetime import timedelta
        from datetime import UTC
        from unittest import mock

        set_setting("retention_months", 6)
        for ticket in (self.ticket, self.second, self.other):
            self.close(ticket)
        later = datetime.now(UTC) + timedelta(days=213)
        real = erasure._anonymise

        def failing(ticket, pseudonym, remove):
            if ticket.title == "Printer":
                raise RuntimeError("broken ticket")
            return real(ticket, pseudonym, remove)

        with mock.patch.object(erasure, "_anonymise", failing):
            report = self.run_job(later)
        self.assertEqual(report.counts["past_retention"], 2)
        self.assertEqual(len(report.errors), 1)
        self.assertIn("broken ticket", report.errors[0])
        transaction.begin()
        (invoice,) = self.tickets_titled("Invoice")
        (scanner,) = self.tickets_titled("Scanner")
        # Committed, each customer under one pseudonym of their own.
        self.assertTrue(erasure.is_anonymised(invoice))
        self.assertTrue(erasure.is_anonymised(scanner))
        self.assertNotEqual(customer_of(invoice), customer_of(scanner))
        self.assertEqual(customer_of(self.second), CUSTOMER)
        # The next run does the one left, and reads no ticket done before.
        with mock.patch.object(erasure, "_anonymise", wraps=real) as anonymise:
            report = self.run_job(later)
        self.assertEqual(report.counts["past_retention"], 1)
        self.assertEqual(report.errors, [])
        self.assertEqual(anonymise.call_count, 1)
        transaction.begin()
        (printer,) = self.tickets_titled("Printer")
        self.assertTrue(erasure.is_anonymised(printer))

    def test_a_customers_tickets_stay_together_in_one_run(self):
        from datetime import datetime
        from datetime import timedelta
        from datetime import UTC

        set_setting("retention_months", 6)
        self.close(self.ticket)
        self.close(self.second)
        report = self.run_job(datetime.now(UTC) + timedelta(days=213))
        self.assertEqual(report.counts["past_retention"], 2)
        transaction.begin()
        (invoice,) = self.tickets_titled("Invoice")
        (printer,) = self.tickets_titled("Printer")
        self.assertEqual(customer_of(invoice), customer_of(printer))

    def test_the_mailbox_is_read_even_when_the_job_fails(self):
        from collective.tickets.core import cron
        from unittest import mock

        set_setting("imap_host", "imap.example.org")
        transaction.commit()
        fetch_mail = mock.Mock()
        with (
            mock.patch.object(
                cron, "apply_retention", side_effect=RuntimeError("no catalog")
            ),
            self.assertRaises(RuntimeError),
        ):
            cron.run_periodic(fetch=fetch_mail)
        fetch_mail.assert_called_once_with()
