"""Text that can be stored, shown in HTML and sent in a mail header."""

import re


# What XML (and so the safe-HTML filter and every page) cannot carry: C0
# controls but tab and line ends, and the non-characters U+FFFE/U+FFFF.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def without_control_characters(text):
    return _UNSAFE.sub("", text)
