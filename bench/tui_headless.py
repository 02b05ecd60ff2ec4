"""Time the TUI on a large store: cold start to the first painted queue, key to repaint for
`j` and for switching queue, and resident memory.

Usage: `python bench/tui_headless.py DB [--presses N]` on a store built with
`console --db DB demo --tickets 1000000`. The app runs headless at 120x36; "painted" means the
ticket list has rendered the cursor row with its ticket, which is what a terminal would be sent
next. Interpreter start-up (about 20 ms) is not included in the cold start."""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before Textual and the console are imported

import argparse  # noqa: E402
import asyncio  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402

from textual.worker import WorkerCancelled  # noqa: E402

from console.tui.app import make_app  # noqa: E402
from console.tui.widgets.ticket_list import TicketList  # noqa: E402

_painted = 0.0
_render_line = TicketList.render_line


def _timed_render_line(self: TicketList, y: int):  # type: ignore[no-untyped-def]
    # Note the moment the cursor row is drawn with a ticket in it (not a placeholder).
    global _painted
    strip = _render_line(self, y)
    index = int(self.scroll_offset.y) + y - 1
    if index == self.cursor and self._row(index) is not None:
        _painted = time.perf_counter()
    return strip


TicketList.render_line = _timed_render_line  # type: ignore[method-assign]


async def _until_painted(since: float, timeout: float = 10.0) -> float:
    deadline = since + timeout
    while _painted < since:
        if time.perf_counter() > deadline:
            raise TimeoutError("the list did not repaint")
        await asyncio.sleep(0.0005)
    return (_painted - since) * 1000


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{name:<24} median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms"
        f"   max {ordered[-1]:6.1f} ms   ({len(ordered)} presses)"
    )


async def bench(db: str, presses: int) -> None:
    app = make_app(db, "alice")
    async with app.run_test(size=(120, 36)) as pilot:
        cold = await _until_painted(STARTED)
        tickets = app.screen.query_one(TicketList)
        print(f"{'cold start':<24} {cold:6.0f} ms   (first queue: {tickets.total:,} tickets)")
        # The timers' worker may still be busy on a store nobody has ticked (`console tick`
        # first gives steadier numbers); the reads are what the keys wait for.
        reads = [w for w in app.workers if w.group != "timers"]
        try:
            await app.workers.wait_for_complete(reads)
        except WorkerCancelled:
            pass  # superseded by a newer read
        await pilot.pause(0.5)
        moves: list[float] = []
        for key in ["j"] * presses:
            await pilot.pause(0.02)
            pressed = time.perf_counter()
            await app._press_keys([key])
            moves.append(await _until_painted(pressed))
        _report("j (cursor down)", moves)
        switches: list[float] = []
        for n in range(presses):
            await pilot.pause(0.02)
            pressed = time.perf_counter()
            # Digits 1-6: the line queues, Mine and All open, never empty on a demo store (an
            # empty queue paints no cursor row to time).
            await app._press_keys([str(n % 6 + 1)])
            switches.append(await _until_painted(pressed))
        _report("switch queue", switches)
        jumps: list[float] = []
        for key in ["G", "g"] * 5:
            await pilot.pause(0.02)
            pressed = time.perf_counter()
            await app._press_keys([key])
            jumps.append(await _until_painted(pressed))
        _report("G / g (bottom, top)", jumps)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak resident memory':<24} {rss:6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--presses", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(bench(args.db, args.presses))


if __name__ == "__main__":
    main()
