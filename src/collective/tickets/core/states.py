"""A ticket's workflow states, their titles and badges: read from here only."""

from collective.tickets import _
from plone import api


IN_PROGRESS = "in_progress"
COMPLETED = "completed"

STATE_TITLES = {
    IN_PROGRESS: _("state_in_progress", default="In progress"),
    COMPLETED: _("state_completed", default="Completed"),
}
# Bootstrap 5 badge classes, as Plone's own listings use them.
STATE_BADGES = {
    IN_PROGRESS: "text-bg-primary",
    COMPLETED: "text-bg-secondary",
}


def state_title(state):
    """The translatable title of ``state`` (the id itself for a state we
    do not know, such as one a site added to the workflow)."""
    return STATE_TITLES.get(state, state)


def state_badge(state):
    return STATE_BADGES.get(state, "text-bg-light")


def workflow_state(ticket):
    """The ticket's workflow state as the workflow tool keeps it (what
    plone.api's ``get_state`` answers, without its argument checks)."""
    return api.portal.get_tool("portal_workflow").getInfoFor(ticket, "review_state")
