"""Measuring duplicate suggestions on real bug reports with known duplicates.

The protocol: every report becomes a ticket in a fresh store, in the order they were created.
For each known pair the newer report is the query and the older one the right answer (a query
with several older duplicates has several right answers); only tickets created before the query
are candidates. Scores: Recall@1/5/10 (share of queries with a right answer in the top k), MRR
over the top 10, and the latency of each suggestion.

Pairs come in named sets, scored apart: the authors of a data set split their pairs into
`train` and `test`, and a method fitted on anything (the console's `dupes.RRF_K`) was fitted on
the training pairs only, so the test pairs say how it does on pairs it never saw. Every set is
ranked over the same store of all the reports.

Files are read by column name, so any export of the same shape works: `Summary`, `Issue id`,
`Created`, `Description` are needed; other columns are ignored."""

from __future__ import annotations

import csv
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from console.core import dupes, semantic
from console.core.clock import to_text
from console.core.errors import InvalidInput
from console.core.store import Store

TOP = 10
_REQUIRED = ("Summary", "Issue id", "Created", "Description")


@dataclass(frozen=True)
class Result:
    method: str
    pairs: str
    """The name of the set of pairs scored (train, test, or all)."""
    queries: int
    recall_1: float
    recall_5: float
    recall_10: float
    mrr: float
    p50_ms: float
    p95_ms: float

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "method": self.method,
            "pairs": self.pairs,
            "queries": self.queries,
            "recall@1": self.recall_1,
            "recall@5": self.recall_5,
            "recall@10": self.recall_10,
            "mrr": self.mrr,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
        }


