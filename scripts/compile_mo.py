"""Fill the English catalogues from the defaults, then compile every .po.

English messages are written once, as the default in the code; the en
catalogue repeats them so that it is complete like the Spanish one. The .mo
files are committed so that a pip install works without Zope's
``zope_i18n_compile_mo_files``; tests check they match their .po.
"""

from pathlib import Path
from pythongettext.msgfmt import Msgfmt

import re


LOCALES = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "collective"
    / "tickets"
    / "locales"
)


ENTRY = re.compile(
    r'(?:#\. Default: "(?P<default>.*)"\n)?(?P<rest>(?:#.*\n)*msgid "(?P<msgid>.+)"\nmsgstr "")(?=\n)'
)


def fill_english():
    for po in sorted(LOCALES.glob("en/LC_MESSAGES/*.po")):
        text = po.read_text(encoding="utf-8")

        def fill(match):
            default = match.group("default")
            msgstr = default if default is not None else match.group("msgid")
            head = match.group(0)[: -len('msgstr ""')]
            return f'{head}msgstr "{msgstr}"'

        po.write_text(ENTRY.sub(fill, text), encoding="utf-8")


def compile_all():
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(Msgfmt(str(po), name=po.stem).get())
        print(f"compiled {po.relative_to(LOCALES)}")


if __name__ == "__main__":
    fill_english()
    compile_all()
