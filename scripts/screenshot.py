"""Write docs/screenshot.svg: the queue screen at 120x36 on a fresh 300-ticket demo desk.

Run from the repository root: `python scripts/screenshot.py [OUTPUT]`. The demo is built in a
temporary directory with a fixed clock and seed, so the picture only changes when the look does."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from textual.worker import WorkerCancelled

from console.core import timers
from console.core.demo import build_demo
from console.core.sla import SlaPolicy
from console.core.store import Store
from console.tui.app import make_app

FROZEN = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SIZE = (120, 36)


async def shoot(output: Path) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        db = Path(workdir) / "demo.db"
        build_demo(db, tickets=300, seed=7, clock=lambda: FROZEN)
        with Store.open(db, clock=lambda: FROZEN) as store:  # as cron's `console tick` leaves it
            timers.tick(store, SlaPolicy(), "cron")
        app = make_app(db, "alice", clock=lambda: FROZEN)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(3):
                try:
                    await app.workers.wait_for_complete()
                except WorkerCancelled:  # a newer read replaced it; the loop waits for that one
                    continue
                await pilot.pause()
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(app.export_screenshot(title="console"), encoding="utf-8")
    print(output)


if __name__ == "__main__":
    asyncio.run(shoot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.svg")))
