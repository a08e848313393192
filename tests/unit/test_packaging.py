"""The pins: one constraints.txt, and buildout's versions.cfg made from it."""

from pathlib import Path

import subprocess
import sys
import unittest


ROOT = Path(__file__).resolve().parents[2]


class TestPins(unittest.TestCase):
    def test_versions_cfg_matches_constraints(self):
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_versions.py"), "--check"],
            capture_output=True,
            text=True,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_every_constraint_is_an_exact_pin_and_no_pre_release(self):
        for line in (ROOT / "constraints.txt").read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, version = line.partition("==")
            self.assertEqual(sep, "==", line)
            self.assertRegex(version, r"^[0-9]+(\.[0-9]+)*(\.post[0-9]+)?$", line)


def _setup_call():
    """The keyword arguments of setup.py's ``setup()`` call, read, not run."""
    import ast

    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setup":
            return {kw.arg: kw.value for kw in node.keywords}
    raise AssertionError("setup.py calls no setup()")


def _names(requirements):
    import re

    return {
        re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower() for req in requirements
    }


def _requires(name, seen):
    """``name`` and everything it requires, as installed here."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import requires

    key = name.lower().replace("_", "-")
    if key in seen:
        return seen
    seen.add(key)
    try:
        needs = requires(name) or []
    except PackageNotFoundError:
        return seen
    for need in needs:
        if "extra ==" in need:
            continue
        for dependency in _names([need]):
            _requires(dependency, seen)
    return seen


class TestBenchDependencies(unittest.TestCase):
    """make bench installs ``.[bench]`` on top of ``make install``: every
    profile the bench's site installs must come from what the package
    declares (a missing plone.app.discussion once broke it on fresh
    machines)."""

    def test_every_profile_of_the_bench_site_is_declared(self):
        import ast

        call = _setup_call()
        declared = _names(ast.literal_eval(call["install_requires"]))
        extras = ast.literal_eval(call["extras_require"])
        declared |= _names(extras["bench"]) | _names(extras["test"])
        self.assertIn("plone.app.discussion", _names(extras["bench"]))
        reachable = set()
        for name in declared:
            _requires(name, reachable)
        source = (ROOT / "scripts" / "bench_site.py").read_text(encoding="utf-8")
        profiles = ast.literal_eval(
            source.split("PROFILES = ", 1)[1].split("]", 1)[0] + "]"
        )
        for profile in profiles:
            package = profile.split(":")[0]
            if package == "collective.tickets":
                continue
            self.assertIn(package.replace("_", "-"), reachable, profile)
