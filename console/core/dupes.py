"""Duplicate suggestions: the tickets most likely to describe the same problem as a given one.

Candidates come from the full-text index only (never a scan of the tickets table), in three
bounded queries: the best BM25 matches on the query's informative words, the most recent
tickets sharing any of those words, and the requester's own recent tickets (with the semantic
extra, the nearest vectors among the newest tickets too). A few hundred at most are then
re-ranked in Python by reciprocal rank fusion of their rankings by text similarity (BM25, and
rapidfuzz on the subjects), closeness in time, the same requester and, with the extra, meaning;
each suggestion says why it was made. Words match across inflections: the index holds stems.

`suggest` is a pure read: the TUI calls it from a worker, the CLI after `console new`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from console.core import semantic
from console.core import terms as T
from console.core.clock import to_text
from console.core.errors import InvalidInput
from console.core.requester import key as requester_key
from console.core.store import Store

Scope = Literal["triage", "before", "all"]
"""Which tickets may be suggested. triage: open ones, and those solved or closed within
`recent_days`, not already merged away; before: every ticket numbered below the query (the
benchmark's "created before"); all: every other ticket."""

Method = Literal["default", "fts", "semantic", "combined"]
"""default: candidates re-ranked with every signal; fts: plain BM25 over all the words (the
baseline the benchmark compares against). With the optional semantic extra: semantic, cosine
of sentence vectors over every ticket in scope (a scan: for the benchmark and small stores);
combined, the default method with the vectors' similarity as one more signal."""

METHODS: tuple[str, ...] = ("default", "fts", "semantic", "combined")
SEMANTIC_METHODS = ("semantic", "combined")

BEST_MATCHES = 200
"""Candidates taken from the BM25 query."""
RECENT_MATCHES = 60
"""Candidates taken from the newest tickets sharing an informative word."""
RECENT_WINDOW = 50_000
"""The newest tickets (by number) the recency queries walk: a month or more of a busy desk."""
SAME_REQUESTER = 20
POSTINGS_BUDGET = 5_000
"""BM25 needs every posting of every word it ranks by: words found in more tickets than this
(together) are left to the recency query, which stops early."""
RECENT_DAYS = 30

RRF_K = 10
"""The constant of reciprocal rank fusion. Each signal (the words BM25 scores, the subject's
likeness, the context: same requester, then closeness in time, and, with the extra, the
meaning) ranks the candidates on its own; a candidate scores the sum of 1 / (RRF_K + its
rank) over the signals. Ranks need no common scale, so no signal's units can drown another's
on data unlike the one it was tried on (the earlier weighted sum of scores was tuned to
Hadoop and lost to the embeddings alone elsewhere). Fitted on the authors' training pairs of
the Hadoop data only: anything from 5 to 20 did about as well there; the usual 60 flattens
the top ranks too much for a handful of signals."""
NEAREST_VECTORS = 50
"""With the extra (combined): candidates taken from the nearest vectors, so that a duplicate
told in other words (sharing no word to find it by) is a candidate too."""
NEAREST_WINDOW = 20_000
"""The newest tickets (by number) whose vectors the combined method compares: 7.5 MB of
vectors, a couple of weeks of a busy desk (the triage scope's open and recent tickets)."""
_OPEN = ("new", "open", "waiting")
_FAR = 1e6
"""More days apart than any two tickets are: the context ranks the same requester above it."""


@dataclass(frozen=True)
class Suggestion:
    ticket_id: int
    subject: str
    requester: str
    status: str
    created_at: str
    score: float
    """Higher is likelier; about 1 is a near certain duplicate."""
    reasons: tuple[str, ...] = ()
    """Why, in words an agent reads at a glance."""
    shared_words: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Query:
    subject: str
    body: str
    requester: str | None
    created_at: str | None
    exclude_id: int | None


def suggest(
    store: Store,
    about: int | str,
    *,
    body: str = "",
    requester: str | None = None,
    limit: int = 5,
    scope: Scope = "triage",
    method: Method = "default",
    recent_days: int = RECENT_DAYS,
) -> list[Suggestion]:
    """The `limit` likeliest duplicates of ticket `about` (a number) or of a text (a subject,
    with `body` and `requester` when known), best first."""
    with store.read():  # one snapshot for every read of the suggestion
        return _suggest(
            store,
            about,
            body=body,
            requester=requester,
            limit=limit,
            scope=scope,
            method=method,
            recent_days=recent_days,
        )


def _suggest(
    store: Store,
    about: int | str,
    *,
    body: str,
    requester: str | None,
    limit: int,
    scope: Scope,
    method: Method,
    recent_days: int,
) -> list[Suggestion]:
    if limit < 1:
        raise InvalidInput("the number of suggestions must be at least 1")
    if method not in METHODS:
        raise InvalidInput(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    if isinstance(about, int):
        ticket = store.ticket(about)
        query = _Query(ticket.subject, ticket.body, ticket.requester, ticket.created_at, ticket.id)
    else:
        query = _Query(about, body, requester, None, None)
    if scope == "before" and query.exclude_id is None:
        raise InvalidInput("scope 'before' needs a ticket number")
    if method in SEMANTIC_METHODS:
        semantic.require()
    with store.read() as conn:
        where, params = _scope_sql(store, query, scope, recent_days)
        if method == "fts":
            return _plain_bm25(store, query, where, params, scope, limit)
        if method == "semantic":
            return _nearest_vectors(store, query, where, params, limit)
        chosen = T.informative_terms(conn, query.subject, query.body)
        bm25 = _best_matches(store, chosen, where, params, scope, query)
        recent = _recent_matches(store, chosen, where, params, scope, query)
        same = _same_requester(store, query, where, params)
        ids = list(dict.fromkeys([*bm25, *recent, *same]))
        meaning: dict[int, float] = {}
        if method == "combined":
            vector = semantic.query_vector(store, query.exclude_id, query.subject, query.body)
            near = _nearest_recent(store, vector, where, params, scope, query)
            ids = list(dict.fromkeys([*ids, *near]))
            meaning = semantic.similarities(store, vector, ids)
        rows = _details(store, ids)
        anchor = query.created_at or store.now()
    return _rank(query, anchor, chosen, rows, bm25, limit, meaning)


def _scope_sql(
    store: Store, query: _Query, scope: Scope, recent_days: int
) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if query.exclude_id is not None:
        clauses.append("t.id != ?")
        params.append(query.exclude_id)
    if scope == "triage":
        cutoff = to_text(store.clock() - timedelta(days=recent_days))
        clauses.append("(t.status IN ('new', 'open', 'waiting') OR t.updated_at >= ?)")
        params.append(cutoff)
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM links l WHERE l.ticket_id = t.id AND l.kind = 'merged')"
        )
    elif scope == "before":
        clauses.append("t.id < ?")
        params.append(query.exclude_id)
    elif scope != "all":
        raise InvalidInput(f"unknown scope {scope!r}: use triage, before or all")
    return " AND ".join(clauses) or "1", params


