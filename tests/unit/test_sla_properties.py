"""Properties of the clocks, over random histories: time counted never exceeds wall time,
and never runs while the ball is not ours."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core import operations, workflow
from console.core.errors import InvalidInput
from console.core.model import Court, Status
from console.core.sla import (
    SlaPolicy,
    add_business,
    business_seconds,
    calendar_from_config,
    counted,
)
from tests.support import FrozenClock, make_desk, open_store, utc

START = utc(2026, 10, 20, 6)  # the week of the autumn DST change in Kyiv
CALENDARS = [
    None,
    calendar_from_config({"timezone": "Europe/Kyiv", "holidays": ["2026-10-28"]}),
    calendar_from_config(
        {"timezone": "America/New_York", "days": ["mon", "wed", "sat"], "hours": "08:30-12:15"}
    ),
    calendar_from_config(
        {
            "timezone": "Europe/Kyiv",
            "hours": "00:00-24:00",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        }
    ),
]
moments = st.integers(min_value=0, max_value=30 * 86400).map(lambda s: START + timedelta(seconds=s))


@given(st.sampled_from(CALENDARS), moments, moments, moments)
def test_business_time_is_additive_and_bounded(calendar, a, b, c) -> None:  # type: ignore[no-untyped-def]
    a, b, c = sorted((a, b, c))
    ab, bc = business_seconds(a, b, calendar), business_seconds(b, c, calendar)
    assert 0 <= ab <= (b - a).total_seconds()
    assert business_seconds(a, c, calendar) == ab + bc


@given(st.sampled_from(CALENDARS), moments, st.integers(min_value=0, max_value=40 * 3600))
def test_adding_business_time_is_undone_by_counting_it(calendar, start, seconds) -> None:  # type: ignore[no-untyped-def]
    due = add_business(start, seconds, calendar)
    assert due >= start
    assert business_seconds(start, due, calendar) == seconds


@given(st.sampled_from(CALENDARS), moments, st.integers(min_value=1, max_value=40 * 3600))
def test_going_back_in_business_time_is_undone_by_counting_it(calendar, end, seconds) -> None:  # type: ignore[no-untyped-def]
    # (Zero seconds is the next working moment, forward: a deadline due now is not late.)
    start = add_business(end, -seconds, calendar)
    assert start <= end
    assert business_seconds(start, end, calendar) == seconds


ACTIONS = [
    "customer",
    "reply",
    "keep",
    "vendor",
    "vendor_answer",
    "note",
    "to_us",
    "to_customer",
    "solve",
    "close",
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(CALENDARS[:2]),
    st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=3 * 86400)),
        max_size=12,
    ),
)
def test_counted_time_runs_only_while_the_ball_is_ours(calendar, steps) -> None:  # type: ignore[no-untyped-def]
    policy = SlaPolicy(calendar=calendar)
    clock = FrozenClock(START)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp), clock) as store:
        desk = make_desk(store, "kim", policy=policy)
        t = operations.create_ticket(desk, subject="s", requester="a@example.com").id
        expected = 0  # working seconds spent with the ball ours, tracked independently
        for action, wait in steps:
            before = store.ticket(t)
            clock.advance(seconds=wait)
            if before.court == Court.US and before.status in (Status.NEW, Status.OPEN):
                expected += business_seconds(
                    clock.now - timedelta(seconds=wait), clock.now, calendar
                )
            try:
                _act(desk, t, action)
            except InvalidInput:
                pass  # not allowed in this state: nothing changed
            state = workflow.clocks(store, t).state()
            now_counted = counted(state, clock.now, calendar)
            assert now_counted == expected
            assert now_counted <= (clock.now - START).total_seconds()
            if not (state.court == Court.US and state.status in (Status.NEW, Status.OPEN)):
                assert workflow.clocks(store, t).sla_due_at is None
                later = counted(state, clock.now + timedelta(days=5), calendar)
                assert later == now_counted  # paused: time passing adds nothing


def _act(desk, t, action) -> None:  # type: ignore[no-untyped-def]
    if action == "customer":
        operations.customer_message(desk, t, "hi")
    elif action == "reply":
        operations.reply(desk, t, "ok")
    elif action == "keep":
        operations.reply(desk, t, "fyi", keep_court=True)
    elif action == "vendor":
        operations.hand_to_vendor(desk, t, "Acme", "A-1")
    elif action == "vendor_answer":
        operations.vendor_answer(desk, t)
    elif action == "note":
        operations.note(desk, t, "n")
    elif action == "to_us":
        operations.move_court(desk, t, "us", "override")
    elif action == "to_customer":
        operations.move_court(desk, t, "customer", "override")
    elif action == "solve":
        operations.solve(desk, t)
    elif action == "close":
        operations.close(desk, t)
