"""Untrusted text: ticket subjects and bodies come from strangers.

Two jobs. On the way in, bytes that are not UTF-8 are kept as they came (`decode_untrusted`
returns the original bytes beside a readable text). On the way out, nothing a stranger wrote
may act on the terminal: `visible` turns control characters (escape sequences, OSC 52
clipboard writes, bidirectional overrides) into harmless visible marks. Rich markup needs no
escaping here because the UI never parses ticket text as markup; it builds `Text` objects."""

from __future__ import annotations

import re


def decode_untrusted(data: bytes) -> tuple[str, bytes | None]:
    """Text to store and show, plus the original bytes when they were not valid UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), data


# What may act on a terminal or change how text reads: the C0 and C1 controls (Unicode's Cc),
# lone surrogates (Cs) and the bidirectional controls ("Trojan Source"). Private-use and
# unassigned characters print as themselves.
_ACTING = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _mark(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␇ for BEL
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str, *, keep_newlines: bool = True, tab: str = "    ") -> str:
    """`text` with every control character shown as a visible mark instead of acting.

    Newlines stay newlines when `keep_newlines` (a thread view); otherwise they become "⏎" so a
    subject with a newline still fits on one row. Tabs become spaces: their width depends on
    the terminal otherwise. Text without such characters (nearly all) comes back as it is,
    after one regular-expression scan: every row of the list is painted through here."""

    def shown(match: re.Match[str]) -> str:
        char = match.group()
        if char == "\n":
            return "\n" if keep_newlines else "\u23ce"
        if char == "\t":
            return tab
        if char == "\r":
            return "" if keep_newlines else "\u23ce"
        return _mark(char)

    return _ACTING.sub(shown, text)


def one_line(text: str, width: int | None = None) -> str:
    """A single visible line, cut to `width` characters with an ellipsis."""
    line = visible(text, keep_newlines=False, tab=" ")
    if width is not None and len(line) > width:
        return line[: max(width - 1, 0)] + "\u2026"
    return line
