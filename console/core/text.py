"""Untrusted text: ticket subjects and bodies come from strangers.

Two jobs. On the way in, bytes that are not UTF-8 are kept as they came (`decode_untrusted`
returns the original bytes beside a readable text). On the way out, nothing a stranger wrote
may act on the terminal: `visible` turns control characters (escape sequences, OSC 52
clipboard writes, bidirectional overrides) into harmless visible marks. Rich markup needs no
escaping here because the UI never parses ticket text as markup; it builds `Text` objects."""

from __future__ import annotations

import unicodedata

# Bidirectional controls can make text read differently from what it is ("Trojan Source").
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def decode_untrusted(data: bytes) -> tuple[str, bytes | None]:
    """Text to store and show, plus the original bytes when they were not valid UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), data


def _mark(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␇ for BEL
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def _needs_mark(char: str) -> bool:
    if char in _BIDI_CONTROLS:
        return True
    category = unicodedata.category(char)
    # Cc: C0/C1 controls; Cs: lone surrogates; Co/Cn are left alone (private use is printable).
    return category in ("Cc", "Cs")


def visible(text: str, *, keep_newlines: bool = True, tab: str = "    ") -> str:
    """`text` with every control character shown as a visible mark instead of acting.

    Newlines stay newlines when `keep_newlines` (a thread view); otherwise they become "⏎" so a
    subject with a newline still fits on one row. Tabs become spaces: their width depends on
    the terminal otherwise."""
    out: list[str] = []
    for char in text:
        if char == "\n":
            out.append("\n" if keep_newlines else "\u23ce")
        elif char == "\t":
            out.append(tab)
        elif char == "\r":
            out.append("" if keep_newlines else "\u23ce")
        elif _needs_mark(char):
            out.append(_mark(char))
        else:
            out.append(char)
    return "".join(out)


def one_line(text: str, width: int | None = None) -> str:
    """A single visible line, cut to `width` characters with an ellipsis."""
    line = visible(text, keep_newlines=False, tab=" ")
    if width is not None and len(line) > width:
        return line[: max(width - 1, 0)] + "\u2026"
    return line
