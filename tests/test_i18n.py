"""Spanish and English catalogues: complete, consistent, compiled, used."""

from collective.tickets import api as tickets
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import SITE_ADMIN
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import post_multipart
from pathlib import Path
from plone import api
from pythongettext.msgfmt import Msgfmt

import collective.tickets
import re
import transaction
import unittest


LOCALES = Path(collective.tickets.__file__).parent / "locales"
VARIABLE = re.compile(r"\$\{(\w+)\}")


def read_po(path):
    """{msgid: (default, msgstr)} of a .po file (single-line entries only)."""
    entries = {}
    default = None
    msgid = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith('#. Default: "'):
            default = line[len('#. Default: "') : -1]
        elif line.startswith('msgid "'):
            msgid = line[len('msgid "') : -1]
        elif line.startswith('msgstr "') and msgid:
            entries[msgid] = (default or msgid, line[len('msgstr "') : -1])
            default = msgid = None
    return entries


def pot_msgids(domain):
    return set(read_po(LOCALES / f"{domain}.pot"))


class TestCatalogues(unittest.TestCase):
    def test_every_message_has_a_spanish_and_english_translation(self):
        for domain in ("collective.tickets", "plone"):
            for lang in ("es", "en"):
                entries = read_po(LOCALES / lang / "LC_MESSAGES" / f"{domain}.po")
                missing = sorted(
                    msgid
                    for msgid in pot_msgids(domain)
                    if not entries.get(msgid, ("", ""))[1]
                )
                self.assertEqual(missing, [], f"{lang}/{domain}.po lacks translations")

    def test_translations_keep_every_variable(self):
        for lang in ("es", "en"):
            path = LOCALES / lang / "LC_MESSAGES" / "collective.tickets.po"
            for msgid, (default, msgstr) in read_po(path).items():
                self.assertEqual(
                    set(VARIABLE.findall(default)),
                    set(VARIABLE.findall(msgstr)),
                    f"{lang}: {msgid}",
                )

    def test_compiled_catalogues_match_their_po_files(self):
        for po in LOCALES.glob("*/LC_MESSAGES/*.po"):
            compiled = Msgfmt(str(po), name=po.stem).get()
            self.assertEqual(
                po.with_suffix(".mo").read_bytes(),
                compiled,
                f"run make i18n: {po.name}",
            )


class TestSpanishScreens(unittest.TestCase):
    layer = FUNCTIONAL_TESTING

    def setUp(self):
        self.portal = self.layer["portal"]
        api.portal.set_registry_record("plone.available_languages", ["es", "en"])
        api.portal.set_registry_record("plone.default_language", "es")
        transaction.commit()

    def test_listing_and_ticket_are_in_spanish(self):
        with as_user(self.portal, CUSTOMER):
            ticket = tickets.create("Factura", "<p>Hola</p>")
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal.absolute_url() + "/@@my-tickets")
        for text in (
            "Mis tickets",
            "Nuevo ticket",
            "En curso",
            "Aún sin respuestas",
            "Asunto",
        ):
            self.assertIn(text, browser.contents)
        browser.open(ticket.absolute_url())
        for text in (
            "Cerrar ticket",
            "Enviar respuesta",
            "Mis tickets",
            "En curso",
        ):
            self.assertIn(text, browser.contents)
        browser.getControl("Cerrar ticket").click()
        self.assertIn("El ticket está ahora completado.", browser.contents)
        self.assertIn("Completado", browser.contents)

    def test_integrations_are_in_spanish(self):
        with as_user(self.portal, CUSTOMER):
            tickets.create("Factura", "<p>Hola</p>")
        transaction.commit()
        browser = browser_for(self.layer, CUSTOMER)
        browser.open(self.portal.absolute_url() + "/@@personal-information")
        self.assertIn("Mis tickets (1)", browser.contents)
        self.assertIn("Nombre a mostrar en los tickets", browser.contents)
        admin = browser_for(self.layer, SITE_ADMIN)
        admin.open(
            self.portal.absolute_url() + f"/@@user-information?userid={CUSTOMER}"
        )
        self.assertIn("Tickets del cliente", admin.contents)
        admin.open(self.portal.absolute_url() + "/@@tickets")
        for text in (
            "Resumen de tickets",
            "Pendiente del personal",
            "Buscar en asuntos y mensajes",
        ):
            self.assertIn(text, admin.contents)

    def test_validation_errors_are_in_spanish(self):
        browser = browser_for(self.layer, CUSTOMER)
        url = self.portal.absolute_url() + "/@@new-ticket"
        browser.open(url)
        self.assertIn("Destinatarios (CC)", browser.contents)
        self.assertIn("Abrir ticket", browser.contents)
        post_multipart(
            browser,
            url,
            new_ticket_fields(
                authenticator(browser),
                subject="Hola",
                text="<p>x</p>",
                cc=[("bob@", "")],
            ),
        )
        self.assertIn(
            "«bob@» no es una dirección de correo electrónico válida.", browser.contents
        )
        post_multipart(
            browser,
            url,
            new_ticket_fields(
                authenticator(browser),
                subject="Hola",
                text="<p>x</p>",
                cc=[("a@example.com", ""), ("a@example.com", "")],
            ),
        )
        self.assertIn("aparece más de una vez", browser.contents)
