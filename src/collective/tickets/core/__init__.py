"""The domain of collective.tickets, with no user interface.

Lifecycle, conversation, queries, states, events, people, CC addresses,
settings, errors and text conversion live here. Nothing in this package
imports ``browser``, ``restapi``, ``contentrules``, ``setuphandlers`` or
``profiles``: the screens, the endpoints and the rules sit on top of it
(``tests/unit/test_import_direction.py`` walks the imports to keep it so).
"""
