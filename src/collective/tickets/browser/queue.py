"""What the staff's work queue needs besides its page: the customer picker's
search, the bulk actions and the CSV export."""

from AccessControl import Unauthorized
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.overview import resolve_customer
from collective.tickets.core import desk
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import find_customers
from collective.tickets.core.queries import ticket_summary
from collective.tickets.core.queue import queue_brains
from collective.tickets.core.queue import QueueFilter
from collective.tickets.core.states import state_title
from DateTime import DateTime
from datetime import date
from plone import api
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
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

    # More lines than this would not fit in the status message cookie.
    MAX_ERRORS = 10

    def __call__(self):
        if self.request.method != "POST":
            raise BadRequest("Use the overview's form.")
        check_authenticator(self.request)
        uids = self.request.form.get("uids") or []
        if isinstance(uids, str):
            uids = [uids]
        apply = self.action(self.request.form.get("bulk_action", ""))
        if apply is None:
            self.tell(
                _(
                    "msg_bulk_no_action",
                    default="Choose what to do with the selected tickets.",
                ),
                "warning",
            )
        elif not uids:
            self.tell(
                _("msg_bulk_none", default="Tick the tickets to change first."),
                "warning",
            )
        else:
            self.apply(apply, list(dict.fromkeys(uids)))
        self.request.response.redirect(self.came_from())
        return ""

    def apply(self, apply, uids):
        done, failed = 0, []
        for uid in uids:
            ticket = self.ticket(uid)
            if ticket is None:
                failed.append(
                    _(
                        "msg_bulk_gone",
                        default="A selected ticket no longer exists, or you may "
                        "not see it.",
                    )
                )
                continue
            try:
                apply(ticket)
            except (TicketInputError, TicketStateError) as error:
                failed.append(self.failure(ticket, error.message))
            except Unauthorized:
                failed.append(
                    self.failure(
                        ticket, _("msg_bulk_refused", default="you may not do this.")
                    )
                )
            else:
                done += 1
        self.tell(
            _(
                "msg_bulk_done",
                default="${count} tickets changed.",
                mapping={"count": done},
            )
        )
        for message in failed[: self.MAX_ERRORS]:
            self.tell(message, "error")
        if len(failed) > self.MAX_ERRORS:
            self.tell(
                _(
                    "msg_bulk_more_failed",
                    default="${count} more tickets could not be changed.",
                    mapping={"count": len(failed) - self.MAX_ERRORS},
                ),
                "error",
            )

    def ticket(self, uid):
        try:
            ticket = api.content.get(UID=uid)
        except Unauthorized:
            return None
        return ticket if getattr(ticket, "portal_type", None) == "Ticket" else None

    def failure(self, ticket, error):
        return _(
            "msg_bulk_failed_one",
            default="${number} ${title}: ${error}",
            mapping={
                "number": number_label(getattr(ticket, "ticket_number", None)),
                "title": ticket.Title(),
                "error": translate(error, context=self.request),
            },
        )

    def tell(self, message, kind="info"):
        api.portal.show_message(message, request=self.request, type=kind)

    def action(self, value):
        """What ``value`` of the action menu does to one ticket, or None."""
        if not isinstance(value, str):
            return None
        kind, _sep, argument = value.partition(":")
        if kind == "assign":
            userid = current_userid() if argument == "me" else argument or None
            return lambda ticket: tickets.assign(ticket, userid)
        if kind == "priority" and argument in desk.PRIORITIES:
            return lambda ticket: tickets.set_priority(ticket, argument)
        if value == "close":
            return tickets.close
        return None

    def came_from(self):
        """Back to the same view of the queue, never anywhere else."""
        overview = api.portal.get().absolute_url() + "/@@tickets"
        came_from = self.request.form.get("came_from") or ""
        if came_from == overview or (
            came_from.startswith(overview + "?") and "#" not in came_from
        ):
            return came_from
        return overview


def sortable_date(value):
    """``2026-12-04 19:26``, in the time zone the pages show: a spreadsheet
    reads it as a date and sorts it, whatever its language."""
    return DateTime(value).strftime("%Y-%m-%d %H:%M") if value else ""


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
        # A name typed into the overview's customer box, as the page reads it.
        problem = resolve_customer(queue_filter)
        assignees = desk.tokens_of_staff()
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(
            [translate(column, context=self.request) for column in self.COLUMNS]
        )
        for brain in [] if problem else queue_brains(queue_filter):
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
                    sortable_date(ticket.created),
                    sortable_date(ticket.last_activity),
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
