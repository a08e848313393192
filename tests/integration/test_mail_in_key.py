"""core.mailin.key: the mail-in key, as pytest functions on pytest-plone's
``portal`` fixture."""

from collective.tickets.core.mailin.key import key_matches
from collective.tickets.core.mailin.key import KEY_RECORD
from collective.tickets.core.mailin.key import mail_in_key
from collective.tickets.core.mailin.key import renew_mail_in_key
from collective.tickets.core.mailin.key import stored_key
from collective.tickets.interfaces import ITicketSettings
from plone.registry.interfaces import IRegistry
from zope.component import getUtility

import pytest


@pytest.fixture()
def registry(portal):
    registry = getUtility(IRegistry)
    if KEY_RECORD in registry.records:
        del registry.records[KEY_RECORD]
    return registry


def test_the_key_is_made_on_first_use_and_then_kept(registry):
    assert stored_key() is None
    key = mail_in_key()
    assert len(key) >= 43  # 32 random bytes in URL-safe base64
    assert registry[KEY_RECORD] == key
    assert mail_in_key() == key


def test_renewing_makes_a_new_key(registry):
    old = mail_in_key()
    new = renew_mail_in_key()
    assert new != old
    assert mail_in_key() == new
    assert not key_matches(old)
    assert key_matches(new)


def test_only_the_key_matches(registry):
    key = mail_in_key()
    assert key_matches(key)
    for value in (None, "", key[:-1], key + "=", key.upper(), " " + key, "clé"):
        assert not key_matches(value), value


def test_without_a_key_nothing_matches_and_checking_stores_nothing(registry):
    assert not key_matches("")
    assert not key_matches("anything")
    assert KEY_RECORD not in registry.records


def test_the_key_is_no_field_of_the_settings_form():
    assert "mail_in_key" not in ITicketSettings
    assert not KEY_RECORD.startswith(ITicketSettings.__identifier__)
