"""The Python API of collective.tickets: everything the screens do, for code.

The public facade of ``core/``: these names and signatures stay stable
while the modules behind them move. Every function checks the current
user's permissions exactly as the forms do and raises ``TicketInputError``
(a ``ValueError``) with a message that says what was wrong, before anything
is stored.
"""

from collective.tickets.core.conversation import Attachment
from collective.tickets.core.conversation import conversation
from collective.tickets.core.conversation import Message
from collective.tickets.core.conversation import message_attachments
from collective.tickets.core.conversation import message_author
from collective.tickets.core.conversation import message_html
from collective.tickets.core.conversation import notes
from collective.tickets.core.conversation import REMOTE_IMAGE_LABEL
from collective.tickets.core.conversation import replies
from collective.tickets.core.conversation import to_message
from collective.tickets.core.desk import assign
from collective.tickets.core.desk import assignee
from collective.tickets.core.desk import categories
from collective.tickets.core.desk import category
from collective.tickets.core.desk import keep_open
from collective.tickets.core.desk import PRIORITIES
from collective.tickets.core.desk import priority
from collective.tickets.core.desk import set_category
from collective.tickets.core.desk import set_keep_open
from collective.tickets.core.desk import set_priority
from collective.tickets.core.desk import take
from collective.tickets.core.errors import TicketInputError
from collective.tickets.core.errors import TicketStateError
from collective.tickets.core.history import Change
from collective.tickets.core.history import history
from collective.tickets.core.importer import import_mailbox
from collective.tickets.core.importer import import_tickets
from collective.tickets.core.lifecycle import add_note
from collective.tickets.core.lifecycle import close
from collective.tickets.core.lifecycle import create
from collective.tickets.core.lifecycle import may_add_note
from collective.tickets.core.lifecycle import may_close
from collective.tickets.core.lifecycle import may_reopen
from collective.tickets.core.lifecycle import may_reply
from collective.tickets.core.lifecycle import member_folder
from collective.tickets.core.lifecycle import reopen
from collective.tickets.core.lifecycle import reply
from collective.tickets.core.lifecycle import REPLY_COMPLETED
from collective.tickets.core.lifecycle import state
from collective.tickets.core.mailin.key import mail_in_key
from collective.tickets.core.mailin.parse import NotAMessage
from collective.tickets.core.mailin.receive import Outcome
from collective.tickets.core.mailin.receive import receive_mail
from collective.tickets.core.message import clean_attachments
from collective.tickets.core.message import clean_subject
from collective.tickets.core.message import clean_text
from collective.tickets.core.message import is_blank_html
from collective.tickets.core.numbers import number
from collective.tickets.core.privacy.access import Access
from collective.tickets.core.privacy.access import access_record
from collective.tickets.core.privacy.erasure import anonymise_customer
from collective.tickets.core.privacy.erasure import anonymise_ticket
from collective.tickets.core.privacy.erasure import is_erased_address
from collective.tickets.core.privacy.export import export_customer
from collective.tickets.core.queries import tickets_of
from collective.tickets.core.states import COMPLETED
from collective.tickets.core.states import IN_PROGRESS


__all__ = [
    "COMPLETED",
    "IN_PROGRESS",
    "PRIORITIES",
    "REMOTE_IMAGE_LABEL",
    "REPLY_COMPLETED",
    "Access",
    "Attachment",
    "Change",
    "Message",
    "NotAMessage",
    "Outcome",
    "TicketInputError",
    "TicketStateError",
    "access_record",
    "add_note",
    "anonymise_customer",
    "anonymise_ticket",
    "assign",
    "assignee",
    "categories",
    "category",
    "clean_attachments",
    "clean_subject",
    "clean_text",
    "close",
    "export_customer",
    "is_erased_address",
    "conversation",
    "create",
    "history",
    "import_mailbox",
    "import_tickets",
    "is_blank_html",
    "keep_open",
    "mail_in_key",
    "may_add_note",
    "may_close",
    "may_reopen",
    "may_reply",
    "member_folder",
    "message_attachments",
    "message_author",
    "message_html",
    "notes",
    "number",
    "priority",
    "receive_mail",
    "reopen",
    "replies",
    "reply",
    "set_category",
    "set_keep_open",
    "set_priority",
    "state",
    "take",
    "tickets_of",
    "to_message",
]
