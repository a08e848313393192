"""Fill the English catalogues from the defaults, then compile every .po.

English messages are written once, as the default in the code; the en
catalogue repeats them so that it is complete like the Spanish one. The .mo
files are committed so that a pip install works without Zope's
``zope_i18n_compile_mo_files``; tests check they match their .po.
"""

from pathlib import Path
from pythongettext.msgfmt import Msgfmt

import ast


LOCALES = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "collective"
    / "tickets"
    / "locales"
)


def _unquote(lines):
    """The text of a msgid or msgstr given as its quoted lines."""
    return "".join(ast.literal_eval(line) for line in lines)


def _quote(text):
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    )


def _fill_block(block):
    """One catalogue entry, its empty msgstr filled with the English default."""
    lines = block.split("\n")
    default = None
    msgid_lines, msgstr_lines, head = [], [], []
    current = None
    for line in lines:
        if line.startswith("#. Default: "):
            default = ast.literal_eval(line[len("#. Default: ") :])
        if line.startswith("msgid "):
            current = msgid_lines
            line = line[len("msgid ") :]
        elif line.startswith("msgstr "):
            current = msgstr_lines
            line = line[len("msgstr ") :]
        elif current is None:
            head.append(line)
            continue
        current.append(line)
    msgid = _unquote(msgid_lines)
    if not msgid or _unquote(msgstr_lines):
        return block
    english = default if default is not None else msgid
    body = [f"msgid {line}" if i == 0 else line for i, line in enumerate(msgid_lines)]
    return "\n".join([*head, *body, f"msgstr {_quote(english)}"])


def fill_english():
    for po in sorted(LOCALES.glob("en/LC_MESSAGES/*.po")):
        blocks = po.read_text(encoding="utf-8").rstrip("\n").split("\n\n")
        po.write_text(
            "\n\n".join(_fill_block(b) for b in blocks) + "\n", encoding="utf-8"
        )


def compile_all():
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(Msgfmt(str(po), name=po.stem).get())
        print(f"compiled {po.relative_to(LOCALES)}")


if __name__ == "__main__":
    fill_english()
    compile_all()
