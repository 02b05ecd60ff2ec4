"""Untrusted text: stored losslessly, shown with control characters visible."""

from __future__ import annotations

from console.core import operations
from console.core.desk import Desk
from console.core.store import Store
from console.core.text import decode_untrusted, one_line, visible


def test_escape_sequences_become_visible_marks() -> None:
    hostile = "a\x1b[2Jb\x1b]52;c;ZXZpbA==\x07c\x9bd\u202eevil"
    shown = visible(hostile)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert shown == "a\u241b[2Jb\u241b]52;c;ZXZpbA==\u2407c<U+009B>d<U+202E>evil"


def test_markup_is_left_as_plain_characters() -> None:
    assert visible("[bold red]x[/] [link=http://e.vil]y[/link]") == (
        "[bold red]x[/] [link=http://e.vil]y[/link]"
    )


def test_one_line_keeps_rows_single_and_short() -> None:
    assert one_line("a\nb\tc\r\n", 20) == "a\u23ceb c\u23ce\u23ce"
    assert one_line("x" * 50, 10) == "x" * 9 + "\u2026"


def test_invalid_utf8_is_kept_recoverably(store: Store, desk: Desk) -> None:
    data = b"caf\xe9 \xff\xfe end"
    text, raw = decode_untrusted(data)
    assert raw == data and text.startswith("caf\ufffd")
    t = operations.create_ticket(desk, subject="raw", requester="x@y.z", body=text, body_raw=raw)
    assert store.ticket(t.id).body_raw == data
    assert decode_untrusted("ünïcode".encode()) == ("ünïcode", None)


def test_five_megabyte_body_round_trips(store: Store, desk: Desk) -> None:
    body = ("\x1b[31mred\x1b[0m [b]x[/b] " * 300_000)[: 5 * 1024 * 1024]
    t = operations.create_ticket(desk, subject="big", requester="x@y.z", body=body)
    assert store.ticket(t.id).body == body
    assert len(store.tickets()[0].subject) <= 300
