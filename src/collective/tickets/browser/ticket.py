"""The ticket page: the conversation, the reply form, closing and reopening."""

from Acquisition import aq_inner
from Acquisition import aq_parent
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.base import CompactFormMixin
from collective.tickets.browser.base import FormViewlet
from collective.tickets.browser.base import MessageFormMixin
from collective.tickets.browser.desk import change_line
from collective.tickets.browser.navigation import hide_portlet_columns
from collective.tickets.browser.navigation import tickets_home
from collective.tickets.browser.rating import score_choices
from collective.tickets.content.reply import ITicketReply
from collective.tickets.content.ticket import customer_of
from collective.tickets.core import canned
from collective.tickets.core import satisfaction
from collective.tickets.core.dates import localized
from collective.tickets.core.desk import category_title
from collective.tickets.core.desk import priority_badge
from collective.tickets.core.desk import priority_title
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.history import visible_history
from collective.tickets.core.numbers import number_label
from collective.tickets.core.people import current_userid
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.privacy import access
from collective.tickets.core.states import state_badge
from collective.tickets.core.states import state_title
from functools import cached_property
from plone import api
from plone.app.textfield.value import RichTextValue
from plone.autoform.form import AutoExtensibleForm
from plone.dexterity.browser.add import DefaultAddView
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser import BrowserView
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from z3c.form import button
from z3c.form import form
from zExceptions import BadRequest


class TicketView(BrowserView):
    def __call__(self):
        hide_portlet_columns(self.request)
        # The staff's reading goes into the ticket's record of access.
        access.record_access(self.context, access.PAGE, staff=self.is_staff)
        self.messages = tickets.conversation(self.context, with_notes=True)
        return self.index()

    def may_see_access(self):
        return access.may_see_access(self.context)

    def timeline(self):
        """The messages and, in their place in time, a line for each change
        the reader may see (customers: the state changes only). What each
        entry shows is prepared here, once: a Python expression in the
        template costs more per message than the message itself."""
        staff = self.is_staff
        entries = []
        for message in self.messages:
            entries.append(
                {
                    "message": message,
                    "date": message.date,
                    "css": (
                        "card mb-3 ticket-message ticket-note border-warning"
                        if message.is_note
                        else "card mb-3 ticket-message"
                    ),
                    "original_mail_url": (
                        f"{message.obj.absolute_url()}/@@original-mail"
                        if message.by_mail and staff
                        else None
                    ),
                }
            )
        for change in visible_history(self.context):
            entries.append(
                {
                    "message": None,
                    "date": change.date,
                    "line": change_line(change, self.request),
                    "field": change.field,
                }
            )
        # Stable: a message and a change of the same second keep their order.
        entries.sort(key=lambda entry: entry["date"])
        for entry in entries:
            entry["date_label"] = localized(entry["date"])
            entry["date_iso"] = entry["date"].isoformat()
        return entries

    def number(self):
        return number_label(tickets.number(self.context))

    def priority(self):
        value = tickets.priority(self.context)
        return {"title": priority_title(value), "badge": priority_badge(value)}

    def category(self):
        return category_title(tickets.category(self.context))

    def assignee_name(self):
        """The assignee's name, for the staff only ("" for anyone else)."""
        if not self.is_staff:
            return ""
        userid = tickets.assignee(self.context)
        return display_name(userid) if userid else ""

    @cached_property
    def state(self):
        return tickets.state(self.context)

    @cached_property
    def rating(self):
        """The ticket's rating, for its customer and the staff (None for
        anyone else, and while it is not rated)."""
        ticket = self.context
        if self.is_staff or current_userid() == customer_of(ticket):
            return satisfaction.rating(ticket)
        return None

    def can_rate(self):
        """The customer may rate (or change their rating) now."""
        ticket = self.context
        return current_userid() == customer_of(ticket) and satisfaction.may_rate_now(
            ticket
        )

    def rating_choices(self):
        return score_choices(self.rating.score if self.rating else 0)

    def state_title(self):
        return state_title(self.state)

    def state_badge(self):
        return state_badge(self.state)

    def customer_name(self):
        return display_name(customer_of(self.context))

    def cc_recipients(self):
        return self.context.cc_recipients or []

    def localized(self, date):
        return localized(date)

    def can_close(self):
        return tickets.may_close(self.context)

    def can_reopen(self):
        return tickets.may_reopen(self.context)

    def back_link(self):
        url, title = tickets_home()
        return {"url": url, "title": title}

    @cached_property
    def is_staff(self):
        """Whether the reader may open the original mails (the view itself
        checks the same permission)."""
        return is_staff(obj=self.context)


