from collective.tickets import logger
from collective.tickets.core.people import STAFF_GROUP
from collective.tickets.core.people import STAFF_ROLE
from plone import api
from plone.base.interfaces import INonInstallable
from zope.interface import implementer


@implementer(INonInstallable)
class HiddenProfiles:
    def getNonInstallableProfiles(self):
        return [
            "collective.tickets:uninstall",
            "collective.tickets.upgrades:to_1001",
            "collective.tickets.upgrades:to_1003",
            "collective.tickets.upgrades:to_1004",
            "collective.tickets.upgrades:to_1005",
        ]


def ensure_staff_group():
    group = api.group.get(groupname=STAFF_GROUP)
    if group is None:
        api.group.create(
            groupname=STAFF_GROUP,
            title="Ticket staff",
            description="Members of this group answer, close and reopen every ticket.",
            roles=[STAFF_ROLE],
        )
        logger.info("Created the group %s", STAFF_GROUP)
    elif STAFF_ROLE not in api.group.get_roles(groupname=STAFF_GROUP):
        api.group.grant_roles(groupname=STAFF_GROUP, roles=[STAFF_ROLE])


def ensure_members_folder():
    """Tickets live in member folders: turn them on and make sure Members exists."""
    portal = api.portal.get()
    api.portal.set_registry_record("plone.enable_user_folders", True)
    # Turning user folders on adds a "My Folder" entry to the personal menu;
    # customers reach their tickets through "My tickets", never their folder.
    mystuff = getattr(api.portal.get_tool("portal_actions").user, "mystuff", None)
    if mystuff is not None:
        mystuff.visible = False
    membership = api.portal.get_tool("portal_membership")
    folder_id = membership.membersfolder_id or "Members"
    if folder_id not in portal.objectIds():
        with api.env.adopt_roles(["Manager"]):
            folder = api.content.create(
                container=portal,
                type="Folder",
                id=folder_id,
                title="Members",
                exclude_from_nav=True,
            )
        logger.info("Created the members folder %s", folder.absolute_url_path())


def prepare_mail():
    """Reply by e-mail's secrets, and the MailHost's queue for outgoing mail
    (left as it is when the site manager configured a queue already)."""
    from collective.tickets.core.keys import ring_keys
    from collective.tickets.core.mailin.key import mail_in_key
    from collective.tickets.core.mailin.tokens import RING
    from collective.tickets.core.mailqueue import enable_mail_queue

    mail_in_key()
    ring_keys(RING, create=True)
    enable_mail_queue()


def prepare_desk():
    """The key of the catalog's assignee tokens, made now: a page that only
    reads (the overview) must not be the first to need it and write it."""
    from collective.tickets.core.desk import ASSIGNEE_RING
    from collective.tickets.core.keys import ring_keys

    ring_keys(ASSIGNEE_RING, create=True)


def forget_mail_secrets():
    """The keys that sign reply addresses, Message-IDs and unsubscribe links
    and make the assignee tokens of the catalog,
    and the record of automatic answers. The MailHost's queue stays on: it
    is the MailHost's own setting, as useful to the site without us."""
    from collective.tickets.core.desk import ASSIGNEE_RING
    from collective.tickets.core.mailin.answers import forget_answers
    from collective.tickets.core.mailin.tokens import RING as MAIL_RING
    from collective.tickets.core.unsubscribe import RING as UNSUBSCRIBE_RING
    from plone.keyring.interfaces import IKeyManager
    from zope.component import getUtility

    manager = getUtility(IKeyManager)
    for ring in (MAIL_RING, UNSUBSCRIBE_RING, ASSIGNEE_RING):
        if ring in manager:
            del manager[ring]
    forget_answers()


def post_install(context):
    from collective.tickets.contentrules.rules import install_rules
    from collective.tickets.member_fields import add_member_fields

    ensure_staff_group()
    ensure_members_folder()
    install_rules()
    add_member_fields()
    prepare_mail()
    prepare_desk()


def uninstall(context):
    from collective.tickets.contentrules.rules import uninstall_rules
    from collective.tickets.core.memberfolders import unrestrict_member_folders
    from collective.tickets.member_fields import remove_member_fields

    uninstall_rules()
    forget_mail_secrets()
    remove_member_fields()
    unrestrict_member_folders()
    mystuff = getattr(api.portal.get_tool("portal_actions").user, "mystuff", None)
    if mystuff is not None:
        mystuff.visible = True
    # In Python rather than registry.xml: once the types are gone the record
    # refuses any list that still names TicketReply.
    not_searched = api.portal.get_registry_record("plone.types_not_searched")
    api.portal.set_registry_record(
        "plone.types_not_searched",
        tuple(name for name in not_searched if name != "TicketReply"),
    )
