"""The command-line twins of duplicate suggestions, merge, link, split and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from console.core import operations
from console.core.store import Store
from tests.support import make_desk

FIXTURES = Path(__file__).parent.parent / "fixtures" / "dupes"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "desk.db")


def _run(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", db, "--as", "alice", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _new(db: str, capsys, subject: str, requester: str, body: str) -> tuple[str, str]:
    code, out, err = _run(
        db, capsys, "new", "--subject", subject, "--from", requester, "--body", body
    )
    assert code == 0
    return out.strip(), err


def test_new_prints_its_number_on_stdout_and_duplicates_on_stderr(db: str, capsys):
    first, _ = _new(db, capsys, "VPN drops every hour", "ann@example.com", "VPN disconnects")
    second, err = _new(db, capsys, "VPN keeps dropping", "bob@example.com", "hourly VPN drop")
    assert second.isdigit() and second != first
    assert f"#{first}" in err and "possible duplicates" in err
    code, out, _ = _run(
        db,
        capsys,
        "new",
        "--subject",
        "VPN down again",
        "--from",
        "carl@example.com",
        "--body",
        "vpn",
        "--json",
    )
    data = json.loads(out)
    assert {d["id"] for d in data["duplicates"]} == {int(first), int(second)}


def test_dupes_merge_link_split_round_trip(db: str, capsys):
    a, _ = _new(db, capsys, "Printer offline", "ann@example.com", "The printer is offline")
    b, _ = _new(db, capsys, "Printer is offline again", "ann@example.com", "printer offline")
    code, out, _ = _run(db, capsys, "dupes", b, "--json")
    assert code == 0 and json.loads(out)[0]["id"] == int(a)
    code, out, _ = _run(db, capsys, "dupes", b)
    assert f"#{a}" in out and "same requester" in out

    assert _run(db, capsys, "merge", b, "--into", a, "--notify")[0] == 0
    code, out, _ = _run(db, capsys, "show", a, "--json")
    assert len(json.loads(out)["messages"]) == 1
    assert _run(db, capsys, "unmerge", b)[0] == 0
    code, _, err = _run(db, capsys, "unmerge", b)
    assert code == 2 and "not merged" in err

    code, out, _ = _run(db, capsys, "link", b, "--parent", a)
    assert code == 0 and "1 ticket on it" in out
    code, out, _ = _run(db, capsys, "links", a, "--json")
    assert json.loads(out)["children"] == 1
    code, out, _ = _run(db, capsys, "links", a)
    assert "1 ticket hangs on it" in out and f"#{b} hangs on it" in out
    code, out, _ = _run(db, capsys, "solve-problem", a, "--reply", "Fixed.", "--json")
    assert json.loads(out)["solved"] == [int(a), int(b)]
    assert _run(db, capsys, "unlink", b)[0] == 0

    with Store.open(db) as store:  # the thread verbs belong to another part of the console
        for text in ("one", "two", "three"):
            operations.customer_message(make_desk(store, "alice"), int(a), text)
    code, out, _ = _run(db, capsys, "split", a, "--messages", "3,4")
    assert code == 0 and out.startswith(f"split off #{a} as #")
    new = out.strip().rpartition("#")[2]
    assert new.isdigit()
    code, out, _ = _run(db, capsys, "show", new, "--json")
    assert [m["body"] for m in json.loads(out)["messages"]] == ["two", "three"]
    code, _, err = _run(db, capsys, "split", a, "--messages", "9")
    assert code == 2 and "no message 9" in err
    assert _run(db, capsys, "unsplit", new)[0] == 0


def test_unknown_tickets_are_one_line_errors(db: str, capsys):
    _new(db, capsys, "Anything", "ann@example.com", "x")
    for args in (
        ["dupes", "99"],
        ["merge", "1", "--into", "99"],
        ["merge", "99", "--into", "1"],
        ["link", "99", "--parent", "1"],
        ["link", "1", "--parent", "99"],
        ["unmerge", "99"],
        ["unlink", "99"],
        ["solve-problem", "99"],
    ):
        code, out, err = _run(db, capsys, *args)
        assert (code, out, err) == (1, "", "console: error: ticket #99 does not exist\n")


@pytest.mark.parametrize("args", [["split", "99", "--messages", "1"], ["unsplit", "99"]])
def test_split_and_unsplit_of_an_unknown_ticket_say_it_does_not_exist(
    db: str, capsys, args: list[str]
):
    _new(db, capsys, "Anything", "ann@example.com", "x")
    code, out, err = _run(db, capsys, *args)
    assert (code, out, err) == (1, "", "console: error: ticket #99 does not exist\n")


def test_bench_dupes_runs_the_protocol_on_a_fixture(db: str, capsys):
    code, out, _ = _run(
        db,
        capsys,
        "bench",
        "dupes",
        "--reports",
        str(FIXTURES / "reports.csv"),
        "--pairs",
        str(FIXTURES / "pairs.csv"),
        "--method",
        "default",
        "--method",
        "fts",
        "--json",
    )
    assert code == 0
    results = {r["method"]: r for r in json.loads(out)}
    assert set(results) == {"default", "fts"}
    for result in results.values():
        assert result["queries"] == 3  # 106->101, 107->105, 108->102; 999 is not a report
        assert result["recall@5"] == 1.0
        assert result["p95_ms"] >= result["p50_ms"] >= 0
    code, out, _ = _run(
        db,
        capsys,
        "bench",
        "dupes",
        "--reports",
        str(FIXTURES / "reports.csv"),
        "--pairs",
        str(FIXTURES / "pairs.csv"),
        "--method",
        "default",
    )
    assert code == 0 and "R@5" in out and "default" in out
    code, _, err = _run(
        db,
        capsys,
        "bench",
        "dupes",
        "--reports",
        str(FIXTURES / "no.csv"),
        "--pairs",
        str(FIXTURES / "pairs.csv"),
    )
    assert code == 2 and "no.csv" in err


def test_bench_dupes_scores_train_and_test_pairs_apart(db: str, capsys):
    bench = ["bench", "dupes", "--reports", str(FIXTURES / "reports.csv"), "--method", "default"]
    pairs = str(FIXTURES / "pairs.csv")
    code, out, _ = _run(db, capsys, *bench, "--train", pairs, "--test", pairs, "--json")
    assert code == 0
    assert [(r["method"], r["pairs"], r["queries"]) for r in json.loads(out)] == [
        ("default", "train", 3),
        ("default", "test", 3),
    ]
    code, out, _ = _run(db, capsys, *bench, "--train", pairs, "--test", pairs)
    assert code == 0 and " train " in out and " test " in out
    code, _, err = _run(db, capsys, *bench)
    assert code == 2 and "--train and --test" in err
