"""A model-based test of the workflow: random sequences of every operation, by every kind of
agent, while a frozen clock moves forward across nights, weekends and a DST change; after
every step the store is held to the rules the workflow promises, checked against a
recomputation from scratch (the event log replayed), not against the workflow's own notes.

A refused step (a rule, a conflict, a closed ticket) must leave the store as it was; a step
that goes through must leave its mark in the log."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from console.core import checklists, escalation, links, macro_render, operations, timers
from console.core.check import check
from console.core.clock import from_text, to_text
from console.core.errors import ConsoleError
from console.core.macro_loader import load
from console.core.model import OPEN_STATUSES, Court, EventAction, Line, MessageKind, Priority
from console.core.replay import replay
from console.core.sla import (
    SlaKind,
    business_seconds,
    counted,
    deadlines,
    policy_from_config,
)
from console.core.team import SYSTEM_LOGIN, parse_team
from console.core.workflow import clocks
from tests.support import FrozenClock, make_desk, open_store, utc

EXAMPLES = int(os.environ.get("CONSOLE_MODEL_EXAMPLES", "200"))
"""How many random sequences to try; CI may ask for more."""

TEAM = parse_team(
    {
        "agents": {
            "lena": {"name": "Lena Lead", "lines": ["L1"], "role": "lead"},
            "ann": {"name": "Ann One", "lines": ["L1"]},
            "ben": {"name": "Ben Two", "lines": ["L2"]},
            "dmitro": {"name": "Dmytro K.", "lines": ["L3"]},
            "vera": {"name": "Vera Vendor", "lines": ["L4"]},
        }
    }
)
AGENTS = sorted(TEAM.agents)
POLICY = policy_from_config(
    {
        "first_response": "2h",
        "next_update": "8h",
        "resolution": "3d",
        "nudge_after": "2d",
        "close_after": "5d",
        "P1": {"first_response": "30m", "next_update": "2h", "resolution": "1d"},
        "calendar": {
            "timezone": "Europe/Kyiv",
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "hours": "09:00-18:00",
            "holidays": ["2026-10-28"],
        },
    }
)
START = utc(2026, 10, 22, 6, 30)
"""A Thursday before Kyiv's clocks go back (25 October 2026)."""
CATALOG = load(None)

agents = st.sampled_from(AGENTS)
priorities = st.sampled_from(list(Priority))
steps = st.sampled_from(
    [
        timedelta(minutes=7),
        timedelta(minutes=50),
        timedelta(hours=3),
        timedelta(hours=11),
        timedelta(days=1),
        timedelta(days=2, hours=5),
        timedelta(days=6),
    ]
)
texts = st.sampled_from(
    [
        "It does not print.",
        "Still broken!!!",
        "Thanks, that helped",
        "Logs attached\n\nline 2",
        "ПРИНТЕР не працює",
    ]
)


