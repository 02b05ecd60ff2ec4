"""A real SMTP server on loopback for the tests (aiosmtpd): it keeps what it accepts, and
refuses the recipients it is told to refuse, for good (550) or for now (451)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Accepted:
    sender: str
    recipients: list[str]
    data: bytes
    at: float = field(default_factory=time.monotonic)
    """When the server accepted it (`time.monotonic`)."""

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class MailServer:
    host: str
    port: int
    accepted: list[Accepted] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    """Recipients refused for good."""
    later: set[str] = field(default_factory=set)
    """Recipients refused for now."""
    pipes: dict[str, Callable[[bytes], int]] = field(default_factory=dict)
    """Recipients delivered to a program, as a mail server's pipe transport does: its exit
    code says accepted (0), try later (75) or refused (anything else)."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such user"
        if address in self.later:
            return "451 4.3.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        others = [r for r in envelope.rcpt_tos if r not in self.pipes]
        for recipient in envelope.rcpt_tos:
            if recipient in self.pipes:
                code = await asyncio.to_thread(self.pipes[recipient], envelope.content)
                if code == 75:
                    return "451 4.3.0 the program says: try later"
                if code != 0:
                    return f"554 5.3.0 the program refused it (exit {code})"
        if others:
            self.accepted.append(Accepted(envelope.mail_from, others, envelope.content))
        return "250 OK: queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(*, smtputf8: bool = True) -> Iterator[MailServer]:
    """A server on a free loopback port; `smtputf8=False` for one that takes only ASCII
    addresses, as many still do."""
    server = MailServer("127.0.0.1", free_port())
    controller = Controller(
        server, hostname=server.host, port=server.port, enable_SMTPUTF8=smtputf8
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
