"""One lock around Chameleon's template compilation, on the Pythons that
need it.

CPython 3.11.0 to 3.11.7 and 3.12.0 to 3.12.1 can fail to build an ``ast``
when two threads do it at once ("SystemError: AST constructor recursion
depth mismatch", CPython issue gh-106905, fixed in 3.11.8 and 3.12.2).
Chameleon builds one when it compiles a page template, the first time the
template is used in a process; a freshly started instance that receives many
requests at once could so answer one of them with an error page (measured:
1 of 200 new tickets on a cluster). On those Pythons the compilation of
templates is done one at a time; a compiled template is kept, so only the
first requests after a start ever wait. On every other Python nothing is
changed.
"""

import sys
import threading


FIXED_IN = {(3, 11): (3, 11, 8), (3, 12): (3, 12, 2)}
MARK = "_collective_tickets_one_at_a_time"


def affected(version=None):
    version = tuple((version or sys.version_info)[:3])
    fixed = FIXED_IN.get(version[:2])
    return fixed is not None and version < fixed


def compile_one_at_a_time():
    """Wrap ``chameleon.template.BaseTemplate._cook`` in a lock, once."""
    from chameleon.template import BaseTemplate

    original = BaseTemplate._cook
    if getattr(original, MARK, False):
        return
    lock = threading.RLock()

    def _cook(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    setattr(_cook, MARK, True)
    _cook.__wrapped__ = original
    BaseTemplate._cook = _cook


def apply():
    if affected():
        compile_one_at_a_time()