class Workflow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="model-"))
        self.clock = FrozenClock(START)
        self.store = open_store(self.folder / "t.db", self.clock)
        self.tickets: list[int] = []
        self.versions: dict[int, int] = {}
        self.event_counts: dict[int, int] = {}
        self.messages = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def desk(self, login: str) -> Any:
        return make_desk(self.store, login, policy=POLICY, team=TEAM)

    def ticket(self, data: st.DataObject) -> int:
        return data.draw(st.sampled_from(self.tickets), label="ticket")

    def _snapshot(self) -> tuple[Any, ...]:
        return (
            self.store.query("SELECT * FROM tickets ORDER BY id"),
            self.store.query("SELECT count(*), ifnull(max(id), 0) FROM events"),
            self.store.query("SELECT count(*), ifnull(max(id), 0) FROM messages"),
        )

    def act(self, fn: Any, added_messages: int = 0) -> bool:
        """Run one operation; a refusal must change nothing."""
        before = self._snapshot()
        try:
            fn()
        except ConsoleError:
            assert self._snapshot() == before, "a refused change wrote something"
            return False
        self.messages += added_messages
        return True

    # -- the operations ------------------------------------------------------------------------

    @rule(login=agents, priority=priorities, text=texts)
    def open_ticket(self, login: str, priority: Priority, text: str) -> None:
        ticket = operations.create_ticket(
            self.desk(login),
            subject=f"Printer {len(self.tickets)}",
            requester="Ann Lee <ann@example.com>",
            body=text,
            priority=priority,
        )
        self.tickets.append(ticket.id)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), text=texts)
    def customer_writes(self, data: st.DataObject, text: str) -> None:
        ticket_id = self.ticket(data)
        login = data.draw(agents)
        result: list[Any] = []

        def write() -> None:
            result.append(operations.customer_message(self.desk(login), ticket_id, text))

        if self.act(write) and result[0].id == ticket_id:
            self.messages += 1
        elif result and result[0].id != ticket_id:
            self.tickets.append(result[0].id)  # a late answer opened a follow-up ticket

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, text=texts, keep=st.booleans())
    def reply(self, data: st.DataObject, login: str, text: str, keep: bool) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.reply(self.desk(login), ticket_id, text, keep_court=keep), 1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, text=texts)
    def note(self, data: st.DataObject, login: str, text: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.note(self.desk(login), ticket_id, text), 1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, court=st.sampled_from([Court.US, Court.CUSTOMER]))
    def move_court(self, data: st.DataObject, login: str, court: Court) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.move_court(self.desk(login), ticket_id, court, "because"))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def vendor(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.hand_to_vendor(self.desk(login), ticket_id, "HP", "HP-1"))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def vendor_answers(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.vendor_answer(self.desk(login), ticket_id, "fixed"), 1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, priority=priorities)
    def priority(self, data: st.DataObject, login: str, priority: Priority) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.set_priority(self.desk(login), ticket_id, priority))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def solve(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.solve(self.desk(login), ticket_id), 1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def confirm(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.confirm(self.desk(login), ticket_id))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, with_message=st.booleans())
    def close(self, data: st.DataObject, login: str, with_message: bool) -> None:
        ticket_id = self.ticket(data)
        message = "Closing, thanks." if with_message else None
        self.act(
            lambda: operations.close(self.desk(login), ticket_id, "done", message=message),
            1 if with_message else 0,
        )

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def nudge(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.nudge(self.desk(login), ticket_id), 1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, hours=st.integers(1, 60))
    def followup(self, data: st.DataObject, login: str, hours: int) -> None:
        ticket_id = self.ticket(data)
        due = self.clock() + timedelta(hours=hours)
        self.act(lambda: operations.set_followup(self.desk(login), ticket_id, due, "call back"))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, up=st.booleans(), line=st.sampled_from([None, *Line]))
    def hand_off(self, data: st.DataObject, login: str, up: bool, line: Line | None) -> None:
        ticket_id = self.ticket(data)
        move = escalation.escalate if up else escalation.deescalate
        kwargs: dict[str, Any] = {"to_line": line}
        if up:
            kwargs["override_reason"] = "the customer is on the phone"
        self.act(lambda: move(self.desk(login), ticket_id, "tried the usual", **kwargs), 1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, who=st.sampled_from([*AGENTS, None]))
    def assign(self, data: st.DataObject, login: str, who: str | None) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.assign(self.desk(login), ticket_id, who))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def take(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: operations.take(self.desk(login), ticket_id))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def ask_front(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: escalation.ask_front(self.desk(login), ticket_id, "Which version?"))

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def answer_front(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: escalation.answer_front(self.desk(login), ticket_id, "7.2"), 1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def checklist_questions(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        desk = self.desk(login)
        self.act(lambda: checklists.attach(desk, ticket_id, CATALOG.checklist("self-diagnosis")))
        self.act(lambda: checklists.send_ask(desk, ticket_id), 1)

    @precondition(lambda self: self.tickets)
    @rule(
        data=st.data(),
        login=agents,
        macro=st.sampled_from(["need-details", "nudge", "outage-known", "password-reset"]),
    )
    def macro(self, data: st.DataObject, login: str, macro: str) -> None:
        ticket_id = self.ticket(data)
        desk = self.desk(login)
        self.act(
            lambda: macro_render.apply(
                desk, CATALOG, CATALOG.macro(macro), ticket_id, allow_missing=True
            ),
            1,
        )

    @precondition(lambda self: len(self.tickets) > 1)
    @rule(data=st.data(), login=agents, notify=st.booleans())
    def merge(self, data: st.DataObject, login: str, notify: bool) -> None:
        duplicate, primary = data.draw(
            st.lists(st.sampled_from(self.tickets), min_size=2, max_size=2, unique=True)
        )
        notice = "" if notify else None
        self.act(
            lambda: links.merge(self.desk(login), duplicate, primary, notice=notice),
            2 if notify else 1,
        )

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents)
    def unmerge(self, data: st.DataObject, login: str) -> None:
        ticket_id = self.ticket(data)
        self.act(lambda: links.unmerge(self.desk(login), ticket_id), -1)

    @precondition(lambda self: self.tickets)
    @rule(data=st.data(), login=agents, with_reply=st.booleans())
    def solve_problem(self, data: st.DataObject, login: str, with_reply: bool) -> None:
        parent = self.ticket(data)
        children = [t for t in self.tickets if t != parent][:2]
        for child in children:
            self.act(lambda child=child: links.link_parent(self.desk(login), child, parent))
        reply = "Fixed for everyone." if with_reply else None
        solved: list[int] = []
        self.act(lambda: solved.extend(links.solve_parent(self.desk(login), parent, reply=reply)))
        self.messages += len(solved) if with_reply else 0

    @rule()
    def timers_run(self) -> None:
        report = timers.tick(self.desk("ann"))
        self.messages += len(report.auto_closed)

    @rule(step=steps)
    def time_passes(self, step: timedelta) -> None:
        self.clock.advance(seconds=step.total_seconds())

    # -- what must hold after every step -------------------------------------------------------

    @invariant()
    def stored_clocks_are_what_the_log_says(self) -> None:
        for ticket_id in self.tickets:
            ticket = self.store.ticket(ticket_id)
            stored = clocks(self.store, ticket_id)
            replayed = replay(ticket, self.store.events(ticket_id), POLICY)
            assert stored.state() == replayed, f"#{ticket_id}: clocks differ from the log"
            expected = deadlines(replayed, POLICY)
            if not expected:  # no clock runs while the ball is not ours
                assert stored.sla_due_at is None and stored.sla_kind is None
                assert not (ticket.court == Court.US and ticket.status in OPEN_STATUSES)
            else:
                assert stored.sla_due_at == to_text(expected[0].due), f"#{ticket_id}: deadline"
                assert stored.sla_kind == expected[0].kind
            # What the change that stored them saw as missed is logged as missed.
            for deadline in expected:
                if deadline.due <= from_text(ticket.updated_at):
                    assert deadline.breach in stored.breaches, f"#{ticket_id}: unlogged breach"

    @invariant()
    def a_deadline_tells_its_true_distance(self) -> None:
        """First response and resolution count all the working time the ball was ours: the
        time between a running deadline and now is exactly the working time left (or late),
        however many times the ball went away and came back."""
        now = self.clock()
        for ticket_id in self.tickets:
            state = clocks(self.store, ticket_id).state()
            targets = POLICY.targets[state.priority]
            used = counted(state, now, POLICY.calendar)
            for deadline in deadlines(state, POLICY):
                target = {
                    SlaKind.FIRST_RESPONSE: targets.first_response,
                    SlaKind.RESOLUTION: targets.resolution,
                }.get(deadline.kind)
                if target is None:
                    continue
                if used >= target:
                    late = business_seconds(deadline.due, now, POLICY.calendar)
                    assert late == used - target, f"#{ticket_id}: {deadline.kind} lateness"
                else:
                    left = business_seconds(now, deadline.due, POLICY.calendar)
                    assert left == target - used, f"#{ticket_id}: {deadline.kind} time left"

    @invariant()
    def a_breach_once_logged_stays(self) -> None:
        for ticket_id, kind in self.store.query(
            "SELECT DISTINCT ticket_id, after FROM events WHERE action = 'sla_breach'"
        ):
            if kind in (SlaKind.FIRST_RESPONSE, SlaKind.RESOLUTION):
                remembered = {b.kind for b in clocks(self.store, ticket_id).breaches}
                assert kind in remembered, f"#{ticket_id}: the {kind} breach was forgotten"

    @invariant()
    def first_response_is_the_first_public_reply_by_an_agent(self) -> None:
        for ticket_id in self.tickets:
            first = self.store.query(
                "SELECT min(at) FROM events WHERE ticket_id = ? AND action = 'message' "
                "AND after = 'reply' AND actor != ?",
                (ticket_id, SYSTEM_LOGIN),
            )[0][0]
            assert clocks(self.store, ticket_id).first_response_at == first

    @invariant()
    def versions_only_grow_and_every_change_is_logged(self) -> None:
        for ticket_id in self.tickets:
            version = self.store.ticket(ticket_id).version
            events = self.store.query(
                "SELECT count(*) FROM events WHERE ticket_id = ?", (ticket_id,)
            )[0][0]
            before = self.versions.get(ticket_id, 1)
            assert version >= before, f"#{ticket_id}: the version went back"
            if version > before:
                assert events > self.event_counts.get(ticket_id, 0), f"#{ticket_id}: unlogged"
            self.versions[ticket_id] = version
            self.event_counts[ticket_id] = events

    @invariant()
    def the_back_lines_never_wrote_to_a_customer(self) -> None:
        writers = {
            r[0]
            for r in self.store.query(
                "SELECT DISTINCT actor FROM events WHERE action = 'message' AND after = 'reply'"
            )
        }
        internal = {login for login in AGENTS if not TEAM.agents[login].talks_to_customers}
        assert not writers & internal

    @invariant()
    def timers_act_as_the_console(self) -> None:
        actors = {
            r[0]
            for r in self.store.query(
                "SELECT DISTINCT actor FROM events WHERE action IN ('sla_breach', 'followup_due', "
                "'nudge_due', 'auto_close')"
            )
        }
        assert actors <= {SYSTEM_LOGIN}

    @invariant()
    def nothing_is_lost(self) -> None:
        stored = self.store.query("SELECT count(*) FROM messages")[0][0]
        assert stored == self.messages, "a message was lost or added behind the model's back"
        assert self.store.query("SELECT count(*) FROM tickets")[0][0] == len(self.tickets)
        replies, queued = self.store.query(
            "SELECT (SELECT count(*) FROM messages WHERE kind = ?), (SELECT count(*) FROM outbox)",
            (MessageKind.REPLY.value,),
        )[0]
        assert replies == queued, "every public message is queued for delivery exactly once"

    @invariant()
    def the_log_only_grows(self) -> None:
        rows = self.store.query(
            "SELECT count(*) FROM events WHERE action = ?", (EventAction.CREATED.value,)
        )[0][0]
        assert rows == len(self.tickets)
        assert all(
            from_text(r[0]) <= self.clock()
            for r in self.store.query("SELECT max(at) FROM events")
            if r[0]
        )

    @invariant()
    def console_check_finds_nothing_wrong(self) -> None:
        """`console check` holds the store to the same rules from outside: whatever the
        workflow can do, it must not call a problem."""
        found = check(self.store, POLICY)
        assert found.sound, found.as_dict()


Workflow.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestWorkflowModel = Workflow.TestCase