def parse_date(text: str, where: str) -> datetime:
    """Jira's `25/Mar/24 10:25`, or ISO 8601 with or without a time zone (UTC if none)."""
    value = text.strip()
    for pattern in ("%d/%b/%y %H:%M", "%d/%b/%Y %H:%M", "%d/%b/%y %I:%M %p"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{where}: cannot read the date {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _open_csv(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read it ({error.strerror})") from None


def read_reports(path: Path) -> list[tuple[str, str, str, datetime]]:
    """(issue id, summary, description, created) for every report, oldest first."""
    rows = _open_csv(path)
    if rows:
        missing = [c for c in _REQUIRED if c not in rows[0]]
        if missing:
            raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}")
    reports = []
    for number, row in enumerate(rows, start=2):
        issue = (row["Issue id"] or "").strip()
        if not issue or not (row["Created"] or "").strip():
            continue  # a report without an id or a date cannot take part in the protocol
        created = parse_date(row["Created"] or "", f"{path}, line {number}")
        reports.append((issue, row["Summary"] or "", row["Description"] or "", created))
    reports.sort(key=lambda r: (r[3], r[0]))
    return reports


def read_pairs(path: Path) -> set[frozenset[str]]:
    """Undirected pairs; a cell may hold several ids separated by commas. Ids are taken as
    text ("13438913" or "HDFS-1234" alike); a first row naming the columns is skipped."""
    pairs: set[frozenset[str]] = set()
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read it ({error.strerror})") from None
    if rows and rows[0] and rows[0][0].strip().lower() == "issue id":
        rows = rows[1:]
    for row in rows:
        if len(row) < 2 or not row[0].strip():
            continue
        issue = row[0].strip()
        for other in re.split(r"[,\s]+", ",".join(row[1:])):
            if other and other != issue:
                pairs.add(frozenset((issue, other)))
    return pairs


def load_store(store: Store, reports: list[tuple[str, str, str, datetime]]) -> dict[str, int]:
    """Every report as a ticket, in creation order; issue id -> ticket number."""
    numbers: dict[str, int] = {}
    rows = []
    for number, (issue, summary, description, created) in enumerate(reports, start=1):
        numbers[issue] = number
        stamp = to_text(created)
        # Each report gets its own requester: the files do not say who filed them, and a shared
        # one would make every ticket look like a repeat request.
        rows.append(
            (
                number,
                summary.strip() or f"(issue {issue})",
                description,
                f"reporter-{number}@bench.invalid",
                "L2",
                "P3",
                "closed",
                "customer",
                stamp,
                stamp,
                "bench",
            )
        )
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO tickets (id, subject, body, requester, line, priority, status, court,"
            " created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return numbers


def queries(pairs: set[frozenset[str]], numbers: dict[str, int]) -> dict[int, set[int]]:
    """Query ticket -> the older tickets that are its duplicates."""
    wanted: dict[int, set[int]] = {}
    for pair in pairs:
        if len(pair) != 2 or not all(issue in numbers for issue in pair):
            continue
        older, newer = sorted(numbers[issue] for issue in pair)
        wanted.setdefault(newer, set()).add(older)
    return wanted


def score(
    method: str,
    ranked: dict[int, list[int]],
    wanted: dict[int, set[int]],
    latencies: list[float],
    pairs: str = "all",
) -> Result:
    def recall(k: int) -> float:
        hits = sum(1 for q, right in wanted.items() if right & set(ranked[q][:k]))
        return round(hits / len(wanted), 3) if wanted else 0.0

    reciprocal = []
    for q, right in wanted.items():
        ranks = [i for i, t in enumerate(ranked[q][:TOP], start=1) if t in right]
        reciprocal.append(1 / ranks[0] if ranks else 0.0)
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] if ordered else 0
    return Result(
        method,
        pairs,
        len(wanted),
        recall(1),
        recall(5),
        recall(10),
        round(statistics.fmean(reciprocal), 3) if reciprocal else 0.0,
        round(statistics.median(ordered), 2) if ordered else 0.0,
        round(p95, 2),
    )


Suggester = Callable[[Store, int], list[int]]


def builtin(method: str) -> Suggester:
    def run(store: Store, ticket_id: int) -> list[int]:
        found = dupes.suggest(store, ticket_id, limit=TOP, scope="before", method=method)  # type: ignore[arg-type]
        return [s.ticket_id for s in found]

    return run


def default_methods() -> list[str]:
    """Every method this installation can run: the semantic ones need the optional extra."""
    return [m for m in dupes.METHODS if m not in dupes.SEMANTIC_METHODS or semantic.available()]


def run(
    reports_csv: Path,
    pairs_csv: Path | dict[str, Path],
    methods: list[str],
    extra: dict[str, Suggester] | None = None,
    timings: dict[str, float] | None = None,
) -> list[Result]:
    """The protocol for each method and each set of pairs (one file is the set "all"), on one
    fresh temporary store; results by method in the order asked, then by set.

    With a semantic method, every ticket is embedded first, as intake would have done; the
    time it took goes into `timings["embed_ms_per_ticket"]`."""
    reports = read_reports(reports_csv)
    named = pairs_csv if isinstance(pairs_csv, dict) else {"all": pairs_csv}
    pair_sets = {name: read_pairs(path) for name, path in named.items()}
    suggesters = {**{m: builtin(m) for m in dupes.METHODS}, **(extra or {})}
    for method in methods:
        if method not in suggesters:
            raise InvalidInput(f"unknown method {method!r}: use {', '.join(suggesters)}")
    with tempfile.TemporaryDirectory(prefix="console-bench-") as folder:
        with Store.open(Path(folder) / "bench.db") as store:
            numbers = load_store(store, reports)
            wanted = {name: queries(pairs, numbers) for name, pairs in pair_sets.items()}
            if any(m in dupes.SEMANTIC_METHODS for m in methods):
                semantic.require()
                start = time.perf_counter()
                count = semantic.embed_missing(store)
                if timings is not None and count:
                    timings["embed_ms_per_ticket"] = round(
                        (time.perf_counter() - start) * 1000 / count, 2
                    )
            results = []
            for method in methods:
                suggester = suggesters[method]
                ranked: dict[int, list[int]] = {}
                took: dict[int, float] = {}
                for query in sorted({q for found in wanted.values() for q in found}):
                    start = time.perf_counter()
                    ranked[query] = suggester(store, query)
                    took[query] = (time.perf_counter() - start) * 1000
                for name, found in wanted.items():
                    latencies = [took[q] for q in sorted(found)]
                    results.append(score(method, ranked, found, latencies, name))
    return results
