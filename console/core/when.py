"""Reading the moments people type: "2026-11-24 12:00", "tomorrow 12:00", "tue 12:00", "+2h".

Promises are made in the team's local time ("I will call you Tuesday at noon"), so dates and
times are read in the given time zone and returned in UTC, the form the store keeps."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from console.core.errors import InvalidInput
from console.core.sla import MAX_DURATION_SECONDS, parse_duration

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EXAMPLES = 'use e.g. "2026-11-24 12:00", "tomorrow 12:00", "tue 12:00", "+2h" or "+1d"'


def _clock(text: str, original: str) -> time:
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", text)
    if not match:
        raise InvalidInput(f"due time {original!r}: {text!r} is not a time of day ({_EXAMPLES})")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"due time {original!r}: {text!r} is not a time of day ({_EXAMPLES})")
    return time(hour, minute)


def _local(day: date, at: time, zone: tzinfo) -> datetime:
    # fold=0 picks the first of two repeated local times on the night clocks go back.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _in_the_past(original: str) -> InvalidInput:
    return InvalidInput(
        f"due time {original!r} is in the past: a follow-up must be due later than now"
    )


def parse_due(text: str, now: datetime, zone: tzinfo = UTC) -> datetime:
    """The moment `text` names, in UTC; it must lie after `now`."""
    original = text
    cleaned = " ".join(str(text).strip().lower().split())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}t\S+", cleaned):  # ISO 8601 with a "T"
        cleaned = cleaned.replace("t", " ", 1)
    if not cleaned:
        raise InvalidInput(f"the due time is empty ({_EXAMPLES})")
    if cleaned.startswith("+"):
        due = now + timedelta(seconds=parse_duration(cleaned[1:], f"due time {original!r}"))
    else:
        words = cleaned.split(" ")
        if len(words) != 2:
            raise InvalidInput(f"due time {original!r} is not understood ({_EXAMPLES})")
        day_word, at = words[0], _clock(words[1], original)
        today = now.astimezone(zone).date()
        if day_word == "today":
            day = today
        elif day_word == "tomorrow":
            day = today + timedelta(days=1)
        elif any(name.startswith(day_word) for name in _WEEKDAYS) and len(day_word) >= 3:
            weekday = next(i for i, n in enumerate(_WEEKDAYS) if n.startswith(day_word))
            day = today + timedelta(days=(weekday - today.weekday()) % 7)
            if _local(day, at, zone) <= now:  # "tue 12:00" said on Tuesday afternoon
                day += timedelta(days=7)
        else:
            try:
                day = date.fromisoformat(day_word)
            except ValueError:
                raise InvalidInput(
                    f"due time {original!r}: {day_word!r} is not a date or a day ({_EXAMPLES})"
                ) from None
            if (day - today).days < -1:  # before `_local`, which years long past overflow
                raise _in_the_past(original)
            if (day - today).days * 86400 > MAX_DURATION_SECONDS:
                raise InvalidInput(f"due time {original!r} is more than 10 years away")
        due = _local(day, at, zone)
    if due <= now:
        raise _in_the_past(original)
    if due - now > timedelta(seconds=MAX_DURATION_SECONDS):
        raise InvalidInput(f"due time {original!r} is more than 10 years away")
    return due.replace(microsecond=0)