class ReplyForm(CompactFormMixin, MessageFormMixin, AutoExtensibleForm, form.Form):
    """The composer under the conversation: a reply to the customer and, for
    the staff, an internal note (one editor, as a helpdesk's composer: the
    button chooses who reads it)."""

    schema = ITicketReply
    ignoreContext = True
    prefix = "reply"
    label = _("heading_reply", default="Reply")
    # The conversation is what a visitor reads first, not the reply box.
    enable_autofocus = False

    @property
    def action(self):
        return self.context.absolute_url()

    @cached_property
    def may_reply(self):
        return tickets.may_reply(self.context)

    @cached_property
    def may_add_note(self):
        return tickets.may_add_note(self.context)

    def updateWidgets(self):
        super().updateWidgets()
        # The canned-reply picker without JavaScript: ?canned=<id> puts the
        # reply, filled in for this ticket, into the box (staff only).
        canned_id = self.request.form.get("canned")
        if (
            canned_id
            and not self.request.form.get("reply.buttons.save")
            and not self.request.form.get("reply.buttons.note")
            and is_staff(obj=self.context)
        ):
            reply = canned.get_canned(canned_id)
            if reply is not None:
                self.widgets["text"].value = RichTextValue(
                    canned.fill(reply, self.context), "text/html", "text/x-html-safe"
                )

    def updateActions(self):
        super().updateActions()
        note = self.actions.get("note")
        if note is not None:
            # Set apart from "Send reply" as notes are on the page.
            note.klass = note.klass.replace("btn-secondary", "btn-warning")

    # "save" makes it the form's primary button.
    @button.buttonAndHandler(
        _("button_send_reply", default="Send reply"),
        name="save",
        condition=lambda form: form.may_reply,
    )
    def handle_send(self, action):
        try:
            self._file(
                tickets.reply, _("msg_reply_sent", default="Your reply has been added.")
            )
        except TicketStateError as error:
            api.portal.show_message(error.message, request=self.request, type="error")
            self.request.response.redirect(self.context.absolute_url())

    @button.buttonAndHandler(
        _("button_add_note", default="Add internal note"),
        name="note",
        condition=lambda form: form.may_add_note,
    )
    def handle_note(self, action):
        self._file(
            tickets.add_note,
            _("msg_note_added", default="Your internal note has been added."),
        )

    def _file(self, add, done):
        """File the message through ``add`` (the API's reply or note) and
        show the new message, or the form again with what was refused."""
        message = self.submit(
            lambda data: add(
                self.context,
                text=data["text"],
                attachments=data.get("attachments") or (),
                submission_id=data.get("submission_id"),
            )
        )
        if message is None:
            return
        api.portal.show_message(done, request=self.request)
        self.request.response.redirect(
            f"{self.context.absolute_url()}#{message.getId()}"
        )


class ReplyAddView(DefaultAddView):
    """``++add++TicketReply`` (the toolbar's "Add new") leads to the reply box,
    which validates and files the reply like every other way of replying."""

    def __call__(self):
        self.request.response.redirect(f"{self.context.absolute_url()}#ticket-reply")
        return ""


class ReplyViewlet(FormViewlet):
    """The composer under the conversation: while the ticket is in progress
    for its customer and the staff, and for the staff's notes always."""

    index = ViewPageTemplateFile("templates/reply_viewlet.pt")
    form_class = ReplyForm

    def available(self):
        return self.may_reply() or self.may_add_note()

    # The form works out who may use which button once; the viewlet asks it.
    def may_reply(self):
        return self.new_form.may_reply

    def may_add_note(self):
        return self.new_form.may_add_note

    def intro(self):
        """The composer's heading, and the line saying who reads what for
        the staff (None for the customer)."""
        if not self.may_add_note():
            return {"heading": _("heading_reply", default="Reply"), "help": None}
        if self.may_reply():
            return {
                "heading": _("heading_reply_or_note", default="Reply or internal note"),
                "help": _(
                    "help_composer",
                    default='"Send reply" sends it to the customer and the CC '
                    'recipients. "Add internal note" keeps it for the staff: '
                    "never the customer or the CC recipients.",
                ),
            }
        return {
            "heading": _("heading_note", default="Internal note"),
            "help": _(
                "help_note_form",
                default="Only the staff see internal notes: never the customer "
                "or the CC recipients.",
            ),
        }

    def canned_replies(self):
        """The canned replies the picker offers (the staff's, in the page's
        language or any); [] for everyone else."""
        ticket = aq_inner(self.context)
        if not is_staff(obj=ticket):
            return []
        language = (api.portal.get_current_language() or "").split("-")[0]
        return canned.canned_replies(language=language)

    def update(self):
        if self.request.form.get("reply.buttons.save") and not self.may_reply():
            # Posted from a page that was open before the ticket closed.
            api.portal.show_message(
                tickets.REPLY_COMPLETED,
                request=self.request,
                type="error",
            )
            self.request.response.redirect(self.context.absolute_url())
        super().update()


class TicketTransitionView(BrowserView):
    """POST target of the "Close ticket" and "Reopen" buttons."""

    transitions = {"complete": tickets.close, "reopen": tickets.reopen}

    def __call__(self):
        if self.request.method != "POST":
            raise BadRequest("Use the buttons on the ticket page.")
        check_authenticator(self.request)
        transition = self.transitions.get(self.request.form.get("transition"))
        if transition is None:
            raise BadRequest("Unknown transition.")
        try:
            transition(self.context)
        except TicketStateError as error:
            api.portal.show_message(error.message, request=self.request, type="info")
        else:
            api.portal.show_message(self._done_message(), request=self.request)
        self.request.response.redirect(self.context.absolute_url())
        return ""

    def _done_message(self):
        if tickets.state(self.context) == tickets.COMPLETED:
            return _("msg_ticket_closed", default="The ticket is now completed.")
        return _("msg_ticket_reopened", default="The ticket is in progress again.")


class TicketClosable(BrowserView):
    """The guard of the workflow's "complete" transition: applies the
    "customers may close" setting to Plone's own state menu too."""

    def __call__(self):
        return tickets.may_close(self.context)


class ReplyView(BrowserView):
    """A reply or a note has no page of its own: show it in its conversation."""

    def __call__(self):
        ticket = aq_parent(aq_inner(self.context))
        self.request.response.redirect(
            f"{ticket.absolute_url()}#{self.context.getId()}"
        )
        return ""
