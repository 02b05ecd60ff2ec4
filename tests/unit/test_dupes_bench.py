"""Reading duplicate-report files of the GitBugs shape, whatever project they come from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core import dupes_bench
from console.core.errors import InvalidInput


@pytest.mark.parametrize(
    "text",
    [
        "25/Mar/24 10:25",
        "2024-03-25 10:25:00+00:00",
        "2024-03-25T12:25:00+02:00",
        "2024-03-25T10:25:00.000+0000",
        "2024-03-25T10:25:00Z",
        "2024-03-25 10:25",
    ],
)
def test_dates_in_jira_and_iso_forms(text: str):
    assert dupes_bench.parse_date(text, "here") == datetime(2024, 3, 25, 10, 25, tzinfo=UTC)


def test_an_unreadable_date_names_the_place():
    with pytest.raises(InvalidInput, match="reports.csv, line 7: cannot read the date"):
        dupes_bench.parse_date("yesterday", "reports.csv, line 7")


def test_pairs_with_text_ids_several_per_cell_and_both_directions(tmp_path: Path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        'Issue id,Duplicate id\nHDFS-1,"HDFS-2, HDFS-3"\nHDFS-2,HDFS-1\n\nHDFS-4,HDFS-4\n'
    )
    assert dupes_bench.read_pairs(pairs) == {
        frozenset({"HDFS-1", "HDFS-2"}),
        frozenset({"HDFS-1", "HDFS-3"}),
    }


def test_reports_need_their_columns_and_skip_undated_rows(tmp_path: Path):
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "Summary,Issue id,Created,Description\nA,1,2020-01-02 10:00:00+00:00,x\n"
        "B,2,,y\nC,3,01/Jan/20 09:00,z\n"
    )
    assert [r[0] for r in dupes_bench.read_reports(reports)] == ["3", "1"]
    broken = tmp_path / "broken.csv"
    broken.write_text("Title,Issue id\nA,1\n")
    with pytest.raises(InvalidInput, match="missing column"):
        dupes_bench.read_reports(broken)
