"""Inline images of a mail pointed at the attachments they became
(core.mailin.store.link_inline_images)."""

from collective.tickets.core.mailin.store import link_inline_images
from types import SimpleNamespace


def test_the_cid_image_points_to_its_attachment_text_stays_text():
    content = SimpleNamespace(
        html='&lt;b&gt;Hi&lt;/b&gt; see <img src="cid:pic1"><img src="cid:gone">',
        inline={"pic1": 0},
        files=[("screen shot.png", b"", "image/png")],
    )
    link_inline_images(content)
    # The text before the first element stays escaped; the image whose part
    # was not stored goes.
    assert content.html == (
        '&lt;b&gt;Hi&lt;/b&gt; see <img src="@@attachment/0/screen%20shot.png">'
    )
