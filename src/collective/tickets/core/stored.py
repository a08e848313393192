"""What the add-on keeps in annotations: of the site (ticket numbers, canned
replies, erased addresses, ...) or of a ticket (its history, its record of
access). An annotation's name is reached by no URL, so nothing kept there
can be published or traversed to."""

from zope.annotation.interfaces import IAnnotations


def stored(obj, key, factory=None):
    """What is kept under ``key`` in ``obj``'s annotations; when nothing
    is, a new ``factory()`` is kept and returned if a factory is given,
    else ``None``."""
    annotations = IAnnotations(obj)
    value = annotations.get(key)
    if value is None and factory is not None:
        value = annotations[key] = factory()
    return value
