"""SLA clocks: the promises a team makes per priority, and the arithmetic of keeping them.

A policy holds three targets per priority (first response, next update, resolution) and an
optional business calendar (working days, hours, holidays, a time zone). The clocks run only
while the ball is ours and the ticket is open; with a calendar they run only in working hours,
so a deadline crosses nights, weekends, holidays and DST changes the way people expect.

Everything here is pure: functions of moments and policies, no store, so the TUI, the timers
and the tests share one definition of "how long has this waited on us"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from console.core.errors import InvalidInput
from console.core.model import OPEN_STATUSES, Court, Priority, SlaKind, Status, TicketSummary
from console.core.strict import at_most, refuse_unknown
from console.core.triage import DEFAULT_MATRIX, Matrix

if TYPE_CHECKING:  # read only with a calendar: a command without one need not load it
    from zoneinfo import ZoneInfo

__all__ = ["SlaKind"]  # kept here too: the SLA's own vocabulary, defined with the others


KINDS = tuple(SlaKind)

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_SEARCH_YEARS = 10
"""How far ahead a deadline is searched for: a calendar whose holidays swallow ten years has
no working time, and saying so beats looping for ever."""


MAX_DURATION_SECONDS = _SEARCH_YEARS * 366 * 86400
"""No time span the desk deals in is longer: past it, dates leave the calendar."""


def parse_duration(
    text: str, where: str = "duration", *, longest: int | None = MAX_DURATION_SECONDS
) -> int:
    """Seconds in "30m", "2h", "1d", "1h30m" or "1w 2d". A day is 24 hours of clock time.
    An error names `where` the text came from ("" when the caller names it). `longest` is
    None for a caller that checks a limit of its own (the config's, with its line)."""
    said = f"{where}: {text!r}" if where else repr(text)
    cleaned = str(text).strip().replace(" ", "")
    parts = _DURATION_PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts).lower() != cleaned.lower():
        raise InvalidInput(f"{said} is not a duration (use e.g. 30m, 4h, 2d, 1h30m)")
    seconds = sum(int(n) * _UNIT_SECONDS[u.lower()] for n, u in parts)
    if longest is not None and seconds > longest:
        raise InvalidInput(f"{said} is longer than the longest allowed, 10 years")
    return seconds


