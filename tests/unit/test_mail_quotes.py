"""Only the new text of a reply mail is kept: the quoted history, the
attribution line and the client's signature go, and no text is ever lost.

Run over the reply mails in tests/fixtures/mail/replies (real mails of public
fixture sets and mails built on the clients' real formats, see NOTICE.rst);
each has the text a person would keep in ``<name>.expected.txt`` (and, where
the HTML part of a real mail says something else than its plain part, in
``<name>.expected.html.txt``).
"""

from collective.tickets.core.mailin.quotes import html_text
from collective.tickets.core.mailin.quotes import new_html
from collective.tickets.core.mailin.quotes import new_text
from collective.tickets.core.mailin.quotes import SPANISH_WROTE_HEADER
from email import policy
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.constants import QUOTED_MATCH_INCLUDE
from pathlib import Path

import email
import lxml.html
import pytest
import quotequail
import re


REPLIES = Path(__file__).parent.parent / "fixtures" / "mail" / "replies"
FIXTURES = sorted(REPLIES.glob("*.eml"))

ATTRIBUTION = re.compile(
    r"(^|\n)\s*>?\s*(On |El |-----|________|From: |De: |Sent: |Enviado: )"
)

SPANISH_REPLY = """\
Sí, ya funciona. Gracias.

El mié, 25 nov 2026 a las 10:00, Soporte <soporte@example.com> escribió:
> Hola Carla,
> ¿Puede probar a reiniciar la impresora?
"""


def words(text):
    """Text with its whitespace normalised, for comparisons."""
    return " ".join(text.replace("\xa0", " ").split())


def parts(path):
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    found = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html") and not part.is_attachment():
            found.setdefault(kind, part.get_content())
    return found


def expected(path, kind):
    html_only = path.with_name(path.stem + ".expected.html.txt")
    if kind == "text/html" and html_only.exists():
        return html_only.read_text()
    return path.with_name(path.stem + ".expected.txt").read_text()


def history_lines(body, kept):
    """Lines of the body that a person would not keep: all lines that are not
    part of the expected new text."""
    kept_words = words(kept)
    return [
        line
        for line in (words(line) for line in body.split("\n"))
        if line and line.lstrip("> ") and line not in kept_words
    ]


def test_every_reply_fixture_has_expected_text():
    assert len(FIXTURES) >= 20
    for path in FIXTURES:
        assert path.with_name(path.stem + ".expected.txt").exists(), path.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_plain_text_keeps_exactly_the_new_text(path):
    bodies = parts(path)
    if "text/plain" not in bodies:
        pytest.skip("no text/plain part")
    body = bodies["text/plain"]
    wanted = expected(path, "text/plain")
    kept = new_text(body)
    assert words(kept) == words(wanted)
    if words(kept) != words(body):
        for line in history_lines(body, wanted):
            assert line not in words(kept).split("\n")
            assert not ATTRIBUTION.search(kept), kept


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_html_keeps_exactly_the_new_text(path):
    bodies = parts(path)
    if "text/html" not in bodies:
        pytest.skip("no text/html part")
    body = bodies["text/html"]
    wanted = expected(path, "text/html")
    kept = new_html(body)
    assert words(html_text(kept)) == words(wanted)
    # What is left is well-formed markup that lxml reads back as it was.
    assert lxml.html.fragment_fromstring(kept, create_parent="div") is not None
    kept_text = html_text(kept)
    if words(kept_text) != words(html_text(body)):
        assert not ATTRIBUTION.search(kept_text), kept_text
        assert ">" not in "".join(line[:1] for line in kept_text.split("\n"))


def test_inline_image_reference_survives():
    # The receive code stores the related image part; the reference to it
    # must stay in the new part.
    body = parts(REPLIES / "gmail-es-html-inline-image.eml")["text/html"]
    assert 'src="cid:ii_toner01"' in new_html(body)


# The libraries' known defects, and that this module makes up for them.


def test_mail_parser_reply_alone_keeps_the_spanish_history():
    reply = EmailReplyParser(languages=["es", "en"]).parse_reply(SPANISH_REPLY)
    if "escribió:" not in reply:
        pytest.fail(
            "mail-parser-reply now cuts the Spanish attribution line: the "
            "pattern override in quotes.py and docs/upstream can go."
        )
    assert "¿Puede probar a reiniciar la impresora?" in reply


def test_quotequail_alone_keeps_the_attribution_line():
    top = quotequail.quote(SPANISH_REPLY)[0][1]
    assert "escribió:" in top
    assert "> Hola Carla" not in top


def test_the_spanish_history_and_attribution_go():
    assert new_text(SPANISH_REPLY) == "Sí, ya funciona. Gracias."


