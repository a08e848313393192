"""``GET <ticket>/@history``: the changes of state, assignee, priority and
category; the customer gets the state changes only."""

from collective.tickets.core.history import visible_history
from collective.tickets.restapi.serializers.ticket import change_json
from plone.restapi.services import Service


class HistoryGet(Service):
    def reply(self):
        return {
            "@id": f"{self.context.absolute_url()}/@history",
            "items": [change_json(change) for change in visible_history(self.context)],
        }
