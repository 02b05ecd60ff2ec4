"""Clock arithmetic: business time across nights, weekends, holidays and DST changes, the
deadlines a ticket's stored state gives, and the [sla] config section."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.core.errors import InvalidInput
from console.core.model import Court, Priority, Status
from console.core.sla import (
    Breach,
    Calendar,
    ClockState,
    SlaKind,
    SlaPolicy,
    Targets,
    add_business,
    badge,
    business_seconds,
    calendar_from_config,
    counted,
    deadlines,
    format_duration,
    parse_duration,
    policy_from_config,
    promise,
)
from tests.support import utc

KYIV = ZoneInfo("Europe/Kyiv")
H = 3600


def kyiv(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=KYIV)


def office(**overrides: object) -> Calendar:
    section = {
        "timezone": "Europe/Kyiv",
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "hours": "09:00-18:00",
        **overrides,
    }
    return calendar_from_config(section)


ALL_DAY = {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "hours": "00:00-24:00"}


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("30m", 1800),
        ("2h", 7200),
        ("1d", 86400),
        ("1h30m", 5400),
        ("1w 2d", 9 * 86400),
        ("45s", 45),
        ("2H", 7200),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2x", "h", "1.5h", "-2h", "2h garbage"])
def test_bad_durations_name_the_value(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"sla\.P1\.resolution: .* is not a duration"):
        parse_duration(text, "sla.P1.resolution")


def test_format_duration() -> None:
    assert [format_duration(s) for s in (59, 600, 3900, 90000, 86400, -5400)] == [
        "0m",
        "10m",
        "1h05m",
        "1d1h",
        "1d",
        "-1h30m",
    ]


def test_around_the_clock_without_a_calendar() -> None:
    start = utc(2026, 11, 23, 9)
    assert business_seconds(start, start + timedelta(hours=30), None) == 30 * H
    assert add_business(start, 30 * H, None) == start + timedelta(hours=30)
    assert business_seconds(start, start - timedelta(hours=1), None) == 0


def test_overnight_the_clock_stops() -> None:
    cal = office()
    # Monday 17:00 in Kyiv (EET, UTC+2) plus 2 working hours: 1 today, 1 tomorrow morning.
    start = kyiv(2026, 11, 23, 17)
    assert add_business(start, 2 * H, cal) == kyiv(2026, 11, 24, 10)
    assert business_seconds(start, kyiv(2026, 11, 24, 10), cal) == 2 * H
    # The night counts for nothing.
    assert business_seconds(kyiv(2026, 11, 23, 19), kyiv(2026, 11, 24, 8, 59), cal) == 0


def test_weekend_the_clock_stops() -> None:
    cal = office()
    friday = kyiv(2026, 11, 27, 17)
    assert add_business(friday, 2 * H, cal) == kyiv(2026, 11, 30, 10)
    assert business_seconds(friday, kyiv(2026, 11, 30, 10), cal) == 2 * H


def test_holidays_the_clock_stops() -> None:
    cal = office(holidays=["2026-12-25", date(2027, 1, 1)])
    # Thursday 24 December 17:00, Friday 25th is a holiday: on to Monday 28th.
    assert add_business(kyiv(2026, 12, 24, 17), 2 * H, cal) == kyiv(2026, 12, 28, 10)
    assert business_seconds(kyiv(2026, 12, 24, 0), kyiv(2026, 12, 29, 0), cal) == 18 * H


def test_zero_seconds_is_the_next_working_moment() -> None:
    cal = office()
    assert add_business(kyiv(2026, 11, 28, 12), 0, cal) == kyiv(2026, 11, 30, 9)
    assert add_business(kyiv(2026, 11, 30, 12), 0, cal) == kyiv(2026, 11, 30, 12)


def test_autumn_dst_change_in_kyiv() -> None:
    """On 25 October 2026 Kyiv goes from EEST (UTC+3) back to EET (UTC+2) at 04:00."""
    whole_days = office(**ALL_DAY)
    saturday_midnight = kyiv(2026, 10, 25, 0)  # 24 Oct 21:00 UTC
    monday_midnight = kyiv(2026, 10, 26, 0)  # 25 Oct 22:00 UTC
    assert business_seconds(saturday_midnight, monday_midnight, whole_days) == 25 * H
    # Friday 17:00 EEST (14:00 UTC) plus 2 working hours lands on Monday 10:00 EET, which
    # is 08:00 UTC; a week earlier the same local time was 07:00 UTC.
    cal = office()
    due = add_business(kyiv(2026, 10, 23, 17), 2 * H, cal)
    assert due == utc(2026, 10, 26, 8)
    assert add_business(kyiv(2026, 10, 16, 17), 2 * H, cal) == utc(2026, 10, 19, 7)
    # The working day is nine local hours on both sides of the change.
    assert business_seconds(kyiv(2026, 10, 23, 0), kyiv(2026, 10, 27, 0), cal) == 18 * H


def test_spring_dst_change_in_kyiv() -> None:
    """On 28 March 2027 the clocks go forward at 03:00: that day has 23 hours."""
    whole_days = office(**ALL_DAY)
    assert business_seconds(kyiv(2027, 3, 28, 0), kyiv(2027, 3, 29, 0), whole_days) == 23 * H


def test_negative_seconds_go_back_in_working_time() -> None:
    cal = office()
    # Tuesday 10:00 minus 2 working hours: 1 this morning, 1 on Monday evening.
    assert add_business(kyiv(2026, 11, 24, 10), -2 * H, cal) == kyiv(2026, 11, 23, 17)
    # Monday 09:30 minus 1 working hour: back over the weekend to Friday 17:30.
    assert add_business(kyiv(2026, 11, 30, 9, 30), -H, cal) == kyiv(2026, 11, 27, 17, 30)
    assert business_seconds(kyiv(2026, 11, 27, 17, 30), kyiv(2026, 11, 30, 9, 30), cal) == H
    start = utc(2026, 11, 23, 9)
    assert add_business(start, -3 * H, None) == start - timedelta(hours=3)


def test_a_calendar_with_no_working_time_says_so() -> None:
    cal = Calendar(zone=KYIV, days=frozenset(), opens=datetime.min.time(), closes_minutes=60)
    with pytest.raises(InvalidInput, match="no working time"):
        add_business(kyiv(2026, 11, 23, 9), H, cal)


def _state(**kw: object) -> ClockState:
    base = dict(
        priority=Priority.P2,
        status=Status.OPEN,
        court=Court.US,
        clock_since=utc(2026, 11, 23, 9),
        ours_seconds=0,
        first_response_at=None,
    )
    return ClockState(**{**base, **kw})  # type: ignore[arg-type]


POLICY = SlaPolicy(targets={p: Targets(4 * H, 2 * H, 8 * H) for p in Priority})


def test_deadlines_before_the_first_response() -> None:
    found = deadlines(_state(ours_seconds=H), POLICY)
    assert [(d.kind, d.due) for d in found] == [
        (SlaKind.FIRST_RESPONSE, utc(2026, 11, 23, 12)),
        (SlaKind.RESOLUTION, utc(2026, 11, 23, 16)),
    ]


def test_deadlines_after_the_first_response() -> None:
    found = deadlines(_state(ours_seconds=3 * H, first_response_at=utc(2026, 11, 23, 8)), POLICY)
    assert [(d.kind, d.due) for d in found] == [
        (SlaKind.NEXT_UPDATE, utc(2026, 11, 23, 11)),
        (SlaKind.RESOLUTION, utc(2026, 11, 23, 14)),
    ]
    assert found[0].breach.key == "next_update@20261123T090000"


def test_a_missed_deadline_lies_in_the_past_by_its_lateness() -> None:
    # Five hours were ours before this stretch: the first response (4 hours) is an hour late
    # and stays so, whenever the stretch began.
    found = deadlines(_state(ours_seconds=5 * H, clock_since=utc(2026, 11, 25, 9)), POLICY)
    assert [(d.kind, d.due, d.breach) for d in found] == [
        (SlaKind.FIRST_RESPONSE, utc(2026, 11, 25, 8), Breach(SlaKind.FIRST_RESPONSE)),
        (SlaKind.RESOLUTION, utc(2026, 11, 25, 12), Breach(SlaKind.RESOLUTION)),
    ]
    cal = office()
    # With a calendar the lateness is working time: Wednesday 09:00 in Kyiv, an hour late,
    # was due at 17:00 the evening before.
    state = _state(ours_seconds=5 * H, clock_since=kyiv(2026, 11, 25, 9))
    found = deadlines(state, SlaPolicy(targets=POLICY.targets, calendar=cal))
    assert found[0].due == kyiv(2026, 11, 24, 17)


def test_breaches_are_stored_by_key() -> None:
    stretch = utc(2026, 11, 23, 9)
    update = Breach(SlaKind.NEXT_UPDATE, stretch)
    assert (update.key, Breach(SlaKind.RESOLUTION).key) == (
        "next_update@20261123T090000",
        "resolution",
    )
    assert Breach.from_key(update.key) == update
    assert Breach.from_key("first_response") == Breach(SlaKind.FIRST_RESPONSE)
    assert SlaKind.FIRST_RESPONSE.words == "first response"


def test_a_promise_is_the_next_update_target_in_working_time() -> None:
    cal = office()
    policy = SlaPolicy(targets=POLICY.targets, calendar=cal)
    assert promise(kyiv(2026, 11, 27, 17), Priority.P2, policy) == kyiv(2026, 11, 30, 10)
    assert promise(utc(2026, 11, 23, 9), Priority.P2, POLICY) == utc(2026, 11, 23, 11)


@pytest.mark.parametrize(
    "court, status",
    [
        (Court.CUSTOMER, Status.WAITING),
        (Court.VENDOR, Status.WAITING),
        (Court.US, Status.SOLVED),
        (Court.US, Status.CLOSED),
    ],
)
def test_no_deadlines_while_the_ball_is_not_ours(court: Court, status: Status) -> None:
    state = _state(court=court, status=status, ours_seconds=H)
    assert deadlines(state, POLICY) == []
    assert counted(state, utc(2026, 11, 30), None) == H


def test_badge() -> None:
    now = utc(2026, 11, 23, 12)
    assert badge(None, now, POLICY) == ("paused", "")
    assert badge(utc(2026, 11, 23, 11), now, POLICY) == ("breached", "-1h00m")
    assert badge(utc(2026, 11, 23, 13), now, POLICY) == ("at risk", "1h00m")
    assert badge(utc(2026, 11, 24, 12), now, POLICY) == ("ok", "1d")


def test_policy_defaults_and_overrides() -> None:
    assert SlaPolicy().targets[Priority.P3].next_update == 24 * H
    policy = policy_from_config(
        {
            "first_response": "2h",
            "next_update": "12h",
            "nudge_after": "2d",
            "P1": {"first_response": "30m", "resolution": "off"},
            "calendar": {"timezone": "Europe/Kyiv", "holidays": ["2026-12-25"]},
        }
    )
    assert policy.targets[Priority.P1] == Targets(1800, 12 * H, None)
    assert policy.targets[Priority.P4] == Targets(2 * H, 12 * H, 10 * 86400)
    assert policy.nudge_after == 2 * 86400
    assert policy.calendar is not None and policy.calendar.zone == KYIV
    assert policy.calendar.days == frozenset(range(5))


@pytest.mark.parametrize(
    "section, message",
    [
        ({"first_respons": "1h"}, r"sla: unknown key 'first_respons'"),
        ({"P1": {"resolve": "1h"}}, r"sla\.P1: unknown key 'resolve'"),
        ({"P2": "fast"}, r"sla\.P2: expected a table"),
        ({"resolution": 5}, r"sla\.resolution: 5 is not a duration"),
        ({"next_update": "soon"}, r"sla\.next_update: 'soon' is not a duration"),
        ({"calendar": {"timezone": "Mars/Olympus"}}, r"sla\.calendar\.timezone: unknown time zone"),
        ({"calendar": {"days": ["mon", "funday"]}}, r"sla\.calendar\.days: 'funday' is not a day"),
        ({"calendar": {"days": []}}, r"sla\.calendar\.days: expected a list"),
        ({"calendar": {"hours": "18:00-09:00"}}, r"sla\.calendar\.hours: '18:00-09:00' is not"),
        ({"calendar": {"hours": "9-5"}}, r"sla\.calendar\.hours: '9-5' is not"),
        ({"calendar": {"holidays": ["25.12.2026"]}}, r"sla\.calendar\.holidays: '25.12.2026' is"),
        ({"calendar": {"holidays": "2026-12-25"}}, r"sla\.calendar\.holidays: expected a list"),
        ({"calendar": {"zone": "UTC"}}, r"sla\.calendar: unknown key 'zone'"),
    ],
)
def test_config_errors_name_the_key(section: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        policy_from_config(section)
