"""Words match across inflections in English, Russian and Ukrainian, in the `/` filter, in
`console list --search` and in duplicate suggestions alike; an older database is brought up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core import dupes, operations, schema, stemming, terms
from console.core.desk import Desk
from console.core.model import QueueFilter
from console.core.store import Store
from tests.support import make_desk


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("не работают", "работает"),  # the Russian example
        ("Сайт не работает", "работают"),
        ("увійти", "увійшов"),  # the Ukrainian example: another stem, one lemma
        ("Не можу увійти в кабінет", "увійду"),
        ("Програма не працює", "працюють"),  # no letter says Ukrainian: the dictionary does
        ("паролі", "пароль"),
        ("пароля", "паролей"),  # a Russian form and one the Ukrainian dictionary knows
        ("м’який знак", "м'який"),  # either apostrophe
        ("Connection refused", "connecting"),
        ("Two failures", "failure"),
        ("retries exhausted", "retry"),
    ],
)
def test_an_inflection_finds_the_word(written: str, searched: str) -> None:
    assert stemming.index_text(searched) in stemming.index_text(written).split()


def test_different_words_stay_apart() -> None:
    forms = {stemming.index_text(w) for w in ("работа", "пароль", "connect", "printer")}
    assert len(forms) == 4


def _ticket(desk: Desk, subject: str, body: str = "") -> int:
    return operations.create_ticket(desk, subject=subject, requester="a@b.test", body=body).id


def _found(store: Store, text: str) -> list[int]:
    return [t.id for t in store.tickets(QueueFilter(text=text))]


def test_search_finds_every_inflection_in_subject_body_and_thread(desk: Desk, store: Store) -> None:
    russian = _ticket(desk, "Сайт не работают", "после обновления")
    ukrainian = _ticket(desk, "Не можу увійти", "пароль не підходить")
    english = _ticket(desk, "Printer jam", "the printers keep jamming")
    threaded = _ticket(desk, "Question")
    operations.note(make_desk(store, "alice"), threaded, "Подключение к серверу падает")
    assert _found(store, "работает") == [russian]
    assert _found(store, "увійшов") == [ukrainian]
    assert _found(store, "jammed printer") == [english]
    assert _found(store, "подключения") == [threaded]
    assert store.count(QueueFilter(text="работает")) == 1


def test_the_last_word_of_a_filter_may_be_unfinished(desk: Desk, store: Store) -> None:
    ticket = _ticket(desk, "Password reset never arrives", "Подключение не работает")
    for typed in ("pass", "password res", "подключ", "не работа"):
        assert _found(store, typed) == [ticket], typed


def test_a_ticket_number_still_finds_the_ticket(desk: Desk, store: Store) -> None:
    ticket = _ticket(desk, "Anything")
    assert _found(store, f"#{ticket}") == [ticket]


def test_duplicate_suggestions_match_across_inflections(desk: Desk, store: Store) -> None:
    _ticket(desk, "Принтер печатает полосы", "после замены картриджа")
    original = _ticket(desk, "Не можу увійти до особистого кабінету", "Пише невірний пароль")
    _ticket(desk, "Invoice missing", "where is my invoice")
    found = dupes.suggest(store, "Не вдається увійти в кабінет", body="пароль невірний")
    assert found[0].ticket_id == original
    assert "кабінет" in found[0].shared_words or "увійти" in found[0].shared_words


def test_editing_a_ticket_reindexes_it(desk: Desk, store: Store) -> None:
    ticket = _ticket(desk, "Printer jam")
    with store.transaction() as conn:  # as an edit of the subject would
        conn.execute("UPDATE tickets SET subject = 'Сервер упал' WHERE id = ?", (ticket,))
    assert _found(store, "printer") == []
    assert _found(store, "сервера") == [ticket]
    store.query("INSERT INTO tickets_fts(tickets_fts) VALUES ('integrity-check')")


def test_the_index_takes_any_column_value() -> None:
    assert stemming.index_text(None) == ""
    assert stemming.index_text(b"caf\xc3\xa9s \xff") == stemming.index_text("cafés \ufffd")
    assert stemming.index_text(42) == "42"
    assert stemming.index_text("x" * 100) == "x" * 100  # too long to be a word: kept


def test_an_older_database_is_brought_up_and_searches_by_stem(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    schema.migrate(conn, target=schema.MIGRATIONS.index(schema._STEMMED_SEARCH))
    conn.execute(
        "INSERT INTO tickets (subject, body, requester, line, priority, status, court,"
        " created_at, updated_at, updated_by) VALUES ('Сайт не работают', 'Connection refused',"
        " 'a@b.c', 'L1', 'P1', 'new', 'us', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'x')"
    )
    conn.execute(
        "INSERT INTO messages (ticket_id, kind, author, body, created_at) "
        "VALUES (1, 'customer', 'a@b.c', 'Не можу увійти', '2026-01-01T00:00:00Z')"
    )
    conn.close()

    with Store.open(db_path) as store:
        assert store.query("PRAGMA user_version") == [(schema.LATEST,)]
        for text in ("работает", "connecting", "увійшов"):
            assert [t.id for t in store.tickets(QueueFilter(text=text))] == [1], text
        store.query("INSERT INTO tickets_fts(tickets_fts) VALUES ('integrity-check')")
        store.query("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")


def test_fts_query_stems_and_quotes_every_word() -> None:
    assert terms.fts_query("Работают AND connecting") == '"работа" "and" "connect"'
    assert terms.fts_query("foo_bar don't") == '"foo bar" "don t"'  # phrases, as indexed
    assert terms.fts_query("увійшов", prefix_last=True) == '"увійт"*'


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=80)
    | st.lists(
        st.sampled_from(['"', "*", "^", ":", "(", ")", "AND", "NEAR", "'", "’", "_", "-", "й"])
        | st.text(max_size=6),
        max_size=12,
    ).map(" ".join),
    prefix_last=st.booleans(),
    any_word=st.booleans(),
)
def test_any_text_gives_a_safe_query(
    store: Store, text: str, prefix_last: bool, any_word: bool
) -> None:
    query = terms.fts_query(text, prefix_last=prefix_last, any_word=any_word)
    if query is None:
        return
    for table in ("tickets_fts", "messages_fts"):  # SQLite accepts it as it is
        store.query(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (query,))
    inside = query.replace('""', "")
    # Every word sits inside quotes: outside them only spaces, OR, and a final star.
    outside = "".join(inside.split('"')[0::2])
    assert set(outside.replace("OR", "")) <= {" ", "*"}
