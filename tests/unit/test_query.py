"""The query language: any text is a query or an error that points at the wrong term; each
field finds what a person reading the tickets would pick out by hand; the indexed terms use
their indexes; `console list --query` says what was wrong and where."""

from __future__ import annotations

import itertools
import json
import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.cli import main
from console.core import operations, tags
from console.core.clock import from_text
from console.core.desk import Desk
from console.core.model import OPEN_STATUSES, Court, Line, Priority, QueueFilter, Status
from console.core.query import (
    Field,
    Filter,
    InvalidQuery,
    Query,
    Span,
    State,
    complete,
    parse,
)
from console.core.store import Store, _source, _where
from tests.support import FrozenClock

# -- parsing -----------------------------------------------------------------------------------


def test_the_issues_example_reads_term_by_term() -> None:
    query = parse(
        "line:L2 court:us pri:P1,P2 age:>7d idle:>2d tag:outage -tag:billing "
        "from:ann@example.com from:@example.com is:mine is:unassigned assignee:eve "
        'status:waiting has:attachment "exact phrase" words -word',
        me="tess",
    )
    assert Filter(Field.PRIORITY, (Priority.P1, Priority.P2)) in query.filters
    assert Filter(Field.TAG, ("billing",), negated=True) in query.filters
    assert Span(Field.AGE, True, 7 * 86400) in query.filters
    assert Span(Field.IDLE, True, 2 * 86400) in query.filters
    assert Filter(Field.FROM, ("@example.com",)) in query.filters
    assert Filter(Field.IS, (State.MINE,)) in query.filters
    assert query.words == ('"exact phrase"', "words")
    assert query.excluded == ("word",)
    assert query.me == "tess" and query.any_status


@pytest.mark.parametrize(
    ("text", "term", "says"),
    [
        ("printer colour:red", "colour:red", "did you mean 'court'?"),
        ("pri:P9", "pri:P9", "not a priority (one of P1, P2, P3, P4)"),
        ("line:L2 line:", "line:", "give a value"),
        ("age:7d", "age:7d", "age:>7d"),
        ("idle:>forever", "idle:>forever", "forever"),
        ("court:them", "court:them", "not one of us, customer, vendor"),
        ("is:happy", "is:happy", "not a is"),
        ("status:any,open", "status:any,open", "stands alone"),
        ("#4 #5", "#5", "one ticket number"),
    ],
)
def test_a_wrong_term_is_named_and_located(text: str, term: str, says: str) -> None:
    with pytest.raises(InvalidQuery) as raised:
        parse(text, me="tess")
    error = raised.value
    assert text[error.start : error.end] == term
    assert says in str(error) and f"character {error.start + 1}" in str(error)


def test_is_mine_needs_someone() -> None:
    with pytest.raises(InvalidQuery, match="whose"):
        parse("is:mine")


def test_a_colon_inside_words_is_words() -> None:
    query = parse("https://example.com/login error: #12")
    assert query.words == ("https://example.com/login", "error:") and query.number == 12


@given(st.text(max_size=80))
def test_any_text_is_a_query_or_a_pointed_error(text: str) -> None:
    try:
        query = parse(text, me="tess")
    except InvalidQuery as error:
        assert 0 <= error.start < error.end <= max(len(text), error.end)
        return
    assert isinstance(query, Query)


FIELD_WORDS = [
    "line:L2", "pri:P1,P2", "court:customer", "status:any", "status:solved", "assignee:eve",
    "assignee:none", "tag:outage", "from:@acme.test", "from:ann", "from:ann@acme.test",
    "age:>3d", "age:<1d", "idle:>2d", "is:mine", "is:unassigned", "is:closed", "is:breached",
    "has:attachment", "has:followup", "has:question", "channel:phone", "printer", '"jams again"',
    "#3", "-paper", "-tag:billing", "-line:L1", "-assignee:eve", "-is:unassigned",
    "org:acme", "plan:gold", "is:vip", "+380441234567", "ann@acme.test", "@shop.test",
    "type:bug", "type:question,none", "-type:none",
]  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FIELD_WORDS), max_size=5, unique=True))
def test_every_parsed_query_runs(store: Store, terms: list[str]) -> None:
    query = parse(" ".join(terms), me="tess")
    for prefix in (False, True):
        queue = QueueFilter(query=query, prefix_last=prefix)
        assert store.count(queue) >= len(store.tickets(queue, limit=5))


