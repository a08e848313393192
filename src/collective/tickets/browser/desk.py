"""The staff desk on a ticket's page: assignee, priority and category, the
internal-note form, and the timeline lines of the ticket's history."""

from Acquisition import aq_inner
from collective.tickets import _
from collective.tickets import api as tickets
from collective.tickets.browser.base import FormViewlet
from collective.tickets.browser.base import MessageFormMixin
from collective.tickets.content.note import ITicketNote
from collective.tickets.core import desk
from collective.tickets.core import history
from collective.tickets.core.people import display_name
from collective.tickets.core.people import is_staff
from collective.tickets.core.people import staff_by_name
from plone import api
from plone.autoform.form import AutoExtensibleForm
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


class DeskForm(form.Form):
    """Who handles the ticket, how urgent it is, what it is about."""

    fields = field.Fields(IDeskFields)
    prefix = "desk"
    label = _("heading_desk", default="Handling")
    enable_autofocus = False
    ignoreContext = False

    @property
    def action(self):
        return self.context.absolute_url()

    def getContent(self):
        ticket = self.context
        return {
            "assignee": tickets.assignee(ticket),
            "priority": tickets.priority(ticket),
            "category": tickets.category(ticket) or None,
        }

    def updateWidgets(self):
        super().updateWidgets()
        if not desk.categories() and not tickets.category(self.context):
            self.widgets["category"].mode = "hidden"

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
            ]
        )

    @button.buttonAndHandler(_("button_take", default="Assign to me"), name="take")
    def handle_take(self, action):
        self._apply([lambda: tickets.take(self.context)])


class NoteForm(MessageFormMixin, AutoExtensibleForm, form.Form):
    schema = ITicketNote
    ignoreContext = True
    prefix = "note"
    label = _("heading_note", default="Internal note")
    enable_autofocus = False

    @property
    def action(self):
        return self.context.absolute_url()

    @button.buttonAndHandler(
        _("button_add_note", default="Add internal note"), name="save"
    )
    def handle_add(self, action):
        note = self.submit(
            lambda data: tickets.add_note(
                self.context,
                text=data["text"],
                attachments=data.get("attachments") or (),
                submission_id=data.get("submission_id"),
            )
        )
        if note is None:
            return
        api.portal.show_message(
            _("msg_note_added", default="Your internal note has been added."),
            request=self.request,
        )
        self.request.response.redirect(f"{self.context.absolute_url()}#{note.getId()}")


class DeskViewlet(FormViewlet):
    """The handling panel, above the conversation (staff only: the viewlet's
    permission and the functions behind the form both say so)."""

    index = ViewPageTemplateFile("templates/desk_viewlet.pt")
    form_class = DeskForm

    def available(self):
        return is_staff(obj=aq_inner(self.context))


class NoteViewlet(FormViewlet):
    """The internal-note box under the reply box, open or closed ticket."""

    index = ViewPageTemplateFile("templates/note_viewlet.pt")
    form_class = NoteForm

    def available(self):
        return tickets.may_add_note(aq_inner(self.context))


class NoteAddView(DefaultAddView):
    """``++add++TicketNote`` leads to the note box on the ticket's page."""

    def __call__(self):
        self.request.response.redirect(f"{self.context.absolute_url()}#ticket-note")
        return ""


def _name(userid):
    return display_name(userid) if userid else ""


def change_line(change, request):
    """The timeline's sentence for one change: "Marta assigned the ticket to
    Juan"."""
    actor = _name(change.actor)
    if change.field == history.STATE:
        if change.new == tickets.COMPLETED:
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
