"""Two agents acting on one ticket at the same moment, for every pair of conflicting actions.

Each pair runs in two processes that wait at a barrier and then run their command line at
once, so both read the ticket before either writes. Whatever the order the database lets them
in, the log must tell the truth: each change of a field starts from what the one before it
left (no "escalated L2 → L2", no change made from a state that was already gone), the ticket
ends as its last event says, and each command either did its change or said in one line why
not. A traceback in either process fails the test."""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from console.cli import main
from console.core.model import EventAction
from console.core.store import Store

ACTIONS: dict[str, list[str]] = {
    "escalate": ["escalate", "{t}", "--note", "needs the experts"],
    "escalate to L3": ["escalate", "{t}", "--to", "L3", "--note", "needs the experts"],
    "de-escalate": ["deescalate", "{t}", "--note", "back to you"],
    "take": ["take", "{t}"],
    "assign": ["assign", "{t}", "bob"],
    "priority P1": ["priority", "{t}", "P1"],
    "priority P4": ["priority", "{t}", "P4"],
    "ball to the customer": ["court", "{t}", "customer"],
    "reply": ["reply", "{t}", "--body", "Try this."],
    "note": ["note", "{t}", "--body", "Looked at it."],
    "solve": ["solve", "{t}"],
    "close": ["close", "{t}", "--reason", "done"],
    "merge": ["merge", "{t}", "--into", "{other}"],
    "vendor": ["vendor", "{t}", "--vendor", "Acme", "--case", "A-1"],
}
PAIRS = list(itertools.combinations_with_replacement(sorted(ACTIONS), 2))

# The fields whose changes form a chain in the log, and the event actions that change each.
CHAINS = {
    "line": {EventAction.LINE, EventAction.ESCALATED, EventAction.DEESCALATED},
    "priority": {EventAction.PRIORITY},
    "status": {EventAction.STATUS},
    "court": {EventAction.COURT},
    "assignee": {EventAction.ASSIGNEE},
}


def _run_at_barrier(barrier: object, argv: list[str], err_path: str) -> None:
    """In the child: wait for the other agent, then run the command; exit with its code."""
    code = 99
    with open(err_path, "w", encoding="utf-8") as err:
        sys.stderr, sys.stdout = err, io.StringIO()
        sys.stdin = io.StringIO()
        try:
            barrier.wait()  # type: ignore[attr-defined]
            code = main(argv)
        except BaseException:  # noqa: BLE001 - a traceback is what the test looks for
            import traceback

            traceback.print_exc(file=err)
        err.flush()
    os._exit(code)


def _race(db: Path, commands: list[list[str]], tmp: Path) -> list[tuple[int, str]]:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(commands))
    children = []
    for n, command in enumerate(commands):
        err = tmp / f"err{n}"
        argv = ["--db", str(db), "--as", "alice", *command]
        child = context.Process(target=_run_at_barrier, args=(barrier, argv, str(err)))
        child.start()
        children.append((child, err))
    results = []
    for child, err in children:
        child.join(60)
        results.append((child.exitcode or 0, err.read_text()))
    return results


def _chains_hold(store: Store, ticket_id: int, initial: Callable[[str], object]) -> None:
    events = store.events(ticket_id)
    ticket = store.ticket(ticket_id)
    for field, actions in CHAINS.items():
        now = initial(field)
        for event in events:
            if event.action not in {a.value for a in actions}:
                continue
            assert event.before == now, (
                f"#{ticket_id}: {event.action} {event.before} → {event.after}, but {field}"
                f" was {now}"
            )
            assert event.before != event.after, f"#{ticket_id}: {event.action} to where it was"
            now = event.after
        assert str(getattr(ticket, field)) == str(now), f"#{ticket_id}: {field} disagrees"


@pytest.fixture(scope="module")
def desk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("races") / "desk.db"
    for n in range(len(PAIRS) * 2):
        assert main(
            ["--db", str(db), "new", "--subject", f"Case {n}", "--from", f"c{n}@example.com",
             "--body", "It is broken."]
        ) == 0  # fmt: skip
    return db


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a} + {b}" for a, b in PAIRS])
def test_two_agents_at_once_lose_nothing_and_log_only_the_truth(
    desk_file: Path, tmp_path: Path, first: str, second: str
) -> None:
    index = PAIRS.index((first, second))
    ticket, other = 2 * index + 1, 2 * index + 2
    commands = [
        [part.format(t=ticket, other=other) for part in ACTIONS[name]] for name in (first, second)
    ]
    with Store.open(desk_file, create=False) as store:
        before = store.ticket(ticket)
    results = _race(desk_file, commands, tmp_path)
    for (code, err), command in zip(results, commands, strict=True):
        assert code != 99, f"{command}: a traceback\n{err}"
        if code != 0:
            assert len(err.strip().splitlines()) == 1, (command, err)
    with Store.open(desk_file, create=False) as store:
        _chains_hold(store, ticket, lambda field: getattr(before, field))
