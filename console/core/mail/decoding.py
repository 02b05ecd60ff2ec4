"""Text out of a message's bytes: headers and bodies in whatever charset they came in.

Shared by the parser and by the recognition of automatic mail. See `parse` for the guesses
made when a charset is missing or wrong."""

from __future__ import annotations

import re
from email import policy
from email.message import Message

_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_LOWER_CYRILLIC = re.compile("[а-яёіїєґў]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def header(msg: Message, name: str, *, every: bool = False) -> str:
    """A header's decoded text ("" when absent); with `every`, all of them, one per line.

    The message is parsed with the fast compat32 policy; the few headers read here are
    decoded with the modern one (encoded words, RFC 2231). Raw 8-bit bytes, which some
    mailers put in headers unencoded, are read with the same guesses as a body, before the
    policy turns them into replacement characters. A header the policy cannot parse is read
    as its raw text."""
    values = []
    for key, raw in msg.raw_items():
        if key.lower() != name.lower():
            continue
        if raw.isascii() and "=?" not in raw:  # nothing to decode: most headers of most mail
            values.append(_FOLD.sub("", raw).strip())
            continue
        if _has_raw_bytes(raw):
            values.append(undo_surrogates(_FOLD.sub("", raw)).strip())
            continue
        try:
            values.append(str(policy.default.header_fetch_parse(key, raw)))
        except Exception:  # noqa: BLE001 - a malformed header must not lose the mail
            values.append(_FOLD.sub("", raw).strip())
    return "\n".join(values) if every else (values[0] if values else "")


def _has_raw_bytes(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def one_line(text: str) -> str:
    """Header text on one line: folded whitespace and control characters become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def undo_surrogates(text: str) -> str:
    """Text with the raw 8-bit bytes the parser kept as surrogates read as characters."""
    if not _has_raw_bytes(text):
        return text
    return decode(text.encode("utf-8", "surrogateescape"))


def addresses(msg: Message, name: str) -> list[tuple[str, str | None]]:
    """(address, display name) pairs of an address header, however broken it is."""
    found: list[tuple[str, str | None]] = []
    raws = [(key, raw) for key, raw in msg.raw_items() if key.lower() == name]
    plain = [_plain_addresses(raw) for _, raw in raws]
    if all(pairs is not None for pairs in plain):
        return [pair for pairs in plain for pair in pairs or ()]
    try:
        for key, raw in raws:
            for address in getattr(policy.default.header_fetch_parse(key, raw), "addresses", ()):
                if address.addr_spec and "@" in address.addr_spec:
                    display = undo_surrogates(address.display_name) or None
                    found.append((address.addr_spec.lower(), display))
    except Exception:  # noqa: BLE001 - fall back to finding addresses in the raw text
        found = []
    if not found:
        found = [(a.lower(), None) for a in _ADDRESS.findall(" ".join(raw for _, raw in raws))]
    return found


# The shapes nearly every address header has: `addr`, `Name <addr>`, `"Name" <addr>`, a list
# of them. Read with regular expressions, as the modern parser would read them (a property
# test holds the two to the same answers); anything else goes to that parser, which is exact
# but costs a millisecond a header.
_ADDR_SPEC = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_PLAIN_ADDRESS = re.compile(
    rf"""[ \t]*(?:({_ADDR_SPEC})|(?:"([ !#-\[\]-~]*)"|([A-Za-z0-9!#$%&'*+/=?^_`{{|}}~ \t-]*?))"""
    rf"""[ \t]*<({_ADDR_SPEC})>)[ \t]*"""
)


def _plain_addresses(raw: str) -> list[tuple[str, str | None]] | None:
    """The addresses of a header in one of the plain shapes; None for any other."""
    value = _FOLD.sub("", raw)
    if not value.isascii() or "=?" in value or value.count('"') > 2:
        return None
    found: list[tuple[str, str | None]] = []
    for part in value.split(",") if '"' not in value else [value]:
        matched = _PLAIN_ADDRESS.fullmatch(part)
        if matched is None:
            return None
        bare, quoted, name, address = matched.groups()
        display = " ".join((quoted if quoted is not None else name or "").split())
        found.append(((bare or address).lower(), display or None))
    return found


def decode(data: bytes, declared: str | None = None) -> str:
    """Text from bytes in a charset that may be missing or wrong (see the module's note)."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared.lower() not in ("us-ascii", "ascii", "utf-8", "utf8"):
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    readings = [data.decode(charset, errors="replace") for charset in ("cp1251", "koi8_r")]
    best = max(readings, key=lambda text: len(_LOWER_CYRILLIC.findall(text)))
    if _LOWER_CYRILLIC.search(best):
        return best
    return data.decode("cp1252", errors="replace")
