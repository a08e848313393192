"""Site secrets for signing what the add-on sends out (unsubscribe links,
reply addresses, Message-IDs).

Each use has a ring of its own in the site's plone.keyring. Our rings are
never rotated automatically (``_system`` is rotated weekly and would break
every link and address of a ticket older than a few weeks); each holds
several keys so an administrator can rotate one by hand while what was
signed with the previous keys keeps working until their key drops out.
"""

from plone.keyring.interfaces import IKeyManager
from plone.keyring.keyring import Keyring
from zope.component import getUtility

import base64
import hashlib
import hmac


def ring_keys(name, create=False):
    """The keys of the ring ``name``, newest first ([] while it does not
    exist and ``create`` is false)."""
    manager = getUtility(IKeyManager)
    if name not in manager:
        if not create:
            return []
        manager[name] = Keyring(5)
        manager[name].fill()
    return [key for key in manager[name] if key]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def digest(key, payload):
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest()