def _index_bound(scope: Scope, query: _Query) -> tuple[str, list[object]]:
    """The scope's limit on ticket numbers, said to the full-text index itself so that it skips
    later tickets instead of finding them for the join to throw away."""
    if scope == "before":
        return " AND tickets_fts.rowid < ?", [query.exclude_id]
    return "", []


def _plain_bm25(
    store: Store, query: _Query, where: str, params: list[object], scope: Scope, limit: int
) -> list[Suggestion]:
    every = T.words(query.subject + "\n" + query.body, every=True)
    match = T.any_of(every)
    if match is None:
        return []
    bound, bound_params = _index_bound(scope, query)
    rows = store.query(
        "SELECT t.id, substr(t.subject, 1, 300), t.requester, t.status, t.created_at, "
        "bm25(tickets_fts, 3.0, 1.0) AS rank FROM tickets_fts "
        f"JOIN tickets t ON t.id = tickets_fts.rowid WHERE tickets_fts MATCH ?{bound} "
        f"AND {where} ORDER BY rank LIMIT ?",
        [match, *bound_params, *params, limit],
    )
    return [
        Suggestion(r[0], r[1], r[2], r[3], r[4], round(-r[5], 3), ("shares words",)) for r in rows
    ]


def _nearest_vectors(
    store: Store, query: _Query, where: str, params: list[object], limit: int
) -> list[Suggestion]:
    import numpy as np

    vector = semantic.query_vector(store, query.exclude_id, query.subject, query.body)
    rows = store.query(
        "SELECT t.id, e.vector FROM ticket_embeddings e JOIN tickets t ON t.id = e.ticket_id "
        f"WHERE {where}",
        params,
    )
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(len(rows), -1)
    cosines = (matrix.astype(np.float32) / 127.0) @ vector
    best = np.argsort(-cosines)[:limit]
    found = {r[0]: r for r in _details(store, [rows[i][0] for i in best])}
    return [
        Suggestion(
            rows[i][0],
            found[rows[i][0]][1],
            found[rows[i][0]][2],
            found[rows[i][0]][3],
            found[rows[i][0]][4],
            round(float(cosines[i]), 3),
            (f"similar meaning ({float(cosines[i]):.2f})",),
        )
        for i in best
    ]


