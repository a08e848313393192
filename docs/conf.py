"""Sphinx configuration of the collective.tickets documentation (make docs)."""

project = "collective.tickets"
author = "collective.tickets developers"
copyright = "2026, collective.tickets developers"
extensions = []
exclude_patterns = [
    "_build",
    "http-examples/*.req",
    "http-examples/*.resp",
    # Texts to send to other projects, not pages of ours.
    "upstream/*",
]
html_theme = "alabaster"
html_static_path = ["_static"]
language = "en"
