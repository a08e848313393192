"""Small helpers the tests share."""

from plone import api

import base64


# A 1x1 PNG: the smallest real image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def as_user(portal, userid):
    """Run a block as ``userid``, then go back to whoever ran before."""
    return api.env.adopt_user(username=userid)