def _nearest_recent(
    store: Store, vector: Any, where: str, params: list[object], scope: Scope, query: _Query
) -> list[int]:
    """The tickets in scope whose vectors are nearest, among the newest `NEAREST_WINDOW`: a
    bounded scan of the vectors alone (a range of their primary key), the scope checked
    afterwards for the nearest few only, where the semantic method scans every ticket."""
    import numpy as np

    newest = (
        query.exclude_id
        if scope == "before"
        else store.query("SELECT coalesce(max(id), 0) + 1 FROM tickets")[0][0]
    )
    rows = store.query(
        "SELECT ticket_id, vector FROM ticket_embeddings WHERE ticket_id >= ? AND ticket_id < ?",
        [(newest or 0) - NEAREST_WINDOW, newest],
    )
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.int8).reshape(len(rows), -1)
    cosines = matrix.astype(np.float32) @ vector
    nearest = [rows[i][0] for i in np.argsort(-cosines)[: NEAREST_VECTORS * 4]]
    allowed = {
        r[0]
        for r in store.query(
            f"SELECT t.id FROM tickets t WHERE t.id IN (SELECT value FROM json_each(?)) "
            f"AND {where}",
            [f"[{','.join(map(str, nearest))}]", *params],
        )
    }
    return [t for t in nearest if t in allowed][:NEAREST_VECTORS]


def _best_matches(
    store: Store,
    chosen: list[T.Term],
    where: str,
    params: list[object],
    scope: Scope,
    query: _Query,
) -> dict[int, float]:
    """Ticket -> BM25 score (higher is better) over the words BM25 can afford."""
    affordable, postings = [], 0
    for term in sorted(chosen, key=lambda t: t.docs):
        if term.docs >= T.COUNT_CAP or postings + term.docs > POSTINGS_BUDGET:
            break
        affordable.append(T.quote(term.stem))
        postings += term.docs
    match = " OR ".join(affordable)
    if not match:
        return {}
    bound, bound_params = _index_bound(scope, query)
    rows = store.query(
        "SELECT t.id, bm25(tickets_fts, 3.0, 1.0) AS rank FROM tickets_fts "
        f"JOIN tickets t ON t.id = tickets_fts.rowid WHERE tickets_fts MATCH ?{bound} "
        f"AND {where} ORDER BY rank LIMIT ?",
        [match, *bound_params, *params, BEST_MATCHES],
    )
    return {r[0]: -r[1] for r in rows}


def _recent_matches(
    store: Store,
    chosen: list[T.Term],
    where: str,
    params: list[object],
    scope: Scope,
    query: _Query,
) -> list[int]:
    """The newest tickets sharing the most informative words: every informative word of the
    subject, then all of the top three, then the top two, then any of the top eight. Cheap at
    any size: the index walks its lists from the newest ticket down and stops at the limit,
    where BM25 would have to score every match of a common word."""
    found: list[int] = []
    top = [t.stem for t in chosen[:8]]
    subject = [t.stem for t in chosen if t.in_subject][:4]

    def every(stems: list[str], least: int) -> str | None:
        if len(stems) < least:
            return None
        return " AND ".join(T.quote(s) for s in stems)

    def any_of(stems: list[str]) -> str | None:
        return " OR ".join(T.quote(s) for s in stems) or None

    # Only the newest tickets are walked: an AND of common words that rarely meet would
    # otherwise walk their whole lists to fill the limit.
    newest = (
        query.exclude_id
        if scope == "before"
        else store.query("SELECT coalesce(max(id), 0) + 1 FROM tickets")[0][0]
    )
    floor = (newest or 0) - RECENT_WINDOW
    bound, bound_params = _index_bound(scope, query)
    for match in (every(subject, 2), every(top[:3], 3), every(top[:2], 2), any_of(top)):
        if match is None or len(found) >= RECENT_MATCHES:
            continue
        rows = store.query(
            f"SELECT t.id FROM tickets_fts JOIN tickets t ON t.id = tickets_fts.rowid "
            f"WHERE tickets_fts MATCH ? AND tickets_fts.rowid >= ?{bound} AND {where} "
            "ORDER BY tickets_fts.rowid DESC LIMIT ?",
            [match, floor, *bound_params, *params, RECENT_MATCHES],
        )
        found.extend(r[0] for r in rows if r[0] not in found)
    return found[: RECENT_MATCHES * 2]


def _same_requester(store: Store, query: _Query, where: str, params: list[object]) -> list[int]:
    if not query.requester:
        return []
    rows = store.query(
        f"SELECT t.id FROM tickets t WHERE t.requester = ? AND {where} "
        "ORDER BY t.created_at DESC LIMIT ?",
        [requester_key(query.requester), *params, SAME_REQUESTER],
    )
    return [r[0] for r in rows]


