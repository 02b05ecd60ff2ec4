"""The mail parser against real-world-shaped messages (`tests/fixtures/mail/*.eml`).

Customer mail comes from Outlook, Gmail, Thunderbird and Apple Mail, in KOI8-R, windows-1251
(labelled or not) and ISO-8859-5, as HTML only, with hostile or encoded file names, from
auto-responders, lists and mail servers reporting a failure, and sometimes broken. For each
file, `expected.toml` says what the desk must make of it: who sent it, what it answers, its
kind, the text shown, the files and, for a bounce, which of our messages failed and why.
Every file must also parse without an exception, keep its bytes, give text without ESC or NUL
(it is shown on a terminal) and file names safe to save under. A file without a table in
`expected.toml` fails, so the corpus cannot grow unchecked.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.core.mail.parse import Incoming, parse

MAIL = Path(__file__).parent.parent / "fixtures" / "mail"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads(
    (MAIL / "expected.toml").read_text(encoding="utf-8")
)

_EQUAL: dict[str, Callable[[Incoming], object]] = {
    "kind": lambda m: m.kind.value,
    "sender": lambda m: m.sender,
    "sender_name": lambda m: m.sender_name,
    "answers": lambda m: list(m.answers),
    "answers_first": lambda m: m.answers[0] if m.answers else "",
    "attachments": lambda m: [a.filename for a in m.attachments],
    "bounce_recipient": lambda m: m.bounce and m.bounce.recipient,
    "bounce_original": lambda m: m.bounce and (m.bounce.original_ids or ("",))[0],
}
_CONTAINS: dict[str, Callable[[Incoming], str]] = {
    "subject_contains": lambda m: m.subject,
    "mail_id_contains": lambda m: m.mail_id,
    "text_contains": lambda m: m.text,
    "why_contains": lambda m: m.why_automatic or "",
    "bounce_reason_contains": lambda m: m.bounce.reason if m.bounce else "",
}


def _files() -> list[Any]:
    """Every .eml file of the corpus."""
    return [pytest.param(path, id=path.name) for path in sorted(MAIL.glob("*.eml"))]


@pytest.mark.parametrize("path", _files())
def test_mail_parses_as_expected(path: Path) -> None:
    assert path.name in EXPECTED, f"{path.name} has no [{path.name!r}] table in expected.toml"
    raw = path.read_bytes()
    mail = parse(raw)

    assert mail.raw == raw
    assert "\x1b" not in mail.text and "\x00" not in mail.text
    for attachment in mail.attachments:
        name = attachment.filename
        assert name and len(name) <= 120, name
        assert "/" not in name and "\\" not in name and not name.startswith("."), name

    for key, want in EXPECTED[path.name].items():
        if key in _EQUAL:
            got = _EQUAL[key](mail)
            assert got == want, key
        elif key in _CONTAINS:
            text = _CONTAINS[key](mail)
            for piece in [want] if isinstance(want, str) else want:
                assert piece in text, key
        elif key == "text_lacks":
            for piece in want:
                assert piece not in mail.text, key
        else:
            pytest.fail(f"{path.name}: unknown key {key!r} in expected.toml")


def test_every_expectation_has_its_file() -> None:
    assert sorted(EXPECTED) == sorted(path.name for path in MAIL.glob("*.eml"))
