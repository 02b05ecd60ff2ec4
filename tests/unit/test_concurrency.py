"""Several agents on one database at once, as a team on one host works: separate processes,
one SQLite file. Nothing acknowledged may be lost, and nobody silently overwrites anybody."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.core import operations
from console.core.store import Store
from tests.support import FrozenClock, make_desk, outage, wait_until

WRITER = textwrap.dedent("""
    import sys
    from console.core import links, operations
    from console.core.desk import Desk
    from console.core.errors import TicketConflict
    from console.core.store import Store
    from console.core.team import Team

    db, agent, ticket, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = Store.open(db)
    desk = Desk(store, Team().agent(agent))
    done = conflicts = 0
    while done < rounds:
        seen = store.ticket(ticket).version
        try:
            operations.note(desk, ticket, f"{agent} {done}", expected_version=seen)
            done += 1
        except TicketConflict:
            conflicts += 1  # somebody else wrote first: read again and retry
    print(conflicts, flush=True)
""")


def test_eight_agents_writing_one_ticket_lose_nothing(db_path: Path) -> None:
    with Store.open(db_path) as store:
        desk = make_desk(store, "intake")
        number = operations.create_ticket(desk, subject="busy", requester="a@b.c").id
    rounds, agents = 15, [f"agent{i}" for i in range(8)]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), agent, str(number), str(rounds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for agent in agents
    ]
    outputs = [w.communicate(timeout=120)[0] for w in writers]
    assert all(w.returncode == 0 for w in writers), outputs
    # Each writer printed how often it had to re-read after a colleague wrote first; how many
    # depends on scheduling, but no retry may lose or double a note.
    with Store.open(db_path) as store:
        notes = [m.body for m in store.messages(number)]
        for agent in agents:
            assert [n for n in notes if n.startswith(agent + " ")] == [
                f"{agent} {i}" for i in range(rounds)
            ]
        ticket = store.ticket(number)
        assert ticket.version == 1 + rounds * len(agents)
        assert len(store.events(number)) == 1 + rounds * len(agents)


KILLED = textwrap.dedent("""
    import sys
    from console.core import links, operations
    from console.core.desk import Desk
    from console.core.store import Store
    from console.core.team import Team

    store = Store.open(sys.argv[1])
    desk = Desk(store, Team().agent("mon"))
    for i in range(100000):
        ticket = operations.create_ticket(desk, subject=f"alert {i}",
                                          requester="nagios@example.com", body="x" * 2000)
        print(ticket.id, flush=True)  # acknowledged: the transaction has committed
""")


def test_a_process_killed_mid_write_loses_nothing_acknowledged(db_path: Path) -> None:
    with Store.open(db_path):
        pass
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    acknowledged: list[int] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        acknowledged.append(int(writer.stdout.readline()))
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    acknowledged += [int(line) for line in writer.stdout.read().split()]
    with Store.open(db_path) as store:
        assert store.query("PRAGMA integrity_check") == [("ok",)]
        stored = {row[0] for row in store.query("SELECT id FROM tickets")}
        assert set(acknowledged) <= stored
        for number in stored:  # every ticket that exists is whole, with its event
            assert store.events(number)[0].action == "created"


def _killed_once_begun(
    command: list[str], db_path: Path, progress_sql: str
) -> subprocess.Popen[bytes]:
    """Run `command` and kill it with SIGKILL once `progress_sql` counts 50 rows of its
    work committed (or once it has finished by itself)."""
    started = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def begun() -> bool:
        with Store.open(db_path, create=False) as store:
            return store.query(progress_sql)[0][0] >= 50 or started.poll() is not None

    wait_until(begun, "the command to commit some of its work", seconds=60)
    started.send_signal(signal.SIGKILL)
    started.wait()
    return started


def test_solving_a_big_outage_killed_half_way_is_finished_by_the_next_run(
    db_path: Path,
) -> None:
    children = 600
    parent = outage(db_path, children)
    command = [
        sys.executable, "-m", "console", "--db", str(db_path), "--as", "alice",
        "solve-problem", str(parent), "--reply", "The outage is over.",
    ]  # fmt: skip
    started = _killed_once_begun(
        command, db_path, "SELECT count(*) FROM tickets WHERE status = 'solved'"
    )
    with Store.open(db_path, create=False) as store:
        assert store.query("PRAGMA integrity_check") == [("ok",)]
        if started.returncode == -signal.SIGKILL:  # killed mid-way, not finished first
            assert store.ticket(parent).status != "solved", "the parent waits for the last child"
    subprocess.run(command, check=True, capture_output=True)
    with Store.open(db_path, create=False) as store:
        statuses = store.query("SELECT status, count(*) FROM tickets GROUP BY status")
        assert statuses == [("solved", children + 1)]
        told = store.query(
            "SELECT ticket_id, count(*) FROM messages WHERE body = 'The outage is over.'"
            " GROUP BY ticket_id HAVING count(*) != 1"
        )
        assert told == [], "each customer is told once, even across the kill"


def test_the_timers_killed_half_way_log_each_breach_once(db_path: Path) -> None:
    tickets = 1500
    ten_days_ago = FrozenClock(datetime.now(UTC) - timedelta(days=10))
    with Store.open(db_path, clock=ten_days_ago) as store:
        desk = make_desk(store, "alice")
        with store.batch():
            for n in range(tickets):
                operations.create_ticket(desk, subject=f"Down {n}", requester=f"c{n}@example.com")
    command = [sys.executable, "-m", "console", "--db", str(db_path), "tick"]
    started = _killed_once_begun(
        command, db_path, "SELECT count(*) FROM events WHERE action = 'sla_breach'"
    )
    assert started.returncode == -signal.SIGKILL, "killed mid-way, not finished first"
    subprocess.run(command, check=True, capture_output=True)
    with Store.open(db_path, create=False) as store:
        assert store.query("PRAGMA integrity_check") == [("ok",)]
        per_ticket = store.query(
            "SELECT count(*) FROM events WHERE action = 'sla_breach' GROUP BY ticket_id, after"
        )
        breached = store.query(
            "SELECT count(DISTINCT ticket_id) FROM events WHERE action = 'sla_breach'"
        )
        assert breached == [(tickets,)], "every ticket's missed deadline is logged"
        assert {count for (count,) in per_ticket} == {1}, "and none of them twice"