def _details(store: Store, ids: list[int]) -> list[tuple]:
    if not ids:
        return []
    rows = store.query(
        "SELECT id, substr(subject, 1, 300), requester, status, created_at, "
        "substr(body, 1, 3000) FROM tickets WHERE id IN (SELECT value FROM json_each(?))",
        [f"[{','.join(str(i) for i in ids)}]"],
    )
    return rows


def _days_apart(a: str, b: str) -> float | None:
    try:  # fromisoformat reads the stored "...Z" form and is far quicker than strptime
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) / 86400
    except ValueError:
        return None


def _ranks(values: dict[int, float]) -> dict[int, int]:
    """Ticket -> its rank (1 is best) by one signal; ties go to the newer ticket."""
    order = sorted(values, key=lambda t: (-values[t], -t))
    return {ticket: place for place, ticket in enumerate(order, start=1)}


def _rank(
    query: _Query,
    anchor: str,
    chosen: list[T.Term],
    rows: list[tuple],
    bm25: dict[int, float],
    limit: int,
    meaning: dict[int, float],
) -> list[Suggestion]:
    """Fuse the signals' rankings (see `RRF_K`), then explain only the suggestions shown.

    A signal ranks only the candidates it says something about (BM25 those that share a
    scored word). The context ranks the requester's own open tickets first, then their other
    ones, then everyone's by time apart. The score is the fused sum over the most it could be
    for the signals in play: 1 for a ticket that comes first by every one."""
    from rapidfuzz import fuzz  # here, not at the top: `console new` without suggestions

    asked_by = requester_key(query.requester or "")
    subject = query.subject.lower()
    alike: dict[int, float] = {}
    apart: dict[int, float | None] = {}
    context: dict[int, float] = {}
    for row in rows:
        ticket_id, their_subject, requester, status, created_at, _body = row
        alike[ticket_id] = fuzz.token_sort_ratio(subject, their_subject.lower()) / 100
        days = apart[ticket_id] = _days_apart(anchor, created_at)
        # The requester and the time are one signal, the context a ticket came in: they say
        # nothing about the problem, and ranked apart they would outvote the text together.
        mine = 0.0
        if asked_by and requester == asked_by:
            mine = 2.0 if status in _OPEN else 1.0
        context[ticket_id] = mine * _FAR - min(days if days is not None else _FAR, _FAR - 1)
    signals = [
        {t: v for t, v in bm25.items() if t in alike and v > 0},
        {t: v for t, v in alike.items() if v > 0},
        context,
        {t: v for t, v in meaning.items() if t in alike},
    ]
    rankings = [_ranks(values) for values in signals if values]
    best = len(rankings) / (RRF_K + 1) or 1.0
    fused = {t: sum(1 / (RRF_K + r[t]) for r in rankings if t in r) / best for t in alike}
    order = sorted(fused, key=lambda t: (-fused[t], -t))[:limit]
    by_id = {row[0]: row for row in rows}
    return [
        _explain(by_id[t], fused[t], alike[t], apart[t], chosen, asked_by, meaning.get(t))
        for t in order
    ]


def _explain(
    row: tuple,
    value: float,
    alike: float,
    apart: float | None,
    chosen: list[T.Term],
    asked_by: str,
    meaning: float | None,
) -> Suggestion:
    ticket_id, subject, requester, status, created_at, body = row
    reasons: list[str] = []
    theirs = {T.stem(w) for w in T.words(subject + "\n" + body)}
    # The query's own spelling of each shared word, the rarest first (`chosen` is in that order).
    shared = [t.word for t in chosen if t.stem in theirs]
    if shared:
        reasons.append("shares " + ", ".join(shared[:5]))
    if alike >= 0.7:
        reasons.append(f"subject {round(alike * 100)}% alike")
    if asked_by and requester == asked_by:
        reasons.append("same requester" + (", still open" if status in _OPEN else ""))
    if apart is not None and apart < 1 / 24:
        reasons.append("opened within the hour")
    elif apart is not None and apart < 1:
        reasons.append(f"opened {round(apart * 24)} h apart")
    elif apart is not None and apart < 7:
        reasons.append(f"opened {round(apart)} d apart")
    if meaning is not None and meaning >= 0.5:
        reasons.append(f"similar meaning ({meaning:.2f})")
    return Suggestion(
        ticket_id,
        subject,
        requester,
        status,
        created_at,
        round(value, 3),
        tuple(reasons),
        tuple(shared[:8]),
    )
