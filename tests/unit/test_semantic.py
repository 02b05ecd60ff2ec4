"""The semantic extra is optional: without it the console says how to get it; with it,
vectors are stored at intake and used by the semantic and combined methods."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli import main
from console.core import dupes, operations, semantic
from console.core.errors import InvalidInput
from console.core.store import Store
from tests.support import FrozenClock, make_desk, open_store, utc

NOW = utc(2026, 3, 2, 9, 0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "desk.db", FrozenClock(NOW)) as opened:
        desk = make_desk(opened, "alice")
        for subject in (
            "Cannot sign in to the portal",
            "Invoice has the wrong address",
            "Login page rejects my password",
        ):
            operations.create_ticket(desk, subject=subject, requester="ann@example.com")
        yield opened


@pytest.mark.skipif(semantic.available(), reason="the semantic extra is installed")
def test_without_the_extra_semantic_methods_explain_how_to_get_it(
    store: Store, capsys, tmp_path: Path
):
    for method in ("semantic", "combined"):
        with pytest.raises(InvalidInput, match=r"terminal-help-desk\[semantic\]"):
            dupes.suggest(store, 1, method=method)  # type: ignore[arg-type]
    assert not semantic.enabled()
    assert main(["--db", str(tmp_path / "desk.db"), "embed"]) == 2
    assert "semantic" in capsys.readouterr().err


def test_vectors_pack_into_signed_bytes():
    np = pytest.importorskip("numpy")
    vector = np.array([0.6, -0.8] + [0.0] * 382, dtype=np.float32)
    blob = semantic.pack(vector)
    assert len(blob) == semantic.DIMENSIONS
    assert np.allclose(semantic.unpack(blob), vector, atol=1 / 127)


@pytest.mark.skipif(not semantic.available(), reason="needs the semantic extra")
def test_with_the_extra_meaning_finds_a_reworded_duplicate(store: Store):
    assert semantic.embed_missing(store) == 3
    found = dupes.suggest(store, 1, method="semantic", scope="all")
    assert found[0].ticket_id == 3  # "sign in" and "login" share no word
    assert dupes.suggest(store, 1, method="combined", scope="all")[0].ticket_id == 3
