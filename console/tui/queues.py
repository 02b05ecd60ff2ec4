"""The queues an agent can look at, in the order the sidebar lists them.

A queue is a name and a way to build its `QueueFilter` for the agent at the keyboard; the
per-line queues also name the line, so the sidebar can show their counts per priority."""

from __future__ import annotations

from dataclasses import dataclass, replace

from console.core.model import Line, QueueCounts, QueueFilter


@dataclass(frozen=True)
class Queue:
    """One entry of the queue sidebar."""

    id: str
    """A stable key for bindings, the palette and tests: "l1".."l4", "mine", "all"."""
    label: str
    """What the sidebar and the status line call it."""
    line: Line | None = None
    """The support line this queue shows, or None for the queues across lines."""
    mine: bool = False
    """Whether the queue shows only the agent's own tickets."""

    def filter(self, agent: str, text: str | None = None) -> QueueFilter:
        """The open tickets of this queue, optionally narrowed by search words."""
        base = QueueFilter(line=self.line, assignee=agent if self.mine else None)
        return replace(base, text=text or None)


QUEUES: tuple[Queue, ...] = (
    Queue("l1", "L1 first line", line=Line.L1),
    Queue("l2", "L2 second line", line=Line.L2),
    Queue("l3", "L3 experts", line=Line.L3),
    Queue("l4", "L4 vendor", line=Line.L4),
    Queue("mine", "Mine", mine=True),
    Queue("all", "All open"),
)


def queue_by_id(queue_id: str) -> Queue:
    for queue in QUEUES:
        if queue.id == queue_id:
            return queue
    raise KeyError(queue_id)


def queue_total(queue: Queue, counts: QueueCounts) -> int:
    """How many open tickets `queue` holds, by the sidebar's counts."""
    if queue.line is not None:
        return sum(counts.by_line.get(queue.line, {}).values())
    return counts.mine if queue.mine else counts.all_open