def test_completion_offers_fields_then_values() -> None:
    assert complete("printer li") == "printer line:"
    assert complete("line:L") == "line:L1"
    assert complete("pri:P1,P") == "pri:P1,P1" or complete("pri:P1,P") == "pri:P1,P2"
    assert complete("assignee:e", {Field.ASSIGNEE: ("eve", "emil")}) == "assignee:eve"
    assert complete("is:un") == "is:unassigned"
    assert complete("tag:x") is None and complete("") is None and complete("words ") is None


# -- what each term finds ----------------------------------------------------------------------


def _desk_of_many(desk: Desk, clock: FrozenClock) -> None:
    """Thirty tickets over ten days in every state a query can tell apart."""
    rng = random.Random(7)
    people = ["ann@acme.test", "bob@acme.test", "ann.lee@shop.test", "cy@example.com"]
    for n in range(30):
        clock.advance(hours=8)
        ticket = operations.create_ticket(
            desk,
            subject=f"Printer jams again {n}" if n % 3 == 0 else f"Login fails {n}",
            requester=people[n % len(people)],
            body="paper everywhere" if n % 4 == 0 else "nothing more",
            line=Line(f"L{1 + n % 3}"),
            priority=Priority(f"P{1 + n % 4}"),
        )
        if n % 5 == 0:
            operations.assign(desk, ticket.id, rng.choice(["eve", "tess"]))
        if n % 6 == 1:
            tags.change_tags(desk, ticket.id, ["outage"] + (["billing"] if n % 2 else []))
        if n % 7 == 2:
            operations.move_court(desk, ticket.id, Court.CUSTOMER, "asked for logs")
        if n % 9 == 3:
            operations.solve(desk, ticket.id, "Fixed.")
        if n % 11 == 4:
            operations.close(desk, ticket.id, "spam")
        if n % 4 == 1:
            operations.set_type(desk, ticket.id, "bug" if n % 8 == 1 else "question")
    clock.advance(hours=5)


def _expected(store: Store, query_text: str, now_days: float = 0) -> list[int]:
    """What a person would pick by reading every ticket (the oracle, kept naive)."""
    rows = store.rows("SELECT * FROM tickets ORDER BY id")
    tagged = {(t, i) for i, t in store.query("SELECT ticket_id, tag FROM tags")}
    now = store.clock()
    query = parse(query_text, me="tess")

    def holds(term: Filter | Span, row: dict) -> bool:
        if isinstance(term, Span):
            column = "created_at" if term.field == Field.AGE else "updated_at"
            age = now - from_text(row[column])
            return (age > timedelta(seconds=term.seconds)) == term.more
        values = term.values
        if term.field == Field.LINE:
            return row["line"] in values
        if term.field == Field.PRIORITY:
            return row["priority"] in values
        if term.field == Field.COURT:
            return row["court"] in values
        if term.field == Field.STATUS:
            return values == ("any",) or row["status"] in values
        if term.field == Field.ASSIGNEE:
            return row["assignee"] in values or ("none" in values and row["assignee"] is None)
        if term.field == Field.TAG:
            return any((v, row["id"]) in tagged for v in values)
        if term.field == Field.TYPE:
            return (row["ticket_type"] or "none") in values
        if term.field == Field.FROM:
            return any(
                row["requester"].endswith(v) if v.startswith("@")
                else row["requester"] == v if "@" in v
                else row["requester"].startswith(v)
                for v in values
            )  # fmt: skip
        if term.field == Field.IS:
            states = {
                State.MINE: row["assignee"] == "tess",
                State.UNASSIGNED: row["assignee"] is None,
                State.ASSIGNED: row["assignee"] is not None,
                State.OPEN: row["status"] in OPEN_STATUSES,
                State.SOLVED: row["status"] == Status.SOLVED,
                State.CLOSED: row["status"] == Status.CLOSED,
                State.BREACHED: row["sla_breached"] is not None,
            }
            return any(states[v] for v in values)  # type: ignore[index]
        raise AssertionError(term.field)

    picked = []
    for row in rows:
        if not query.any_status and row["status"] not in OPEN_STATUSES:
            continue
        if all(holds(term, row) != term.negated for term in query.filters):
            picked.append(row["id"])
    return picked


