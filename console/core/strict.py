"""Strict reading of the team config: a name the console does not know is a mistake.

A typo in a TOML file is still valid TOML: `[agent.dmitro]` for `[agents.dmitro]` would
quietly give dmitro no lines at all, and with it switch off "the third line never writes to
the customer". So every table and key the console does not know is refused, naming the file,
the line and the key, and the known name it is closest to ("did you mean ..."); a value out of
range is refused with its limit.

The loaders (`team`, `sla`, `mail.settings`, `config`) raise `ConfigProblem` with the path
of keys at fault; `placed` puts the file and the line in front. TOML parsers say nothing of
where a key was, so `locate` finds it in the text again, only when there is a mistake to
report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from console.core.errors import InvalidInput
from console.core.text import one_line

_KEY_PART = r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*(\.?)"""
"""One part of a dotted key. Compiled when a mistake is located, not when a command starts."""


class ConfigProblem(InvalidInput):
    """A mistake at `keys` of a config; `placed` says in which file and on which line."""

    def __init__(self, keys: Sequence[str], message: str) -> None:
        super().__init__(message)
        self.keys = tuple(keys)


def _dotted(text: str) -> tuple[str, ...] | None:
    """The parts of a dotted TOML key (`a."b.c".d`), or None when `text` is not one."""
    parts: list[str] = []
    position = 0
    part = re.compile(_KEY_PART)
    while position < len(text):
        match = part.match(text, position)
        if not match:
            return None
        raw = match.group(1)
        parts.append(raw[1:-1] if raw[0] in "\"'" else raw)
        position = match.end()
        if not match.group(2):
            break
    return tuple(parts) if text[position:].strip() == "" else None


def locate(text: str, keys: Sequence[str]) -> int | None:
    """The line (1-based) where `keys` is set or its table begins; else where the longest
    part of it that is there is."""
    best: tuple[int, int] | None = None  # (how many keys matched, line)
    table: tuple[str, ...] = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        stripped = line.strip()
        found: tuple[str, ...] | None = None
        header = re.fullmatch(r"\[\[?([^\[\]]+)\]\]?\s*(#.*)?", stripped)
        if header:
            table = _dotted(header.group(1)) or ()
            found = table
        elif "=" in stripped and not stripped.startswith("#"):
            key = _dotted(stripped.split("=", 1)[0])
            found = table + key if key else None
        in_string = quotes % 2 == 1
        if found is None:
            continue
        matched = 0
        while matched < min(len(found), len(keys)) and found[matched] == keys[matched]:
            matched += 1
        if matched and (best is None or matched > best[0]):
            best = (matched, number)
            if matched == len(keys):
                break
    return best[1] if best else None


def placed(error: ConfigProblem, source: str | None) -> InvalidInput:
    """`error` with the file and the line of its key in front."""
    if source is None:
        return InvalidInput(str(error))
    try:
        with open(source, encoding="utf-8") as file:
            line = locate(file.read(), error.keys)
    except (OSError, UnicodeDecodeError):
        line = None
    shown = one_line(source)
    return InvalidInput(f"{shown}:{line}: {error}" if line else f"{shown}: {error}")


def close_to(name: str, known: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" when a known name is close to `name` (or begins as it does:
    `resolve` for `resolution`), else ""."""
    import difflib  # only when there is a mistake: every command loads this module

    names = list(known)
    found = difflib.get_close_matches(name, names, n=1, cutoff=0.6) or [
        k for k in names if len(name) >= 4 and k.startswith(name[:4])
    ]
    return f" (did you mean {found[0]!r}?)" if found else ""


def refuse_unknown(
    table: Mapping[str, Any], known: Iterable[str], keys: Sequence[str], what: str = "key"
) -> None:
    """Refuse the first key of `table` (found at `keys`) that is not `known`."""
    names = sorted(known)
    extra = sorted(set(table) - set(names))
    if extra:
        where = f"{'.'.join(keys)}: " if keys else ""
        hint = close_to(extra[0], names)
        raise ConfigProblem((*keys, extra[0]), f"{where}unknown {what} {extra[0]!r}{hint}")


def at_most(value: float, limit: float, keys: Sequence[str], words: str) -> None:
    """Refuse `value` above `limit`, saying the limit in `words` ("3650 days")."""
    if value > limit:
        raise ConfigProblem(keys, f"{'.'.join(keys)}: too large: at most {words}")
