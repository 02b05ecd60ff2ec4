"""Time as the store records it: UTC, ISO 8601, to the second, ending in "Z".

Strings in this form sort in time order, so SQLite indexes and ORDER BY work on them directly.
Everything that needs "now" takes a clock function, so tests can freeze and move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """The stored form of a moment; naive datetimes are taken to be UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(FORMAT)


def from_text(text: str) -> datetime:
    """The moment a stored text names (fromisoformat: strptime is ten times slower, and every
    row on screen parses two of these)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def age(since: str, now: datetime) -> str:
    """A short human age: 45s, 12m, 5h, 3d, 7w."""
    seconds = max(int((now - from_text(since)).total_seconds()), 0)
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