def test_the_corrected_pattern_is_the_one_proposed_upstream():
    patch = (
        Path(__file__).parent.parent.parent
        / "docs"
        / "upstream"
        / "mail-parser-reply-spanish.patch"
    ).read_text()
    added = re.findall(r"^\+.*?\br'(.*)'", patch, re.MULTILINE)
    assert len(added) == 2
    assert added[0] + QUOTED_MATCH_INCLUDE + added[1] == SPANISH_WROTE_HEADER
    removed = re.findall(r"^-.*?\br'(.*)'", patch, re.MULTILINE)
    broken = removed[0] + QUOTED_MATCH_INCLUDE + removed[1]
    # The override applies while the installed release has this pattern.
    assert MAIL_LANGUAGES["es"]["wrote_header"] == broken


@pytest.mark.parametrize(
    "attribution",
    [
        "El mié, 25 nov 2026 a las 10:00, Soporte <soporte@example.com> escribió:",
        "El mié., 25 nov. 2026 10:00, Soporte <soporte@example.com> escribió:",
        "El 25 nov 2026, a las 10:00, Soporte <soporte@example.com> escribió:",
        "El 25/11/26 a las 10:00, Soporte escribió:",
        "On Wed, 25 Nov 2026 at 10:00, Soporte <s@example.com> wrote:",
        "On 25 Nov 2026, at 10:00, Soporte <soporte@example.com> wrote:",
    ],
)
def test_attribution_lines_of_each_client_go(attribution):
    text = f"Gracias.\n\n{attribution}\n\n> Hola Carla,\n> ¿Algo más?\n"
    assert new_text(text) == "Gracias."


@pytest.mark.parametrize(
    "signature",
    ["Enviado desde mi iPhone", "Sent from my iPhone", "Enviado desde mi Android"],
)
def test_mobile_signature_goes(signature):
    assert new_text(f"Ya funciona.\n\n{signature}\n") == "Ya funciona."


def test_signature_after_separator_goes():
    assert new_text("Ya funciona.\n\n-- \nCarla Customer\nAcme\n") == "Ya funciona."


# Real text is never cut.


def test_escribio_in_the_middle_of_a_sentence_is_kept():
    text = (
        "Hola,\n\nEl técnico que vino ayer escribió: «cambiar el fusor».\n"
        "¿Lo hacen ustedes?\n\nCarla"
    )
    assert new_text(text) == text


def test_a_line_of_its_own_ending_in_escribio_is_kept_without_a_quote_under_it():
    text = "Hola,\n\nEl técnico de ayer me escribió:\ncambiar el fusor.\n\nCarla"
    assert new_text(text) == text


def test_wrote_in_a_sentence_is_kept():
    text = "On Monday the engineer wrote: replace the fuser.\nCan you do it?"
    assert new_text(text) == text


def test_inline_answers_keep_the_whole_message():
    # Answers between quoted lines belong to the quote they answer: cutting
    # would lose them, keeping the quotes costs a few lines.
    text = (
        "El mié, 25 nov 2026 a las 10:00, Soporte <soporte@example.com> escribió:\n"
        "> ¿Está bien colocado el tóner?\n\nSí.\n\n> ¿Hay un código de error?\n\n"
        "Sí: 50.4\n"
    )
    assert new_text(text) == text


def test_top_answer_above_an_interleaved_quote_keeps_everything():
    text = "Mire abajo.\n\nEl lun, Soporte escribió:\n> ¿Tóner?\n\nSí.\n\n> ¿Error?\n\n50.4\n"
    assert new_text(text) == text


def test_bottom_posted_answer_is_kept_alone():
    text = (
        "El 25/11/26 a las 10:00, Soporte escribió:\n> ¿Tóner?\n> ¿Error?\n\nSí, 50.4\n"
    )
    assert new_text(text) == "Sí, 50.4"


def test_a_reply_that_is_all_quote_is_kept_whole():
    text = (
        "El mié, 25 nov 2026 a las 10:00, Soporte <s@example.com> escribió:\n> Hola\n"
    )
    assert new_text(text) == text
    html = (
        '<div class="gmail_quote"><div class="gmail_attr">El mié, 25 nov 2026 a '
        "las 10:00, Soporte escribió:</div><blockquote>Hola</blockquote></div>"
    )
    assert new_html(html) == html


def test_empty_and_unquoted_bodies_come_back_unchanged():
    assert new_text("") == ""
    assert new_text("Solo una línea.") == "Solo una línea."
    assert new_html("") == ""
    assert words(html_text(new_html("<p>Solo <b>una</b> línea.</p>"))) == (
        "Solo una línea."
    )


def test_html_blockquote_with_answers_after_it_is_kept():
    html = (
        "<div>El 25/11/26 a las 10:00, Soporte escribió:</div>"
        '<blockquote type="cite">¿Tóner?</blockquote><div>Sí, está bien.</div>'
        '<blockquote type="cite">¿Error?</blockquote><div>50.4</div>'
    )
    assert words(html_text(new_html(html))) == words(html_text(html))
