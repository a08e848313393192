"""Compile every locales/*/LC_MESSAGES/*.po of the add-on into its .mo.

The .mo files are committed so that a pip install works without Zope's
``zope_i18n_compile_mo_files``; tests check they match their .po.
"""

from pathlib import Path
from pythongettext.msgfmt import Msgfmt


LOCALES = Path(__file__).resolve().parent.parent / "src" / "collective" / "tickets" / "locales"


def compile_all():
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(Msgfmt(str(po), name=po.stem).get())
        print(f"compiled {po.relative_to(LOCALES)}")


if __name__ == "__main__":
    compile_all()
