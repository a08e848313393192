"""Named vocabularies of the settings (plone.registry stores a choice field
only with a named vocabulary)."""

from collective.tickets import _
from zope.interface import provider
from zope.schema.interfaces import IVocabularyFactory
from zope.schema.vocabulary import SimpleTerm
from zope.schema.vocabulary import SimpleVocabulary


IMAP_SECURITY = (
    ("tls", _("imap_security_tls", default="TLS from the start (port 993)")),
    ("starttls", _("imap_security_starttls", default="STARTTLS (port 143)")),
    ("none", _("imap_security_none", default="None (only on a trusted network)")),
)


@provider(IVocabularyFactory)
def imap_security(context):
    return SimpleVocabulary(
        [SimpleTerm(value, value, title) for value, title in IMAP_SECURITY]
    )


ERASURE_ACTIONS = (
    ("anonymise", _("erasure_anonymise", default="Keep the tickets, anonymised")),
    ("delete", _("erasure_delete", default="Delete the tickets")),
)


@provider(IVocabularyFactory)
def erasure_actions(context):
    return SimpleVocabulary(
        [SimpleTerm(value, value, title) for value, title in ERASURE_ACTIONS]
    )
