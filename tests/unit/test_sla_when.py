"""Reading the due times people type for a promised follow-up."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from console.core.errors import InvalidInput
from console.core.when import parse_due
from tests.support import utc

KYIV = ZoneInfo("Europe/Kyiv")
NOW = utc(2026, 11, 23, 10)  # Monday 12:00 in Kyiv


@pytest.mark.parametrize(
    "text, due",
    [
        ("2026-11-24 12:00", utc(2026, 11, 24, 10)),
        ("2026-11-24T12:00", utc(2026, 11, 24, 10)),
        ("tomorrow 12:00", utc(2026, 11, 24, 10)),
        ("Tomorrow  9", utc(2026, 11, 24, 7)),
        ("today 17:30", utc(2026, 11, 23, 15, 30)),
        ("tue 12:00", utc(2026, 11, 24, 10)),
        ("Tuesday 12:00", utc(2026, 11, 24, 10)),
        ("mon 12:30", utc(2026, 11, 23, 10, 30)),  # later today
        ("mon 11:00", utc(2026, 11, 30, 9)),  # already past today: next Monday
        ("+2h", utc(2026, 11, 23, 12)),
        ("+1d", utc(2026, 11, 24, 10)),
        ("+1h30m", utc(2026, 11, 23, 11, 30)),
    ],
)
def test_due_times_in_the_team_zone(text: str, due: datetime) -> None:
    assert parse_due(text, NOW, KYIV) == due


def test_utc_without_a_calendar() -> None:
    assert parse_due("tomorrow 12:00", NOW, UTC) == utc(2026, 11, 24, 12)


def test_a_promise_on_the_night_the_clocks_go_back() -> None:
    # 25 October 2026 in Kyiv: 12:00 is already EET (UTC+2).
    assert parse_due("2026-10-25 12:00", utc(2026, 10, 24), KYIV) == utc(2026, 10, 25, 10)
    assert parse_due("2026-10-24 12:00", utc(2026, 10, 23), KYIV) == utc(2026, 10, 24, 9)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the due time is empty"),
        ("soon", "'soon' is not understood"),
        ("someday 12:00", "'someday' is not a date or a day"),
        ("tomorrow 25:00", "'25:00' is not a time of day"),
        ("tomorrow noon", "'noon' is not a time of day"),
        ("2026-13-01 12:00", "'2026-13-01' is not a date or a day"),
        ("+2x", "is not a duration"),
        ("2026-11-20 12:00", "is in the past"),
        ("today 08:00", "is in the past"),
        ("+0m", "is in the past"),
    ],
)
def test_bad_due_times_say_what_was_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_due(text, NOW, KYIV)
