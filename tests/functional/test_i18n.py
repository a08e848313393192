"""Spanish and English catalogues: complete, consistent, compiled, used."""

from collective.tickets import api as tickets
from collective.tickets.testing import CUSTOMER
from collective.tickets.testing import FUNCTIONAL_TESTING
from collective.tickets.testing import SITE_ADMIN
from gettext import GNUTranslations
from helpers import as_user
from helpers import authenticator
from helpers import browser_for
from helpers import new_ticket_fields
from helpers import post_multipart
from io import BytesIO
from pathlib import Path
from plone import api
from pythongettext.msgfmt import Msgfmt

import ast
import collective.tickets
import re
import transaction
import unittest


LOCALES = Path(collective.tickets.__file__).parent / "locales"
VARIABLE = re.compile(r"\$\{(\w+)\}")


def translations(po):
    """{msgid: msgstr} of a catalogue, as gettext reads it once compiled."""
    compiled = Msgfmt(str(po), name=po.stem).get()
    return GNUTranslations(BytesIO(compiled))._catalog


def defaults(domain):
    """{msgid: English default} of the .pot made from the code."""
    result = {}
    for block in (LOCALES / f"{domain}.pot").read_text(encoding="utf-8").split("\n\n"):
        default = msgid = None
        lines = block.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("#. Default: "):
                default = ast.literal_eval(line[len("#. Default: ") :])
            elif line.startswith("msgid "):
                parts = [line[len("msgid ") :]]
                for follow in lines[index + 1 :]:
                    if not follow.startswith('"'):
                        break
                    parts.append(follow)
                msgid = "".join(ast.literal_eval(part) for part in parts)
        if msgid:
            result[msgid] = default if default is not None else msgid
    return result


class TestCatalogues(unittest.TestCase):
    def test_every_message_has_a_spanish_and_english_translation(self):
        for domain in ("collective.tickets", "plone"):
            self.assertGreater(len(defaults(domain)), 10)
            for lang in ("es", "en"):
                catalog = translations(LOCALES / lang / "LC_MESSAGES" / f"{domain}.po")
                missing = sorted(m for m in defaults(domain) if not catalog.get(m))
                self.assertEqual(missing, [], f"{lang}/{domain}.po lacks translations")

    def test_translations_keep_every_variable(self):
        for domain in ("collective.tickets", "plone"):
            for lang in ("es", "en"):
                catalog = translations(LOCALES / lang / "LC_MESSAGES" / f"{domain}.po")
                for msgid, default in defaults(domain).items():
                    self.assertEqual(
                        set(VARIABLE.findall(default)),
                        set(VARIABLE.findall(catalog.get(msgid, ""))),
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
            "Número, asunto o texto",
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
