"""What a customer wrote this time, apart from the history their mail program quoted under it
and their signature: the thread shows the first and folds the rest (the stored text keeps
everything).

The maintained quote-stripping libraries know English and western European mail programs but
not the Russian and Ukrainian ones the seeds' customers use ("… пишет:", "От: … Отправлено:"),
so the markers are listed here, in one place: the reply headers of Gmail, Apple Mail,
Thunderbird and Outlook in English, Russian, Ukrainian, German, French and Spanish, the
"Original Message" separators, the signature delimiter (`-- `), and a trailing run of `>`
lines. Only what comes after the writer's own words is folded: an answer written between
quoted lines stays as it is, and a message that is nothing but a quote is not folded at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WROTE = re.compile(
    r"^\s*(?:>\s*)?\S.{0,250}?\b(wrote|writes|schrieb|a écrit|escribió|пишет|писал|писала|"
    r"написал|написала|написал\(а\)|пише|писав|писала|написав|написала|написав\(ла\))\s*:\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(original message|forwarded message|исходное сообщение|"
    r"пересылаемое сообщение|оригінальне повідомлення|перенаправлене повідомлення|"
    r"ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_DATED_ADDRESS = re.compile(r"^\s*\S.{0,120}\d{1,2}:\d{2}.{0,120}<[^<>\s]+@[^<>\s]+>\s*:\s*$")
"""A reply header without a verb, as Gmail writes it in Russian: "пн, 2 нояб. 2026 г. в
10:05, Support <support@example.com>:"."""
_DIGIT = re.compile(r"\d")
_FROM = re.compile(r"^\s*\*?(from|от|від|von|de)\s*:\*?\s*\S", re.IGNORECASE)
_SENT = re.compile(
    r"^\s*\*?(sent|date|отправлено|дата|надіслано|gesendet|envoyé|enviado)\s*:\*?\s*\S",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{20,}\s*$")
_SIGNATURE = re.compile(r"^-- ?$")


@dataclass(frozen=True)
class Folded:
    said: str
    """The writer's own words."""
    quoted: str
    """What follows them: quoted history, a signature ("" when there is none)."""

    @property
    def quoted_lines(self) -> int:
        return len([line for line in self.quoted.splitlines() if line.strip()])


def fold(text: str) -> Folded:
    """`text` split where the quoted history (or the signature) begins."""
    lines = text.splitlines()
    cut = _first_marker(lines)
    if cut is None:
        cut = _trailing_quote(lines)
    if cut is None or not "".join(lines[:cut]).strip():
        return Folded(text, "")
    return Folded("\n".join(lines[:cut]).rstrip(), "\n".join(lines[cut:]).strip("\n"))


def _first_marker(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _SIGNATURE.match(line) or _SEPARATOR.match(line) or _RULE.match(line):
            return index
        for candidate in (line, f"{line} {following}"):
            # A date in it: "the system writes:" before an error message is the customer's.
            if _WROTE.match(candidate) and _DIGIT.search(candidate):
                return index
        if _DATED_ADDRESS.match(line):
            return index
        if _FROM.match(line) and any(_SENT.match(later) for later in lines[index + 1 : index + 4]):
            return index
    return None


def _trailing_quote(lines: list[str]) -> int | None:
    """Where the run of `>` lines that ends the message begins (blank lines allowed in it)."""
    start = None
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].strip()
        if not line:
            continue
        if not line.startswith(">"):
            break
        start = index
    return start