def format_duration(seconds: int) -> str:
    """A short signed duration for a queue column: 2d4h, 3h05m, 12m, -1h30m."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days}d{hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m"


@dataclass(frozen=True)
class Calendar:
    """Working time: which days, which hours, which dates are off, in which time zone."""

    zone: ZoneInfo
    days: frozenset[int]
    """Working weekdays, 0 for Monday."""
    opens: time
    closes_minutes: int
    """Closing time in minutes after midnight; 1440 means midnight at the end of the day."""
    holidays: frozenset[date] = frozenset()

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals in UTC, in order, from the one that holds or follows `start`."""
        first = start.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(366 * _SEARCH_YEARS):
            day = first + timedelta(days=offset)
            if day.weekday() not in self.days or day in self.holidays:
                continue
            begin, end = self._window(day)
            if end > start:
                yield max(begin, start), end
        raise InvalidInput(
            f"the business calendar has no working time in the {_SEARCH_YEARS} "
            "years after the deadline's start: check its days and holidays"
        )

    def windows_back(self, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals in UTC, latest first, from the one that holds or precedes `end`
        (cut at `end`)."""
        last = end.astimezone(self.zone).date() + timedelta(days=1)
        for offset in range(366 * _SEARCH_YEARS):
            day = last - timedelta(days=offset)
            if day.weekday() not in self.days or day in self.holidays:
                continue
            begin, finish = self._window(day)
            if begin < end:
                yield begin, min(finish, end)
        raise InvalidInput(
            f"the business calendar has no working time in the {_SEARCH_YEARS} "
            "years before the deadline: check its days and holidays"
        )

    def _window(self, day: date) -> tuple[datetime, datetime]:
        """The working interval of a working `day`, in UTC."""
        # Local wall times become UTC through the zone, so a DST change moves the window
        # in UTC rather than stretching or shrinking the working day.
        begin = datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(UTC)
        end_day = day + timedelta(days=self.closes_minutes // 1440)
        end_time = time(self.closes_minutes % 1440 // 60, self.closes_minutes % 60)
        end = datetime.combine(end_day, end_time, tzinfo=self.zone).astimezone(UTC)
        return begin, end


@dataclass(frozen=True)
class Targets:
    """One priority's promises, in seconds of running clock (None: no such promise)."""

    first_response: int | None
    next_update: int | None
    resolution: int | None


DEFAULT_TARGETS: dict[Priority, Targets] = {
    Priority.P1: Targets(3600, 24 * 3600, 86400),
    Priority.P2: Targets(4 * 3600, 24 * 3600, 3 * 86400),
    Priority.P3: Targets(8 * 3600, 24 * 3600, 5 * 86400),
    Priority.P4: Targets(24 * 3600, 24 * 3600, 10 * 86400),
}


@dataclass(frozen=True)
class Plan:
    """What a customer's plan (gold, enterprise, ...) changes: a mark in the queues, and the
    team's promises to them."""

    vip: bool
    targets: Mapping[Priority, Targets]


@dataclass(frozen=True)
class SlaPolicy:
    """The team's promises and the customer-side timers. `SlaPolicy()` is the built-in one."""

    targets: Mapping[Priority, Targets] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    calendar: Calendar | None = None
    """None: the clocks run around the clock, in UTC."""
    at_risk: int = 2 * 3600
    """A deadline closer than this is shown as at risk."""
    nudge_after: int = 3 * 86400
    """The customer has had the ball this long: time to nudge them."""
    close_after: int = 7 * 86400
    """The customer has had the ball this long: close the ticket (0: never)."""
    reopen_within: int = 14 * 86400
    """A customer writing on a ticket solved or closed longer ago than this opens a new one."""
    matrix: Matrix = field(default_factory=lambda: DEFAULT_MATRIX)
    """The priority for each impact and urgency (the team config's `[priority]`)."""
    plans: Mapping[str, Plan] = field(default_factory=dict)
    """The customers' plans (the team config's `[plans]`), by name."""

    def for_plan(self, plan: str | None) -> SlaPolicy:
        """The policy for a customer on `plan`: its promises instead of the team's."""
        chosen = self.plans.get(plan or "")
        return self if chosen is None else replace(self, targets=chosen.targets)

    @property
    def vip_plans(self) -> tuple[str, ...]:
        return tuple(name for name, plan in self.plans.items() if plan.vip)

    @property
    def zone(self) -> ZoneInfo | Any:
        """The time zone people's dates and times ("tomorrow 12:00") are read in."""
        return self.calendar.zone if self.calendar else UTC


def business_seconds(start: datetime, end: datetime, calendar: Calendar | None) -> int:
    """Seconds of working time between two moments (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    if calendar is None:
        return int((end - start).total_seconds())
    total = 0
    for begin, finish in calendar.windows(start):
        if begin >= end:
            break
        total += int((min(finish, end) - begin).total_seconds())
    return total


def add_business(start: datetime, seconds: int, calendar: Calendar | None) -> datetime:
    """The moment `seconds` of working time after `start` have passed.

    With zero seconds: the first working moment at or after `start`. With fewer than zero: the
    moment that much working time before `start`, so a deadline already passed keeps its true
    distance from now."""
    seconds = int(seconds)
    if calendar is None:
        return start + timedelta(seconds=seconds)
    if seconds < 0:
        return _back_business(start, -seconds, calendar)
    for begin, finish in calendar.windows(start):
        available = int((finish - begin).total_seconds())
        if seconds <= available:
            return begin + timedelta(seconds=seconds)
        seconds -= available
    raise AssertionError("unreachable: windows() raises when it runs out")


def _back_business(end: datetime, seconds: int, calendar: Calendar) -> datetime:
    for begin, finish in calendar.windows_back(end):
        available = int((finish - begin).total_seconds())
        if seconds <= available:
            return finish - timedelta(seconds=seconds)
        seconds -= available
    raise AssertionError("unreachable: windows_back() raises when it runs out")


def clock_runs(status: Status | str, court: Court | str) -> bool:
    """The SLA clocks run while the ticket is open and the move is ours."""
    return Status(status) in OPEN_STATUSES and Court(court) == Court.US


@dataclass(frozen=True)
class ClockState:
    """What a ticket stores so its deadlines need none of its history."""

    priority: Priority
    status: Status
    court: Court
    clock_since: datetime
    """When the current stretch (same court and status) began."""
    ours_seconds: int
    """Working seconds the ball was ours before the current stretch."""
    first_response_at: datetime | None


_STRETCH_FORMAT = "%Y%m%dT%H%M%S"


@dataclass(frozen=True)
class Breach:
    """A deadline that was missed, as the ticket remembers it so it is logged only once."""

    kind: SlaKind
    stretch: datetime | None = None
    """For a next update, the start of the stretch it belonged to (each stretch promises its
    own update); None for first response and resolution, which breach once per ticket."""

    @property
    def key(self) -> str:
        """The stored form: "first_response", "next_update@20261102T090000"."""
        if self.stretch is None:
            return self.kind.value
        return f"{self.kind.value}@{self.stretch.strftime(_STRETCH_FORMAT)}"

    @classmethod
    def from_key(cls, key: str) -> Breach:
        kind, _, stretch = key.partition("@")
        moment = (
            datetime.strptime(stretch, _STRETCH_FORMAT).replace(tzinfo=UTC) if stretch else None
        )
        return cls(SlaKind(kind), moment)


def breaches_from_text(text: str | None) -> frozenset[Breach]:
    """The breaches a ticket row stores in its `sla_breached` column."""
    return frozenset(Breach.from_key(key) for key in (text or "").split())


def breaches_text(breaches: Iterable[Breach]) -> str | None:
    """The column's form of `breaches` (None for none)."""
    return " ".join(sorted(b.key for b in breaches)) or None


@dataclass(frozen=True)
class Deadline:
    kind: SlaKind
    due: datetime
    """When it falls due; in the past once it is missed, by as much working time as it is
    late."""
    breach: Breach
    """What it becomes once missed."""


def counted(state: ClockState, now: datetime, calendar: Calendar | None) -> int:
    """Working seconds the ball has been ours, up to `now`."""
    running = clock_runs(state.status, state.court)
    return state.ours_seconds + (
        business_seconds(state.clock_since, now, calendar) if running else 0
    )


def deadlines(state: ClockState, policy: SlaPolicy) -> list[Deadline]:
    """The deadlines running now, soonest first; none while the clocks are stopped.

    First response and resolution count all the working time the ball was ours, so a deadline
    missed before the current stretch lies that far in the past: its lateness survives the
    customer's answer."""
    if not clock_runs(state.status, state.court):
        return []
    targets = policy.targets[state.priority]
    cal, since, used = policy.calendar, state.clock_since, state.ours_seconds
    found: list[Deadline] = []
    if state.first_response_at is None:
        if targets.first_response is not None:
            due = add_business(since, targets.first_response - used, cal)
            found.append(Deadline(SlaKind.FIRST_RESPONSE, due, Breach(SlaKind.FIRST_RESPONSE)))
    elif targets.next_update is not None:
        due = add_business(since, targets.next_update, cal)
        found.append(Deadline(SlaKind.NEXT_UPDATE, due, Breach(SlaKind.NEXT_UPDATE, since)))
    if targets.resolution is not None:
        due = add_business(since, targets.resolution - used, cal)
        found.append(Deadline(SlaKind.RESOLUTION, due, Breach(SlaKind.RESOLUTION)))
    return sorted(found, key=lambda d: (d.due, KINDS.index(d.kind)))


def promise(now: datetime, priority: Priority, policy: SlaPolicy) -> datetime:
    """When a customer told now "you will hear from us" should hear from us at the latest: the
    next-update target of the ticket's priority, in working time (24 hours when the team makes
    no such promise, the seeds' rule)."""
    target = policy.targets[priority].next_update
    return add_business(now, target if target is not None else 24 * 3600, policy.calendar)


def first_answer(ticket: TicketSummary, policy: SlaPolicy) -> datetime:
    """When a ticket's first answer is due at the latest: its priority's first-response target
    from its opening, in working time (24 hours when the team sets none)."""
    from console.core.clock import from_text

    target = policy.targets[ticket.priority].first_response
    opened = from_text(ticket.created_at)
    return add_business(opened, target if target is not None else 24 * 3600, policy.calendar)


def badge(due: datetime | None, now: datetime, policy: SlaPolicy) -> tuple[str, str]:
    """("breached" | "at risk" | "ok" | "paused", time left) for a queue row."""
    if due is None:
        return "paused", ""
    left = int((due - now).total_seconds())
    if left <= 0:
        return "breached", format_duration(left)
    return ("at risk" if left <= policy.at_risk else "ok"), format_duration(left)


# -- the [sla] section of the team config ------------------------------------------------

_TOP_KEYS = {
    "first_response",
    "next_update",
    "resolution",
    "at_risk",
    "nudge_after",
    "close_after",
    "reopen_within",
    "calendar",
    *(p.value for p in Priority),
}
_TARGET_KEYS = {"first_response", "next_update", "resolution"}
_CALENDAR_KEYS = {"timezone", "days", "hours", "holidays"}


MAX_TARGET_DAYS = 365
"""The longest promise a team may make (in working time: a year of it is several of clock)."""
MAX_TIMER_DAYS = 3650
"""The longest customer-side timer (nudge, auto-close, reopen): ten years."""


def _limited(seconds: int, days: int, where: str) -> int:
    at_most(seconds, days * 86400, where.split("."), f"{days} days")
    return seconds


def _targets(
    section: Mapping[str, Any], where: str, base: Mapping[Priority, Targets]
) -> dict[Priority, Targets]:
    """Targets over `base`: keys at the top for every priority, a `P1` table for one."""
    common = {k: _target(section[k], f"{where}.{k}") for k in _TARGET_KEYS if k in section}
    targets: dict[Priority, Targets] = {}
    for priority in Priority:
        values = {**base[priority].__dict__, **common}
        if priority.value in section:
            sub = _table(section[priority.value], f"{where}.{priority.value}")
            refuse_unknown(sub, _TARGET_KEYS, (*where.split("."), priority.value))
            values.update({k: _target(v, f"{where}.{priority.value}.{k}") for k, v in sub.items()})
        targets[priority] = Targets(**values)
    return targets


def plans_from_config(
    section: Mapping[str, Any] | None, base: Mapping[Priority, Targets], where: str = "plans"
) -> dict[str, Plan]:
    """The `[plans]` table: each plan's VIP mark and its promises over the team's."""
    plans: dict[str, Plan] = {}
    for name, table in (section or {}).items():
        here = f"{where}.{name}"
        table = _table(table, here)
        refuse_unknown(table, {"vip", *_TARGET_KEYS, *(p.value for p in Priority)}, [where, name])
        vip = table.get("vip", False)
        if not isinstance(vip, bool):
            raise InvalidInput(f"{here}.vip: true or false")
        plans[str(name)] = Plan(vip, _targets(table, here, base))
    return plans


def _target(value: Any, where: str) -> int | None:
    if value is False or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None  # a team may make no promise of this kind
    if not isinstance(value, str):
        raise InvalidInput(f'{where}: {value!r} is not a duration (use a string like "4h")')
    return _limited(parse_duration(value, where, longest=None), MAX_TARGET_DAYS, where)


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{where}: expected a table, got {value!r}")
    return value


def calendar_from_config(section: Mapping[str, Any], where: str = "sla.calendar") -> Calendar:
    refuse_unknown(section, _CALENDAR_KEYS, where.split("."))
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone_name = section.get("timezone", "UTC")
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{where}.timezone: unknown time zone {zone_name!r} "
            "(use an IANA name such as Europe/Kyiv)"
        ) from None
    raw_days = section.get("days", list(_DAY_NAMES[:5]))
    if not isinstance(raw_days, list) or not raw_days:
        raise InvalidInput(f'{where}.days: expected a list of day names such as ["mon", "tue"]')
    days: set[int] = set()
    for name in raw_days:
        key = str(name).strip().lower()[:3]
        if key not in _DAY_NAMES:
            raise InvalidInput(f"{where}.days: {name!r} is not a day (use mon, tue, ... sun)")
        days.add(_DAY_NAMES.index(key))
    hours = str(section.get("hours", "09:00-18:00"))
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", hours)
    opens = closes = -1
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        opens, closes = h1 * 60 + m1, h2 * 60 + m2
    if not match or not (0 <= opens < closes <= 1440) or m1 > 59 or m2 > 59:
        raise InvalidInput(
            f"{where}.hours: {hours!r} is not a working day "
            '(use e.g. "09:00-18:00"; "00:00-24:00" for the whole day)'
        )
    holidays: set[date] = set()
    raw_holidays = section.get("holidays", [])
    if not isinstance(raw_holidays, list):
        raise InvalidInput(f'{where}.holidays: expected a list of dates such as ["2026-12-25"]')
    for item in raw_holidays:
        if isinstance(item, date) and not isinstance(item, datetime):
            holidays.add(item)
            continue
        try:
            holidays.add(date.fromisoformat(str(item)))
        except ValueError:
            raise InvalidInput(
                f"{where}.holidays: {item!r} is not a date (use YYYY-MM-DD)"
            ) from None
    return Calendar(
        zone=zone,
        days=frozenset(days),
        opens=time(opens // 60, opens % 60),
        closes_minutes=closes,
        holidays=frozenset(holidays),
    )


def policy_from_config(section: Mapping[str, Any] | None, where: str = "sla") -> SlaPolicy:
    """The policy a `[sla]` table describes, over the built-in defaults.

    Keys at the top apply to every priority; a `[sla.P1]` table overrides them for P1."""
    if not section:
        return SlaPolicy()
    section = _table(section, where)
    refuse_unknown(section, _TOP_KEYS, where.split("."))
    targets = _targets(section, where, DEFAULT_TARGETS)
    timers: dict[str, int] = {}
    for key in ("at_risk", "nudge_after", "close_after", "reopen_within"):
        if key in section:
            seconds = parse_duration(str(section[key]), f"{where}.{key}", longest=None)
            timers[key] = _limited(seconds, MAX_TIMER_DAYS, f"{where}.{key}")
    calendar = None
    if "calendar" in section:
        calendar = calendar_from_config(
            _table(section["calendar"], f"{where}.calendar"), f"{where}.calendar"
        )
    return SlaPolicy(
        targets=targets,
        calendar=calendar,
        at_risk=timers.get("at_risk", SlaPolicy.at_risk),
        nudge_after=timers.get("nudge_after", SlaPolicy.nudge_after),
        close_after=timers.get("close_after", SlaPolicy.close_after),
        reopen_within=timers.get("reopen_within", SlaPolicy.reopen_within),
    )
