"""`console check`: is the database sound, and does it say what the console's rules say?

Two kinds of question. SQLite answers the first: every page, index and reference of the file
(`PRAGMA integrity_check`, `PRAGMA foreign_key_check`). The console answers the second from
its own rules, which the schema alone cannot state:

- every ticket's clocks agree with its event log (`replay`): the priority, status and whose
  move it is are the last ones logged, the first response is the first public reply, and the
  stored stretch lies within what the log allows (a ticket whose clocks started after it came
  in, from an older file or the demo, began its stretch later and counted less);
- every stored deadline is the one the SLA policy gives for the ticket's clocks, and the
  timers look for the next breach at the first deadline not yet logged as missed;
- an open ticket's status follows whose move it is;
- every link between tickets is recorded in the logs of both (merged, parent, split);
- every mail in the outbox is a public reply; every file kept is as long as its size says;
  every checklist question is on the ticket of its checklist.

The tickets are read in batches of `BATCH`, each in a snapshot of its own, so a store of a
million tickets is checked in constant memory and no batch holds back the writers' journal
for long. Each problem is a sentence an agent can read; the first `SHOWN` of each kind are
kept, the rest counted."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from console.core.clock import from_text
from console.core.dbfile import DamagedDatabase
from console.core.model import Event, EventAction, LinkKind
from console.core.replay import replay
from console.core.sla import SlaPolicy, deadlines
from console.core.store import Store, ticket_from_row
from console.core.words import COURT_WORDS
from console.core.workflow import clocks_from_row, status_for

BATCH = 2000
SHOWN = 20
"""Problems of one kind listed by name; more are only counted."""


@dataclass
class Findings:
    """What a check found: problems by area, the first few of each in words."""

    tickets: int = 0
    """How many tickets were checked."""
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sqlite_says: list[str] = field(default_factory=list)
    """What SQLite's own check said of a damaged file (its words, for `--json`)."""

    def add(self, area: str, sentence: str) -> None:
        self.counts[area] += 1
        if len(self.examples[area]) < SHOWN:
            self.examples[area].append(sentence)

    @property
    def sound(self) -> bool:
        return not self.counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "sound": self.sound,
            "tickets": self.tickets,
            "problems": {
                area: {"count": self.counts[area], "examples": self.examples[area]}
                for area in self.counts
            },
            **({"sqlite_says": self.sqlite_says} if self.sqlite_says else {}),
        }


AREAS = {
    "file": "the file itself",
    "references": "rows that point at nothing",
    "clocks": "SLA clocks and the event log",
    "deadlines": "stored deadlines and the SLA policy",
    "status": "status and whose move it is",
    "links": "links between tickets",
    "mail": "mail and files",
    "checklists": "checklists",
}
"""Each area of the check, as the report names it."""


def check(
    store: Store, policy: SlaPolicy, progress: Callable[[int], None] | None = None
) -> Findings:
    """Check the whole store; `progress` is told how many tickets are done after each batch."""
    found = Findings()
    if not _file(store, found):
        return found  # a damaged file: what is read from it now would mislead
    _references(store, found)
    for batch in _ticket_batches(store):
        _tickets(batch, policy, found)
        found.tickets += len(batch)
        if progress:
            progress(found.tickets)
    _links(store, found)
    _mail_and_files(store, found)
    return found


def _file(store: Store, found: Findings) -> bool:
    try:
        with store.read() as conn:
            said = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except (sqlite3.DatabaseError, DamagedDatabase) as error:  # too damaged to check at all
        said = [str(getattr(error, "what", error))]
    if said == ["ok"]:
        return True
    found.sqlite_says.extend(said[:SHOWN])
    found.add(
        "file",
        f"the file is damaged: SQLite's own check found {len(said)} fault"
        f"{'s' if len(said) != 1 else ''} in its pages or indexes; restore it from a backup",
    )
    return False


_ROW_WORDS = {
    "tickets": "ticket",
    "contacts": "contact",
    "messages": "message",
    "events": "event",
    "clarifications": "question to the front line",
    "tags": "tag",
    "ticket_checklists": "checklist",
    "checklist_items": "checklist question",
    "links": "link",
    "time_log": "time entry",
    "ticket_embeddings": "sentence vector",
    "drafts": "draft",
    "outbox": "mail in the outbox",
    "mail_in": "mail taken in",
    "attachments": "file",
}
"""What a row of each table is, in words."""


