"""The compile lock of patches.py: on the Pythons with CPython's gh-106905
only, and templates still compile and render through it."""

from collective.tickets import patches

import pytest
import threading


@pytest.mark.parametrize(
    "version, expected",
    [
        ((3, 11, 0), True),
        ((3, 11, 7), True),
        ((3, 11, 8), False),
        ((3, 11, 14), False),
        ((3, 12, 1), True),
        ((3, 12, 2), False),
        ((3, 13, 0), False),
        ((3, 10, 12), False),
    ],
)
def test_only_the_pythons_with_the_bug_are_affected(version, expected):
    assert patches.affected(version) is expected


def test_compilation_goes_through_the_lock_once_installed():
    from chameleon.template import BaseTemplate
    from chameleon.zpt.template import PageTemplate

    patches.compile_one_at_a_time()
    patches.compile_one_at_a_time()
    wrapped = BaseTemplate._cook
    assert getattr(wrapped, patches.MARK)
    # Installed once: the wrapper does not wrap itself.
    assert not getattr(wrapped.__wrapped__, patches.MARK, False)

    results = []

    def render(number):
        template = PageTemplate(f'<p tal:content="python: {number} * 2">x</p>')
        results.append(template())

    threads = [threading.Thread(target=render, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted(f"<p>{n * 2}</p>" for n in range(8))
