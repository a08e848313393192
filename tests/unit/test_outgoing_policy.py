"""Outgoing mail as zope.sendmail's queue reads it."""

from collective.tickets.contentrules.mail import build_message
from zope.sendmail.delivery import QueuedMailDelivery

import email
import transaction


# Python's folder moves a Message-ID of 67 to 77 characters to a line of its
# own (a longer one cannot be helped by folding and stays).
ROOT = "<ticket.0123456789abcdef0123456789abcdef.abcdefghijklmnop@example.com>"


def test_a_long_message_id_stays_on_its_line_and_the_queue_takes_it(tmp_path):
    assert 67 <= len(ROOT) <= 77
    message = build_message(
        "Asunto con ñ",
        "texto",
        "<p>texto</p>",
        "Soporte <soporte@example.com>",
        "cliente@example.com",
        "soporte+0123456789abcdef0123456789abcdef-abcdefghijklmnop@example.com",
        ROOT,
        ROOT,
    )
    raw = message.as_bytes()
    assert f"\r\nMessage-ID: {ROOT}\r\n".encode() in raw
    # Other headers are still folded at 78 characters, as SMTP prefers.
    assert all(
        len(line) <= 78
        for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]
        if not line.startswith(b"Message-ID")
    )
    for folder in ("cur", "new", "tmp"):
        (tmp_path / folder).mkdir()
    delivery = QueuedMailDelivery(str(tmp_path))
    try:
        assert (
            delivery.send("soporte@example.com", ["cliente@example.com"], raw)
            == ROOT[1:-1]
        )
        transaction.commit()
    finally:
        transaction.abort()
    (queued,) = list((tmp_path / "new").iterdir())
    assert email.message_from_bytes(queued.read_bytes())["Message-ID"] == ROOT
