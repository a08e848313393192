"""Create the demo site ``Plone`` with collective.tickets and its demo data.

Run by ``make run`` through ``zconsole run instance/etc/zope.conf``. Every
step looks before it creates, so running it again adds nothing twice and
loses nothing.
"""

from AccessControl.SecurityManagement import newSecurityManager
from App.config import getConfiguration
from collective.tickets import api as tickets
from io import BytesIO
from plone import api
from Products.CMFPlone.factory import addPloneSite
from Testing.makerequest import makerequest
from zope.component.hooks import setSite

import os
import transaction


SITE_ID = "Plone"
DEMO_PASSWORD = "tickets-demo"
DEMO_USERS = {
    "customer1": {"fullname": "Lucía Fernández", "email": "customer1@example.com"},
    "customer2": {"fullname": "Jordi Puig", "email": "customer2@example.com"},
    "staff1": {"fullname": "Marta Soporte", "email": "staff1@example.com"},
}
CLASSIC_PROFILES = [
    "plone.app.contenttypes:default",
    "plone.app.layout:default",
    "plonetheme.barceloneta:default",
]


def demo_png():
    from PIL import Image
    from PIL import ImageDraw

    image = Image.new("RGB", (480, 300), (230, 240, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 80), fill=(40, 90, 160))
    draw.text((30, 40), "Error 500 al exportar", fill=(255, 255, 255))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def ensure_site(app):
    if SITE_ID in app.objectIds():
        print(f"Reusing the site /{SITE_ID}")
        site = app[SITE_ID]
        setSite(site)
        return site
    site = addPloneSite(
        app,
        SITE_ID,
        title="Soporte",
        extension_ids=CLASSIC_PROFILES,
        setup_content=False,
        default_language="es",
        portal_timezone="Europe/Madrid",
    )
    setSite(site)
    print(f"Created the site /{SITE_ID}")
    return site


def ensure_addon():
    if not api.addon.get("collective.tickets").valid:
        raise SystemExit("collective.tickets is not importable: run make install")
    installer = api.portal.get().unrestrictedTraverse("@@installer")
    if not installer.is_product_installed("collective.tickets"):
        installer.install_product("collective.tickets")
        print("Installed collective.tickets")
    # Plone leaves 127.0.0.1 unthemed for debugging; the demo is served there.
    api.portal.set_registry_record(
        "plone.app.theming.interfaces.IThemeSettings.hostnameBlacklist", []
    )
    api.portal.set_registry_record("plone.email_from_address", "soporte@example.com")
    api.portal.set_registry_record("plone.email_from_name", "Soporte")
    # make run starts a mail sink there that files every message in
    # instance/var/mail/ (make run-cluster: in cluster/mail/).
    api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
    api.portal.set_registry_record(
        "plone.smtp_port", int(os.environ.get("DEMO_SMTP_PORT", "1025"))
    )


def write_mail_in_key():
    """The mail-in key, for the demo's mail server and fetch loop (make run):
    ``<instance>/var/mail-in.key``, readable by its owner only."""
    path = os.path.join(getConfiguration().clienthome, "mail-in.key")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(tickets.mail_in_key() + "\n")


def ensure_users():
    for userid, props in DEMO_USERS.items():
        if api.user.get(userid=userid) is None:
            api.user.create(
                username=userid,
                email=props["email"],
                password=DEMO_PASSWORD,
                properties={"fullname": props["fullname"]},
            )
            print(f"Created the user {userid}")
    if "staff1" not in [
        u.getId() for u in api.user.get_users(groupname="ticket-staff")
    ]:
        api.group.add_user(groupname="ticket-staff", username="staff1")


def has_tickets(userid):
    catalog = api.portal.get_tool("portal_catalog")
    return bool(
        catalog.unrestrictedSearchResults(portal_type="Ticket", ticket_customer=userid)
    )


def ensure_tickets():
    png = demo_png()
    if not has_tickets("customer1"):
        with api.env.adopt_user(username="customer1"):
            export = tickets.create(
                "Error al exportar las facturas",
                "<p>Al pulsar <strong>Exportar</strong> aparece un error.</p>"
                "<ul><li>Navegador: Firefox</li><li>Desde ayer</li></ul>",
                cc=[{"email": "contabilidad@example.com", "name": "Contabilidad"}],
                attachments=[("captura.png", png, "image/png")],
            )
        with api.env.adopt_user(username="staff1"):
            tickets.reply(
                export,
                "<p>Gracias. ¿Puede enviarnos el informe que se descarga?</p>",
            )
        with api.env.adopt_user(username="customer1"):
            tickets.reply(
                export,
                "<p>Aquí está el informe.</p>",
                attachments=[("informe.pdf", DEMO_PDF, "application/pdf")],
            )
            access = tickets.create(
                "Alta de un nuevo usuario",
                "<p>Necesitamos un acceso para una nueva compañera.</p>",
            )
        with api.env.adopt_user(username="staff1"):
            tickets.reply(access, "<p>Hecho: ya tiene acceso.</p>")
            tickets.close(access)
        print("Created the tickets of customer1")
    if not has_tickets("customer2"):
        with api.env.adopt_user(username="customer2"):
            tickets.create(
                "Consulta sobre la factura de octubre",
                "<p>¿Por qué ha cambiado el importe?</p>",
            )
        print("Created the tickets of customer2")


def main(app):
    # The demo data's notifications link to the site as make run serves it.
    app = makerequest(app, environ={"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080"})
    admin = app.acl_users.getUserById("admin")
    if admin is None:
        raise SystemExit("The Zope user admin is missing from the instance.")
    newSecurityManager(None, admin.__of__(app.acl_users))
    ensure_site(app)
    ensure_addon()
    ensure_users()
    ensure_tickets()
    write_mail_in_key()
    transaction.commit()


main(app)  # noqa: F821 - zconsole run provides ``app``