ORACLE_TERMS = [
    w
    for w in FIELD_WORDS
    if not w.startswith(("has:", "channel", '"', "#", "-p", "org:", "plan:", "is:vip", "+", "@"))
    and "@acme.test" != w
]
ORACLE_TERMS.remove("printer")


def test_each_term_and_pairs_of_them_find_what_a_person_would(
    desk: Desk, store: Store, clock: FrozenClock
) -> None:
    _desk_of_many(desk, clock)
    for pair in itertools.chain(
        ((t,) for t in ORACLE_TERMS), itertools.combinations(ORACLE_TERMS, 2)
    ):
        text = " ".join(pair)
        queue = QueueFilter(query=parse(text, me="tess"))
        found = sorted(t.id for t in store.tickets(queue, limit=100))
        assert found == _expected(store, text), text
        assert store.count(queue) == len(found), text


def test_words_phrases_and_excluded_words(desk: Desk, store: Store, clock: FrozenClock) -> None:
    _desk_of_many(desk, clock)

    def ids(text: str, prefix: bool = False) -> set[int]:
        queue = QueueFilter(query=parse(text), prefix_last=prefix)
        return {t.id for t in store.tickets(queue, limit=100)}

    printers = ids("printer")
    assert printers and printers == ids('"printer jams"') == ids("print", prefix=True)
    assert not ids("print") and not ids('"jams printer"')
    assert ids("printer -paper") == {i for i in printers if i not in ids("paper")}
    assert ids("printer -paper") and ids("printer -paper") != printers
    assert ids("#4") == ids("#4 printer") == {4} and not ids("#5 printer")  # 4 is solved


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("from:@acme.test status:any", "tickets_by_requester_domain"),
        ("from:ann status:any", "tickets_by_requester"),
        ("line:L2 pri:P1", "tickets_open_by_line"),
        ("tag:outage", "tags_by_tag"),
        ("type:bug status:any", "tickets_by_type"),
        ("is:mine", "tickets_open_by_assignee"),
        ("assignee:eve pri:P1", "tickets_open_by_assignee"),
    ],
)
def test_indexed_terms_use_their_index(store: Store, text: str, index: str) -> None:
    query = parse(text, me="tess")
    queue = QueueFilter(line=Line.L2 if "line" in text else None, query=query)
    where, params = _where(queue, store.clock())
    plan = store.query(
        f"EXPLAIN QUERY PLAN SELECT id FROM {_source(queue)} WHERE {where} "
        "ORDER BY priority, created_at, id LIMIT 50",
        params,
    )
    details = " ".join(row[3] for row in plan)
    assert index in details, details


# -- the command line --------------------------------------------------------------------------


def test_list_query_on_the_command_line(capsys, db_path, desk: Desk, clock) -> None:
    _desk_of_many(desk, clock)
    desk.store.close()
    code = main(["--db", str(db_path), "--as", "tess", "list", "--query", "is:mine", "--json"])
    mine = [t["id"] for t in json.loads(capsys.readouterr().out)]
    assert code == 0 and mine
    with Store.open(db_path, read_only=True) as store:
        assert all(store.ticket(n).assignee == "tess" for n in mine)
    code = main(["--db", str(db_path), "list", "-q", "line:L2 colour:red"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--query: 'colour:red': there is no field 'colour' (did you mean 'court'?)" in err
    assert "at character 9" in err and "fields: line:L2" in err
