"""Permission ids, so code never spells them twice."""

AddTicket = "collective.tickets: Add Ticket"
AddTicketReply = "collective.tickets: Add Ticket Reply"
CloseTicket = "collective.tickets: Close Ticket"
ReopenTicket = "collective.tickets: Reopen Ticket"
ManageTickets = "collective.tickets: Manage Tickets"
ManageSettings = "collective.tickets: Manage Settings"
