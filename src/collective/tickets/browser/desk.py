"""The staff desk on a ticket's page: assignee, priority and category, the
internal-note form, and the timeline lines of the ticket's history."""

from Acquisition import aq_inner
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.base import CompactFormMixin
from collective.tickets.browser.base import FormViewlet
from collective.tickets.core import desk
from collective.tickets.core import history
from collective.tickets.core import sla
from collective.tickets.core.dates import localized
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import staff_by_name
from collective.tickets.core.people import SYSTEM_USERID
from collective.tickets.core.settings import setting
from datetime import datetime
from datetime import UTC
from functools import cached_property
from plone import api
from plone.dexterity.browser.add import DefaultAddView
from plone.protect.authenticator import check as check_authenticator
from Products.Five.browser.pagetemplatefile import ViewPageTemplateFile
from z3c.form import button
from z3c.form import field
from z3c.form import form
from zope import schema
from zope.i18n import translate
from zope.interface import Interface
from zope.interface import provider
from zope.schema.interfaces import IContextSourceBinder
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


# Sources bound to the form, never named vocabularies: a named one would be
# listed to anybody by @@getVocabulary and @vocabularies.


@provider(IContextSourceBinder)
def staff_members(context):
    people = staff_by_name()
    current = getattr(context, "ticket_assignee", None)
    if current and current not in people:
        # A former staff member still holds the ticket: shown, not lost.
        people.append(current)
    return SimpleVocabulary(
        [SimpleTerm(userid, userid, display_name(userid)) for userid in people]
    )


@provider(IContextSourceBinder)
def priorities(context):
    return SimpleVocabulary(
        [
            SimpleTerm(value, value, desk.priority_title(value))
            for value in reversed(desk.PRIORITIES)
        ]
    )


@provider(IContextSourceBinder)
def category_choices(context):
    terms = [
        SimpleTerm(c["id"], c["id"], desk.category_title(c["id"]))
        for c in desk.categories()
    ]
    current = getattr(context, "ticket_category", None)
    if current and current not in [term.value for term in terms]:
        terms.append(SimpleTerm(current, current, current))
    return SimpleVocabulary(terms)


class IDeskFields(Interface):
    assignee = schema.Choice(
        title=_("label_assignee", default="Assigned to"),
        source=staff_members,
        required=False,
    )
    priority = schema.Choice(
        title=_("label_priority", default="Priority"),
        source=priorities,
        required=True,
    )
    category = schema.Choice(
        title=_("label_category", default="Category"),
        source=category_choices,
        required=False,
    )
    keep_open = schema.Bool(
        title=_("label_keep_open", default="Never close automatically"),
        description=_(
            "help_keep_open",
            default="No reminder and no automatic closing while it waits on "
            "the customer.",
        ),
        required=False,
    )


class DeskForm(CompactFormMixin, form.Form):
    """Who handles the ticket, how urgent it is, what it is about."""

    fields = field.Fields(IDeskFields)
    prefix = "desk"
    label = _("heading_desk", default="Handling")
    enable_autofocus = False
    ignoreContext = False

    @property
    def action(self):
        return self.context.absolute_url()

    @cached_property
    def _content(self):
        ticket = self.context
        return {
            "assignee": tickets.assignee(ticket),
            "priority": tickets.priority(ticket),
            "category": tickets.category(ticket) or None,
            "keep_open": tickets.keep_open(ticket),
        }

    def getContent(self):
        # Asked by z3c.form more than once per request; four reads each.
        return self._content

    def updateWidgets(self):
        super().updateWidgets()
        if not desk.categories() and not tickets.category(self.context):
            self.widgets["category"].mode = "hidden"
        if not setting("remind_after_days") and not tickets.keep_open(self.context):
            self.widgets["keep_open"].mode = "hidden"

    def _apply(self, changes):
        check_authenticator(self.request)
        try:
            for change in changes:
                change()
        except tickets.TicketInputError as error:
            api.portal.show_message(error.message, request=self.request, type="error")
        else:
            api.portal.show_message(
                _("msg_desk_saved", default="Changes saved."), request=self.request
            )
        self.request.response.redirect(self.context.absolute_url())

    @button.buttonAndHandler(_("button_desk_save", default="Save"), name="save")
    def handle_save(self, action):
        data, errors = self.extractData()
        if errors:
            self.status = self.formErrorsMessage
            return
        ticket = self.context
        self._apply(
            [
                lambda: tickets.assign(ticket, data.get("assignee")),
                lambda: tickets.set_priority(ticket, data["priority"]),
                lambda: tickets.set_category(ticket, data.get("category") or ""),
                lambda: tickets.set_keep_open(ticket, data.get("keep_open")),
            ]
        )

    @button.buttonAndHandler(_("button_take", default="Assign to me"), name="take")
    def handle_take(self, action):
        self._apply([lambda: tickets.take(self.context)])


class DeskViewlet(FormViewlet):
    """The handling panel, above the conversation (staff only: the viewlet's
    permission and the functions behind the form both say so)."""

    index = ViewPageTemplateFile("templates/desk_viewlet.pt")
    form_class = DeskForm

    def available(self):
        return is_staff(obj=aq_inner(self.context))

    def service_level(self):
        """The service-level state in a sentence, and its Bootstrap text
        class; None without targets."""
        return service_level_line(aq_inner(self.context), self.request)


