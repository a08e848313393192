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
