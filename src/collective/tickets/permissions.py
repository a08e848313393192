"""Permission ids, so code never spells them twice."""

from zope.component import queryUtility
from zope.security.interfaces import IPermission


AddTicket = "collective.tickets: Add Ticket"
AddTicketReply = "collective.tickets: Add Ticket Reply"
AddTicketNote = "collective.tickets: Add Ticket Note"
CloseTicket = "collective.tickets: Close Ticket"
ReopenTicket = "collective.tickets: Reopen Ticket"
ManageTickets = "collective.tickets: Manage Tickets"
ManageSettings = "collective.tickets: Manage Settings"
# Who opened a ticket and its files: site managers (the GDPR's record).
ViewAccessRecord = "collective.tickets: View Access Record"


def permission_title(permission_id):
    """The Zope permission title of a ZCML permission id (an FTI's
    ``add_permission``); a title is returned as it is."""
    permission = queryUtility(IPermission, name=permission_id)
    return permission.title if permission is not None else permission_id