class NoteAddView(DefaultAddView):
    """``++add++TicketNote`` leads to the composer on the ticket's page."""

    def __call__(self):
        self.request.response.redirect(f"{self.context.absolute_url()}#ticket-reply")
        return ""


def _name(userid):
    return display_name(userid) if userid else ""


def change_line(change, request):
    """The timeline's sentence for one change: "Marta assigned the ticket to
    Juan"."""
    actor = _name(change.actor)
    if change.field == history.STATE:
        if change.new == tickets.COMPLETED and change.actor == SYSTEM_USERID:
            message = _(
                "history_closed_automatically",
                default="The ticket was completed automatically: the customer "
                "did not answer",
            )
        elif change.new == tickets.COMPLETED:
            message = _(
                "history_closed",
                default="${actor} closed the ticket",
                mapping={"actor": actor},
            )
        else:
            message = _(
                "history_reopened",
                default="${actor} reopened the ticket",
                mapping={"actor": actor},
            )
    elif change.field == history.ASSIGNEE:
        if change.new is None:
            message = _(
                "history_unassigned",
                default="${actor} unassigned the ticket",
                mapping={"actor": actor},
            )
        elif change.new == change.actor:
            message = _(
                "history_taken",
                default="${actor} took the ticket",
                mapping={"actor": actor},
            )
        else:
            message = _(
                "history_assigned",
                default="${actor} assigned the ticket to ${to}",
                mapping={"actor": actor, "to": _name(change.new)},
            )
    elif change.field == history.PRIORITY:
        message = _(
            "history_priority",
            default="${actor} changed the priority from ${from} to ${to}",
            mapping={
                "actor": actor,
                "from": translate(desk.priority_title(change.old), context=request),
                "to": translate(desk.priority_title(change.new), context=request),
            },
        )
    elif change.field == history.ANONYMISED:
        message = _(
            "history_anonymised",
            default="${actor} anonymised the ticket: the customer's and the CC "
            "recipients' names and addresses were removed",
            mapping={"actor": actor},
        )
    elif change.new:
        message = _(
            "history_category",
            default="${actor} set the category to ${to}",
            mapping={"actor": actor, "to": desk.category_title(change.new)},
        )
    else:
        message = _(
            "history_category_removed",
            default="${actor} removed the category",
            mapping={"actor": actor},
        )
    return translate(message, context=request)


def hours_label(seconds, request):
    """Business time as people say it: "1 h 30 min", "45 min"."""
    minutes = round((seconds or 0) / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        message = _(
            "duration_hours_minutes",
            default="${hours} h ${minutes} min",
            mapping={"hours": hours, "minutes": minutes},
        )
    elif hours:
        message = _("duration_hours", default="${hours} h", mapping={"hours": hours})
    else:
        message = _(
            "duration_minutes", default="${minutes} min", mapping={"minutes": minutes}
        )
    return translate(message, context=request)


def service_level_line(ticket, request):
    """``{"text", "css", "overdue"}`` for the ticket's service level, as the
    staff see it on the ticket's page; None when no target applies."""
    clock = sla.measure(ticket)
    if clock.first_response_target is None and clock.resolution_target is None:
        return None
    now = datetime.now(UTC)
    due = clock.due
    if due is not None:
        target = translate(sla.TARGET_TITLES[clock.due_target], context=request)
        if due <= now:
            message = _(
                "sla_overdue",
                default="${target} overdue since ${date}",
                mapping={"target": target, "date": localized(due)},
            )
            return {
                "text": translate(message, context=request),
                "css": "text-danger",
                "overdue": True,
            }
        message = _(
            "sla_due",
            default="${target} due ${date}",
            mapping={"target": target, "date": localized(due)},
        )
        return {
            "text": translate(message, context=request),
            "css": "",
            "overdue": False,
        }
    if tickets.state(ticket) == tickets.COMPLETED:
        parts = []
        for target, seconds in (
            (sla.FIRST_RESPONSE, clock.first_response_seconds),
            (sla.RESOLUTION, clock.resolution_seconds),
        ):
            met = clock.met(target)
            if met is None:
                continue
            mapping = {
                "target": translate(sla.TARGET_TITLES[target], context=request),
                "time": hours_label(seconds, request),
            }
            if met:
                message = _(
                    "sla_met",
                    default="${target}: ${time} (within target)",
                    mapping=mapping,
                )
            else:
                message = _(
                    "sla_missed",
                    default="${target}: ${time} (target missed)",
                    mapping=mapping,
                )
            parts.append(translate(message, context=request))
        if not parts:
            return None
        return {"text": "; ".join(parts), "css": "", "overdue": False}
    message = _(
        "sla_paused",
        default="Service clock paused: waiting on the customer (${time} used)",
        mapping={"time": hours_label(clock.consumed_seconds, request)},
    )
    return {
        "text": translate(message, context=request),
        "css": "text-body-secondary",
        "overdue": False,
    }