def _row_words(table: str) -> str:
    return _ROW_WORDS.get(table, table.replace("_", " "))


def _references(store: Store, found: Findings) -> None:
    with store.read() as conn:
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            found.add(
                "references",
                f"{_row_words(table)} {rowid} points at a {_row_words(parent)} that does not exist",
            )


def _ticket_batches(store: Store) -> Iterator[list[tuple[dict[str, Any], list[Event]]]]:
    """The tickets with the events the clocks are replayed from, a batch at a time."""
    after = 0
    while True:
        with store.read() as conn:
            cursor = conn.execute(
                "SELECT t.*, c.plan AS contact_plan FROM tickets t"
                " LEFT JOIN contacts c ON c.id = t.contact_id"
                " WHERE t.id > ? ORDER BY t.id LIMIT ?",
                (after, BATCH),
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
            if not rows:
                return
            events: dict[int, list[Event]] = defaultdict(list)
            for r in conn.execute(
                "SELECT id, ticket_id, at, actor, action, before, after, detail FROM events "
                "WHERE ticket_id BETWEEN ? AND ? AND action IN (?, ?, ?, ?) "
                "ORDER BY ticket_id, id",
                (
                    rows[0]["id"],
                    rows[-1]["id"],
                    EventAction.PRIORITY.value,
                    EventAction.STATUS.value,
                    EventAction.COURT.value,
                    EventAction.MESSAGE.value,
                ),
            ):
                events[r[1]].append(
                    Event(
                        id=r[0],
                        ticket_id=r[1],
                        at=r[2],
                        actor=r[3],
                        action=EventAction(r[4]),
                        before=r[5],
                        after=r[6],
                        detail=r[7],
                    )
                )
        yield [(row, events.get(row["id"], [])) for row in rows]
        after = rows[-1]["id"]


def _tickets(
    batch: list[tuple[dict[str, Any], list[Event]]], policy: SlaPolicy, found: Findings
) -> None:
    for row, events in batch:
        number = f"#{row['id']}"
        stored = clocks_from_row(row)
        if status_for(stored.status, stored.court) != stored.status:
            found.add(
                "status",
                f"{number} is {stored.status.value} while it is {COURT_WORDS[stored.court]}",
            )
        if stored.clock_since is None:
            continue  # its clocks start at the next timer run
        state = stored.state()
        log = replay(ticket_from_row(row), events, policy)
        for what, mine, logged in (
            ("priority", state.priority, log.priority),
            ("status", state.status, log.status),
            ("whose move it is", state.court, log.court),
        ):
            if mine != logged:
                found.add(
                    "clocks", f"{number}: its {what} is {mine.value}, its log says {logged.value}"
                )
        if state.first_response_at != log.first_response_at:
            found.add(
                "clocks", f"{number}: its first response is not the first public reply in its log"
            )
        if not (log.clock_since <= state.clock_since and state.ours_seconds <= log.ours_seconds):
            found.add(
                "clocks", f"{number}: the time counted on its clocks is not what its log allows"
            )
        expected = deadlines(state, policy.for_plan(row["contact_plan"]))
        due = from_text(stored.sla_due_at) if stored.sla_due_at else None
        if not expected:
            if due is not None:
                found.add("deadlines", f"{number} has a deadline while its clocks are stopped")
        elif due != expected[0].due or stored.sla_kind != expected[0].kind:
            found.add(
                "deadlines",
                f"{number}: its next deadline ({expected[0].kind.words}) is not the one the SLA "
                "policy gives (if the team's SLA settings changed, the next change of the "
                "ticket sets it right)",
            )
        # The timers look for the next breach at the first deadline not yet logged as missed.
        pending = [d.due for d in expected if d.breach not in stored.breaches]
        check_at = row["sla_check_at"]
        if (from_text(check_at) if check_at else None) != (pending[0] if pending else None):
            found.add(
                "deadlines",
                f"{number}: the timers would look for its next missed deadline at the wrong time",
            )


# The log entries that tie two tickets together and untie them, by the side whose log holds
# them: "ticket" is the linked ticket's own log (naming the other), "other" the other's log
# (naming the linked ticket). A tie names the ticket in `after`, an untie in `before`.
_LINK_LOGS: tuple[tuple[LinkKind, str, EventAction, EventAction], ...] = (
    (LinkKind.MERGED, "ticket", EventAction.MERGED, EventAction.UNMERGED),
    (LinkKind.MERGED, "other", EventAction.MERGED_IN, EventAction.UNMERGED_OUT),
    (LinkKind.PARENT, "ticket", EventAction.PARENT, EventAction.PARENT),
    (LinkKind.PARENT, "other", EventAction.CHILD_LINKED, EventAction.CHILD_UNLINKED),
    (LinkKind.SPLIT, "other", EventAction.SPLIT, EventAction.UNSPLIT),
)
_LINK_WORDS = {
    LinkKind.MERGED: "is merged into",
    LinkKind.PARENT: "hangs on",
    LinkKind.SPLIT: "was split off",
}


def _number(text: str | None) -> int | None:
    return int(text[1:]) if text and text.startswith("#") and text[1:].isdigit() else None


def _links(store: Store, found: Findings) -> None:
    """Every live link is in both tickets' logs, and every link the logs leave standing is
    live. Only the link entries of the log are read (by their index), never all events."""
    with store.read() as conn:
        live = {
            (LinkKind(kind), ticket, other)
            for kind, ticket, other in conn.execute(
                "SELECT kind, ticket_id, other_id FROM links WHERE kind IN (?, ?, ?)",
                [k.value for k in _LINK_WORDS],
            )
        }
        for _kind, ticket, other in live:
            if ticket == other:
                found.add("links", f"#{ticket} is linked to itself")
        for kind, side, tie, untie in _LINK_LOGS:
            standing: dict[tuple[int, int], bool] = {}
            for ticket_id, before, after in conn.execute(
                "SELECT ticket_id, before, after FROM events WHERE action IN (?, ?) ORDER BY id",
                (tie.value, untie.value),
            ):
                named = _number(after)
                tied = named is not None
                named = named if tied else _number(before)
                if named is None:
                    continue
                pair = (ticket_id, named) if side == "ticket" else (named, ticket_id)
                standing[pair] = tied
            for (ticket, other), tied in standing.items():
                if tied != ((kind, ticket, other) in live):
                    log = f"#{ticket}'s" if side == "ticket" else f"#{other}'s"
                    said = f"#{ticket} {_LINK_WORDS[kind]} #{other}"
                    found.add(
                        "links",
                        f"{log} log says {said}, but no such link is kept"
                        if tied
                        else f"{said}, but {log} log says that was undone",
                    )
            for k, ticket, other in live:
                if k == kind and (ticket, other) not in standing:
                    log = f"#{ticket}'s" if side == "ticket" else f"#{other}'s"
                    found.add(
                        "links",
                        f"#{ticket} {_LINK_WORDS[kind]} #{other}, but {log} log does not say so",
                    )


_ROW_RULES = (
    (
        "mail",
        "SELECT o.id, m.id FROM outbox o JOIN messages m ON m.id = o.message_id "
        "WHERE m.kind != 'reply'",
        "mail {0} in the outbox is not a public reply (message {1})",
    ),
    (
        "mail",
        "SELECT a.id, a.ticket_id FROM attachments a WHERE a.data IS NOT NULL "
        "AND length(a.data) != a.size",
        "file {0} of #{1} is not the size it says",
    ),
    (
        "checklists",
        "SELECT q.id, q.ticket_id, c.ticket_id FROM checklist_items q "
        "JOIN ticket_checklists c ON c.id = q.attachment_id WHERE q.ticket_id != c.ticket_id",
        "question {0} is on #{1}, its checklist on #{2}",
    ),
)


def _mail_and_files(store: Store, found: Findings) -> None:
    with store.read() as conn:
        for area, sql, words in _ROW_RULES:
            for row in conn.execute(sql):
                found.add(area, words.format(*row))
