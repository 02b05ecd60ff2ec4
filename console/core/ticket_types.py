"""What kind of case a ticket is: a question, a bug, a feature request, or not ours at all.

Counting by type is how a lead sees that half of last week's "bugs" were questions the
documentation should answer, and which requests belong to someone else (seeds 003, 004). The
set is closed, so a typo never makes a type of its own: the team config's `[types]` names it
(`bug = "Bug"`: what queries and the command line say, then the words on the screen), and
without one the set below is in force."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from console.core.errors import InvalidInput
from console.core.strict import close_to

DEFAULT_TYPES: Mapping[str, str] = {
    "question": "Question",
    "bug": "Bug",
    "feature": "Feature request",
    "not-ours": "Not ours",
}
"""The types a team has without `[types]` in its config."""

NO_TYPE = "none"
"""What queries and the command line say for a ticket nobody has typed yet."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")


def types_from_config(table: Any, where: str) -> dict[str, str]:
    """The `[types]` table (name = "words"); every mistake names the key."""
    if not isinstance(table, dict) or not table:
        raise InvalidInput(
            f'{where}: [types] must be a table of name = "words", such as bug = "Bug"'
        )
    types: dict[str, str] = {}
    for name, words in table.items():
        if not _NAME.match(str(name)) or name == NO_TYPE:
            raise InvalidInput(
                f"{where}: types.{name}: a type's name is lowercase letters, digits and '-' "
                f"(and not {NO_TYPE!r})"
            )
        if not isinstance(words, str) or not words.strip() or not words.isprintable():
            raise InvalidInput(f'{where}: types.{name}: say it in words, such as "Bug"')
        types[str(name)] = words.strip()
    return types


def check_type(name: str, types: Mapping[str, str]) -> str:
    """The type `name` names (any case), or an error that lists the team's types."""
    chosen = name.strip().lower()
    if chosen in types:
        return chosen
    known = ", ".join(types)
    raise InvalidInput(f"{name!r} is not a ticket type (one of {known}){close_to(chosen, types)}")


def type_words(name: str | None, types: Mapping[str, str]) -> str:
    """How the screen says a ticket's type: its words, or "not typed yet". A type the config
    no longer has is shown by its name rather than hidden."""
    if name is None:
        return "not typed yet"
    return types.get(name, name)
