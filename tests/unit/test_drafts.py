"""Drafts: saved, replaced, listed newest first, discarded, kept per agent, ticket and kind,
surviving a reopened file, and `console drafts` listing them (also as JSON)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from console.cli import main
from console.core import drafts, operations, schema
from console.core.errors import InvalidInput, TicketNotFound
from console.core.model import MessageKind
from console.core.store import Store
from tests.support import FrozenClock, make_desk, open_store, utc

T0 = utc(2026, 3, 2, 9, 0)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock):
    with open_store(tmp_path / "desk.db", clock) as store:
        yield store


def _ticket(store: Store) -> int:
    return operations.create_ticket(
        make_desk(store, "intake"), subject="Printer", requester="a@example.com", body="It jams"
    ).id


def test_the_migration_is_the_latest(store: Store) -> None:
    assert store.query("PRAGMA user_version") == [(schema.LATEST,)]


def test_save_load_replace_and_discard(store: Store, clock: FrozenClock) -> None:
    ticket = _ticket(store)
    version = store.ticket(ticket).version
    first = drafts.save(store, "kim", ticket, "reply", "Hello")
    assert first is not None and first.body == "Hello" and first.kind == MessageKind.REPLY
    clock.now = T0 + timedelta(seconds=5)
    drafts.save(
        store, "kim", ticket, MessageKind.REPLY, "Hello there", keep_court=True, macro_id="greet"
    )
    again = drafts.load(store, "kim", ticket, "reply")
    assert again is not None
    assert (again.body, again.keep_court, again.macro_id) == ("Hello there", True, "greet")
    assert again.created_at < again.updated_at
    # A draft is not a change of the ticket.
    assert store.ticket(ticket).version == version
    assert drafts.discard(store, "kim", ticket, "reply") is True
    assert drafts.load(store, "kim", ticket, "reply") is None
    assert drafts.discard(store, "kim", ticket, "reply") is False


def test_drafts_are_per_agent_ticket_and_kind(store: Store, clock: FrozenClock) -> None:
    one, two = _ticket(store), _ticket(store)
    drafts.save(store, "kim", one, "reply", "reply on one")
    clock.now += timedelta(seconds=1)
    drafts.save(store, "kim", one, "note", "note on one")
    clock.now += timedelta(seconds=1)
    drafts.save(store, "kim", two, "reply", "reply on two")
    drafts.save(store, "lee", one, "reply", "lee's reply")
    listed = drafts.list_drafts(store, "kim")
    assert [(d.ticket_id, d.kind.value) for d in listed] == [
        (two, "reply"),
        (one, "note"),
        (one, "reply"),
    ]
    assert drafts.load(store, "lee", one, "reply").body == "lee's reply"  # type: ignore[union-attr]


def test_blank_text_is_no_draft(store: Store) -> None:
    ticket = _ticket(store)
    drafts.save(store, "kim", ticket, "note", "something")
    assert drafts.save(store, "kim", ticket, "note", "  \n ") is None
    assert drafts.load(store, "kim", ticket, "note") is None


def test_bad_input_is_refused_and_nothing_written(store: Store) -> None:
    ticket = _ticket(store)
    with pytest.raises(TicketNotFound):
        drafts.save(store, "kim", 999, "reply", "x")
    with pytest.raises(InvalidInput, match="draft kind"):
        drafts.save(store, "kim", ticket, "letter", "x")
    with pytest.raises(InvalidInput, match="at most"):
        drafts.save(store, "kim", ticket, "reply", "x" * (drafts.MAX_DRAFT_CHARS + 1))
    assert drafts.list_drafts(store, "kim") == []


def test_a_draft_survives_reopening_the_file(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "desk.db"
    with open_store(path, clock) as store:
        ticket = _ticket(store)
        drafts.save(store, "kim", ticket, "customer", "She said: it works now")
    with open_store(path, clock) as store:
        kept = drafts.load(store, "kim", ticket, "customer")
    assert kept is not None and kept.body == "She said: it works now"


def test_cli_lists_and_discards(
    tmp_path: Path, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "desk.db"
    with open_store(path, clock) as store:
        ticket = _ticket(store)
        drafts.save(store, "kim", ticket, "reply", "[bold]Hi[/bold]\nsecond line")
    assert main(["--db", str(path), "--as", "kim", "drafts", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["ticket"], d["kind"], d["body"]) for d in data] == [
        (ticket, "reply", "[bold]Hi[/bold]\nsecond line")
    ]
    assert main(["--db", str(path), "--as", "kim", "drafts"]) == 0
    out = capsys.readouterr().out
    assert f"#{ticket}" in out and "reply" in out and "second line" in out
    assert (
        main(["--db", str(path), "--as", "kim", "drafts", "--discard", str(ticket), "reply"]) == 0
    )
    capsys.readouterr()
    assert main(["--db", str(path), "--as", "kim", "drafts", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--db", str(path), "--as", "kim", "drafts", "--discard", "x", "reply"]) == 2
    assert "not a ticket number" in capsys.readouterr().err
