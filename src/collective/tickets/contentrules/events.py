"""The ticket events (``core.events``) handed to the content rules engine."""

from plone.app.contentrules.handlers import execute


def execute_rules(event):
    execute(event.object, event)
