"""Duplicate suggestions: near-duplicates are found, and no text can break the query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core import dupes, links, operations, terms
from console.core.errors import InvalidInput
from console.core.store import Store
from tests.support import FrozenClock, make_desk, open_store, utc

START = utc(2026, 3, 2, 9, 0)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> Iterator[Store]:
    with open_store(tmp_path / "desk.db", clock) as opened:
        yield opened


def _count(store: Store) -> int:
    return int(store.query("SELECT count(*) FROM tickets")[0][0])


BACKGROUND = [
    ("Invoice shows the wrong VAT number", "carl@shop.test", "The VAT id on invoice 77 is old."),
    ("Feature request: dark mode", "dina@clinic.test", "Our night shift would love dark mode."),
    ("CSV export misses the last column", "emil@school.test", "Exports drop the Notes column."),
    ("Webhook retries flood our server", "fay@acme.test", "We get 500 retries per minute."),
    ("Calls are not logged in the CRM", "gus@logistics.test", "Telephony calls vanish."),
]


def _new(
    store: Store, clock: FrozenClock, subject: str, requester: str, body: str = "", hours: float = 1
) -> int:
    clock.now += timedelta(hours=hours)
    return operations.create_ticket(
        make_desk(store, "alice"), subject=subject, requester=requester, body=body
    ).id


def _background(store: Store, clock: FrozenClock) -> None:
    for subject, requester, body in BACKGROUND:
        _new(store, clock, subject, requester, body)


def test_a_reworded_request_with_typos_is_the_top_suggestion(store: Store, clock: FrozenClock):
    _background(store, clock)
    original = _new(
        store,
        clock,
        "Password reset e-mail never arrives",
        "ann@example.com",
        "I asked for a password reset three times, no e-mail.",
    )
    _background(store, clock)
    repeat = _new(
        store,
        clock,
        "pasword reset email does not arive",
        "zoe@example.org",
        "Still no password reset e-mail in my inbox",
    )
    found = dupes.suggest(store, repeat)
    assert found[0].ticket_id == original
    assert "password" in found[0].shared_words
    assert any(r.startswith("shares") for r in found[0].reasons)


def test_an_open_ticket_of_the_same_requester_is_a_strong_signal(store: Store, clock: FrozenClock):
    _background(store, clock)
    mine = _new(store, clock, "App is slow", "ann@example.com", "Everything takes ages.")
    other = _new(store, clock, "App is slow today", "bob@example.com", "Pages load slowly.")
    again = _new(store, clock, "Still slow!!", "Ann <ANN@example.com>", "Any news? App slow.")
    found = dupes.suggest(store, again)
    assert [s.ticket_id for s in found[:2]] == [mine, other]
    assert "same requester, still open" in found[0].reasons


def test_a_text_not_yet_a_ticket_can_be_checked(store: Store, clock: FrozenClock):
    _background(store, clock)
    found = dupes.suggest(store, "webhook retries", body="flooding us", requester="x@y.test")
    assert found and found[0].subject == "Webhook retries flood our server"


def test_triage_leaves_out_old_solved_and_merged_tickets(store: Store, clock: FrozenClock):
    old = _new(store, clock, "Printer driver crashes", "ann@example.com")
    alice = make_desk(store, "alice")
    operations.close(alice, old)
    merged = _new(store, clock, "Printer driver crashes again", "bob@example.com")
    primary = _new(store, clock, "Printer driver crash on print", "carl@example.com")
    links.merge(alice, merged, primary)
    clock.now += timedelta(days=60)
    query = _new(store, clock, "Printer driver crashes on Windows", "dina@example.com")
    triage = [s.ticket_id for s in dupes.suggest(store, query)]
    assert triage == [primary]
    everything = {s.ticket_id for s in dupes.suggest(store, query, scope="all")}
    assert {old, merged, primary} <= everything


def test_plain_fts_method_and_bad_arguments(store: Store, clock: FrozenClock):
    _background(store, clock)
    query = _new(store, clock, "VAT number wrong on the invoice", "ann@example.com")
    assert dupes.suggest(store, query, method="fts")[0].subject.startswith("Invoice")
    with pytest.raises(InvalidInput):
        dupes.suggest(store, query, limit=0)
    with pytest.raises(InvalidInput):
        dupes.suggest(store, query, method="magic")  # type: ignore[arg-type]


def test_long_bodies_are_cut_to_their_informative_words(store: Store, clock: FrozenClock):
    _background(store, clock)
    body = "lorem ipsum " * 50_000 + " webhook"
    query = _new(store, clock, "Webhook retries", "ann@example.com", body)
    with store.read() as conn:
        chosen = terms.informative_terms(conn, "Webhook retries", body)
    assert len(chosen) <= 24
    assert dupes.suggest(store, query)[0].subject == "Webhook retries flood our server"


HOSTILE = [
    '"',
    '""',
    "AND",
    "OR NOT",
    "NEAR(a b, 3)",
    "a*",
    "^start",
    "subject:x",
    "body : y",
    "{subject body}: z",
    "\x00\x1b[2J",
    "'; DROP TABLE tickets; --",
    "Ω≈ç√∫ 漢字 🙂",
    "-",
    "+",
    "(",
    ")",
    "a AND (b OR",
    "*",
    "NEAR",
    "\u202e",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_searched_as_words(store: Store, clock: FrozenClock, text: str):
    _background(store, clock)
    store_before = _count(store)
    dupes.suggest(store, text, body=text)
    dupes.suggest(store, text, body=text, method="fts")
    assert _count(store) == store_before


def test_fts_syntax_words_match_literally(store: Store, clock: FrozenClock):
    near = _new(store, clock, "NEAR and OR in the subject", "ann@example.com")
    _background(store, clock)
    found = dupes.suggest(store, "NEAR OR", body="AND")
    assert found[0].ticket_id == near


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_any_text_never_raises(store: Store, text: str):
    if _count(store) == 0:
        for subject, requester, body in BACKGROUND:
            operations.create_ticket(
                make_desk(store, "alice"), subject=subject, requester=requester, body=body
            )
    assert len(dupes.suggest(store, text, body=text)) <= 5
    assert len(dupes.suggest(store, text, body=text, method="fts")) <= 5
    words = terms.words(text)
    query = terms.any_of(words)
    if query is not None:  # every quoted word is a valid FTS5 query
        store.query("SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH ?", (query,))


def test_signals_are_fused_by_rank_and_the_best_possible_scores_one(
    store: Store, clock: FrozenClock
):
    _background(store, clock)
    original = _new(store, clock, "Webhook retries flood the server", "fay@acme.test", "retries")
    found = dupes.suggest(
        store, "Webhook retries flood the server", body="retries", requester="fay@acme.test"
    )
    # First by the words, the subject, the time and the requester: the most a ticket can score.
    assert (found[0].ticket_id, found[0].score) == (original, 1.0)
    assert all(0 < s.score <= 1 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_a_rank_needs_no_common_scale_and_ties_go_to_the_newer_ticket():
    assert dupes._ranks({1: 0.5, 2: 900.0, 3: 0.5}) == {2: 1, 3: 2, 1: 3}
