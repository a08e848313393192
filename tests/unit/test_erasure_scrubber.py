"""Cutting names and addresses out of a message's HTML (core.privacy.erasure):
whole words only, never the markup."""

from collective.tickets.core.privacy.scrub import REDACTED
from collective.tickets.core.privacy.scrub import scrubber


def test_whole_words_in_the_text_addresses_in_links_markup_untouched():
    scrub = scrubber({"Ana", "del", "ana@example.com", "Carla Customer"})
    html = (
        '<p>Ana wrote: <a href="mailto:ana@example.com">ana@example.com</a>, '
        "Banana <del>old</del> del. Carla CUSTOMER.</p>"
    )
    assert scrub(html) == (
        f'<p>{REDACTED} wrote: <a href="mailto:{REDACTED}">{REDACTED}</a>, '
        f"Banana <del>old</del> {REDACTED}. {REDACTED}.</p>"
    )


def test_the_escaped_form_of_a_name_is_found_too():
    scrub = scrubber({"Tom & Jerry"})
    assert scrub("<p>Hi Tom &amp; Jerry</p>") == f"<p>Hi {REDACTED}</p>"


def test_nothing_to_cut_leaves_the_text_as_it_is():
    assert scrubber(set())("<p>Hello</p>") == "<p>Hello</p>"
    assert scrubber({"Ana"})("") == ""
