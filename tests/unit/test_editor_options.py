"""The editor's options are deep-copied through JSON (browser/widgets.py):
the copies must be equal to the options and independent of them."""

from collective.tickets.browser.widgets import _cheap_to_copy
from copy import deepcopy
from plone.app.z3cform.utils import dict_merge

import json
import unittest


OPTIONS = {
    "base_url": "http://nohost/plone/ticket",
    "imageTypes": ["Image"],
    "inline": False,
    "tiny": {"menu": {"edit": {"items": "undo redo"}}, "plugins": ["link", "lists"]},
    "upload": {"maxFiles": 1, "initialFolder": None},
}


class TestCheapToCopy(unittest.TestCase):
    def test_a_deep_copy_is_equal_and_independent(self):
        shared = _cheap_to_copy(json.loads(json.dumps(OPTIONS)))
        copied = deepcopy(shared)
        self.assertEqual(copied, OPTIONS)
        copied["tiny"]["menu"]["edit"]["items"] = "changed"
        copied["imageTypes"].append("File")
        copied["upload"]["maxFiles"] = 9
        self.assertEqual(shared, OPTIONS)

    def test_plones_merges_give_what_they_gave_before(self):
        extra = {"tiny": {"plugins": ["code"], "height": 300}}
        expected = dict_merge(dict_merge(deepcopy(OPTIONS), {}), extra)
        shared = _cheap_to_copy(json.loads(json.dumps(OPTIONS)))
        merged = dict_merge(dict_merge(shared.copy(), {}), extra)
        self.assertEqual(merged, expected)
        self.assertEqual(json.dumps(merged), json.dumps(expected))
        self.assertEqual(shared, OPTIONS)
