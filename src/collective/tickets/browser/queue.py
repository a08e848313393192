"""What the staff's work queue needs besides its page: the customer picker's
search, the bulk actions, the CSV export and the personal menu entry."""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.core import desk
from collective.tickets.core.dates import localized
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import find_customers
from collective.tickets.core.queries import ticket_summary
from collective.tickets.core.queue import queue_brains
from collective.tickets.core.queue import QueueFilter
from collective.tickets.core.states import IN_PROGRESS
from collective.tickets.core.states import state_title
from datetime import date
from plone import api
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from urllib.parse import urlparse
from zExceptions import BadRequest
from zope.i18n import translate

import csv
import io
import json


class CustomerSearch(BrowserView):
    """``@@ticket-customer-search?q=carla``: up to 20 customers whose name or
    e-mail address holds the text, as JSON (staff only, by the view's
    permission)."""

    def __call__(self):
        people = find_customers(self.request.form.get("q", ""), limit=20)
        response = self.request.response
        response.setHeader("Content-Type", "application/json")
        response.setHeader("Cache-Control", "no-store")
        return json.dumps(people)


class BulkActions(BrowserView):
    """POST ``@@tickets-bulk``: one action on the tickets ticked in the
    overview, each done as its own button would (permission checks, history
    and one notification per ticket)."""

    def __call__(self):
        if self.request.method != "POST":
            raise BadRequest("Use the overview's form.")
        check_authenticator(self.request)
        action = self.request.form.get("bulk_action", "")
        apply = self.action(action)
        uids = self.request.form.get("uids") or []
        if isinstance(uids, str):
            uids = [uids]
        done, failed = 0, []
        for uid in uids:
            ticket = api.content.get(UID=uid)
            if ticket is None or ticket.portal_type != "Ticket":
                continue
            try:
                apply(ticket)
            except (TicketInputError, TicketStateError) as error:
                failed.append(
                    translate(
                        _(
                            "msg_bulk_failed_one",
                            default="${number} ${title}: ${error}",
                            mapping={
                                "number": number_label(ticket.ticket_number),
                                "title": ticket.Title(),
                                "error": translate(error.message, context=self.request),
                            },
                        ),
                        context=self.request,
                    )
                )
            except Unauthorized:
                failed.append(
                    translate(
                        _(
                            "msg_bulk_refused_one",
                            default="${number} ${title}: you may not do this.",
                            mapping={
                                "number": number_label(ticket.ticket_number),
                                "title": ticket.Title(),
                            },
                        ),
                        context=self.request,
                    )
                )
            else:
                done += 1
        if not uids:
            api.portal.show_message(
                _("msg_bulk_none", default="Tick the tickets to change first."),
                request=self.request,
                type="warning",
            )
        else:
            api.portal.show_message(
                _(
                    "msg_bulk_done",
                    default="${count} tickets changed.",
                    mapping={"count": done},
                ),
                request=self.request,
            )
        for message in failed:
            api.portal.show_message(message, request=self.request, type="error")
        self.request.response.redirect(self.came_from())
        return ""

    def action(self, value):
        kind, _sep, argument = value.partition(":")
        if kind == "assign":
            userid = current_userid() if argument == "me" else argument or None
            return lambda ticket: tickets.assign(ticket, userid)
        if kind == "priority" and argument in desk.PRIORITIES:
            return lambda ticket: tickets.set_priority(ticket, argument)
        if kind == "close":
            return tickets.close
        raise BadRequest(f"Unknown action {value!r}.")

    def came_from(self):
        """Back to the same view of the queue, never to another site."""
        overview = api.portal.get().absolute_url() + "/@@tickets"
        came_from = self.request.form.get("came_from") or ""
        target = urlparse(came_from)
        if came_from.startswith(overview) and not target.fragment:
            return came_from
        return overview


def safe_cell(value):
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class Export(BrowserView):
    """``@@tickets-export?<the overview's filter>``: the tickets the filter
    finds, as CSV in UTF-8 with a BOM, so that Excel reads accents right."""

    COLUMNS = (
        _("label_number", default="Number"),
        _("label_subject", default="Subject"),
        _("label_customer", default="Customer"),
        _("label_state", default="State"),
        _("label_assignee", default="Assigned to"),
        _("label_priority", default="Priority"),
        _("label_category", default="Category"),
        _("label_opened", default="Opened"),
        _("label_last_activity", default="Last activity"),
    )

    def __call__(self):
        queue_filter = QueueFilter.from_form(self.request.form)
        assignees = desk.tokens_of_staff()
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(
            [translate(column, context=self.request) for column in self.COLUMNS]
        )
        for brain in queue_brains(queue_filter):
            ticket = ticket_summary(brain)
            assignee = assignees.get(ticket.assignee_token)
            priority = desk.PRIORITIES[ticket.priority_rank]
            writer.writerow(
                safe_cell(value)
                for value in (
                    ticket.number,
                    ticket.title,
                    ticket.customer_name,
                    translate(state_title(ticket.state), context=self.request),
                    display_name(assignee) if assignee else "",
                    translate(desk.priority_title(priority), context=self.request),
                    desk.category_title(ticket.category),
                    localized(ticket.created),
                    localized(ticket.last_activity),
                )
            )
        response = self.request.response
        response.setHeader("Content-Type", "text/csv; charset=utf-8")
        response.setHeader(
            "Content-Disposition",
            f'attachment; filename="tickets-{date.today().isoformat()}.csv"',
        )
        response.setHeader("Cache-Control", "no-store")
        return out.getvalue().encode("utf-8")


class StaffMenuTitle(BrowserView):
    """The staff's personal menu entry: "Tickets (3)" while three tickets
    wait for the staff's answer."""

    def __call__(self):
        catalog = api.portal.get_tool("portal_catalog")
        count = len(
            catalog(
                portal_type="Ticket",
                review_state=IN_PROGRESS,
                ticket_awaiting_staff=True,
            )
        )
        if count:
            message = _(
                "menu_tickets_count",
                default="Tickets (${count})",
                mapping={"count": count},
            )
        else:
            message = _("menu_tickets", default="Tickets")
        return translate(message, context=self.request)
