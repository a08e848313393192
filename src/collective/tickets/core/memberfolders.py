"""Member folders hold tickets and nothing else a customer adds.

Plone makes every member the Owner of their folder, and the Owner may add
every type there: pages, files, links with any URL. In a helpdesk the member
folder is where a customer's tickets live, so each member folder takes the
"add" permission of every other type away from the roles a member has or can
share there (Owner, Contributor, Editor...). The roles above them (Manager,
Site Administrator) keep what the site gives them. Tickets have their own
add permission and stay addable by their Owner.
"""

from Acquisition import aq_base
from collective.tickets.permissions import AddTicket
from collective.tickets.permissions import AddTicketReply
from collective.tickets.permissions import permission_title
from plone import api
from plone.api.exc import CannotGetPortalError

import logging


logger = logging.getLogger(__name__)

# What a member has in their folder, or may give to somebody there on the
# sharing page: none of them may add anything but tickets.
MEMBER_ROLES = (
    "Anonymous",
    "Authenticated",
    "Member",
    "Owner",
    "Contributor",
    "Editor",
    "Reviewer",
    "Reader",
)


def restricted_add_permissions():
    """The Zope permission titles of adding any type but tickets and replies
    (the ticket workflow rules who may reply)."""
    ticket_permissions = {
        permission_title(AddTicket),
        permission_title(AddTicketReply),
    }
    titles = set()
    for fti in api.portal.get_tool("portal_types").listTypeInfo():
        permission_id = getattr(fti, "add_permission", None)
        if permission_id:
            titles.add(permission_title(permission_id))
    return sorted(titles - ticket_permissions)


def restrict_member_folder(folder):
    """Only tickets may be added to ``folder`` by its member."""
    portal = api.portal.get()
    for title in restricted_add_permissions():
        roles = [
            role["name"]
            for role in portal.rolesOfPermission(title)
            if role["selected"] and role["name"] not in MEMBER_ROLES
        ]
        folder.manage_permission(title, roles=roles, acquire=False)


def unrestrict_member_folders():
    """Give the member folders back what Plone gives them (uninstall)."""
    members = api.portal.get_tool("portal_membership").getMembersFolder()
    if members is None:
        return
    titles = restricted_add_permissions()
    for folder in members.objectValues():
        if getattr(aq_base(folder), "isPrincipiaFolderish", False):
            for title in titles:
                folder.manage_permission(title, roles=(), acquire=True)


def is_members_folder(container):
    try:
        members = api.portal.get_tool("portal_membership").getMembersFolder()
    except CannotGetPortalError:
        # A Plone site being created adds its folders before it is a site.
        return False
    return members is not None and aq_base(container) is aq_base(members)


def member_folder_added(obj, event):
    """Every member folder, however Plone creates it (our ``member_folder``,
    the login with member folders on, a script), is restricted at birth."""
    if event.newParent is None or not is_members_folder(event.newParent):
        return
    restrict_member_folder(obj)


def restrict_existing_member_folders():
    """Restrict the member folders created before this version."""
    members = api.portal.get_tool("portal_membership").getMembersFolder()
    if members is None:
        return
    count = 0
    for folder in members.objectValues():
        if getattr(aq_base(folder), "isPrincipiaFolderish", False):
            restrict_member_folder(folder)
            count += 1
    logger.info("Restricted what members may add in %s member folders.", count)
