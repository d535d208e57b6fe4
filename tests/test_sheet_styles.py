"""The reports' shortcut for plain notes draws exactly what the long way draws.

Plain notes skip the markup parser (``styles.plain``, used by the reports built of
paragraphs); each is compared with the long way, fragment by fragment. The case sheets no
longer use paragraphs: their layout is tested in tests/test_sheets_layout.py.
"""

from __future__ import annotations

import random

from fieldwork.reports.styles import Para, paragraphs, plain, styles, text


def _frags(paragraph: Para) -> list[list[tuple[str, object]]]:
    return [sorted(vars(f).items()) for f in paragraph.frags]


def test_a_plain_note_becomes_the_paragraph_the_parser_would_make() -> None:
    rng = random.Random(5)
    pieces = [*"abc xyzłşüЖ'\"!?.;-()%£€", "\u00a0", "\u2003", "\t", "  ", "word", "&", "<b>", "\n"]
    for _ in range(2000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        for style in (styles().note, styles().cell):
            quick, parsed = plain(raw, style, "Note:"), Para(text(raw), style, bulletText="Note:")
            assert _frags(quick) == _frags(parsed), repr(raw)
            assert (quick.text, quick.bulletText) == (parsed.text, parsed.bulletText)


def test_markup_in_a_note_still_prints_as_typed() -> None:
    [note] = paragraphs("<b>not bold</b> & co", styles().note, "Note:")
    assert "".join(f.text for f in note.frags) == "<b>not bold</b> & co"
    assert not any(f.bold for f in note.frags)
