"""The team's mail settings: the `[mail]` table of the team config.

    [mail]
    address = "support@example.com"      # what customers write to; the From of our mail
    name = "Example Support"             # the From's name
    also = ["help@example.com"]          # other addresses that reach the desk
    max_attachment_mb = 25               # a larger file is refused with a note, the mail kept

The desk's own addresses matter on the way in too: mail from them is the desk's own, come
back in a loop, and is dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.core.errors import InvalidInput

DEFAULT_MAX_ATTACHMENT_MB = 25
NO_DOMAIN = "console.invalid"
"""The domain of the desk's Message-IDs when no address is set (`.invalid` is reserved)."""


@dataclass(frozen=True)
class MailSettings:
    address: str | None = None
    name: str | None = None
    also: tuple[str, ...] = ()
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_MB * 1024 * 1024

    @property
    def addresses(self) -> frozenset[str]:
        """Every address of the desk, lower-cased."""
        return frozenset(a.lower() for a in (self.address, *self.also) if a)

    @property
    def domain(self) -> str:
        """The domain of the Message-IDs the desk makes."""
        return self.address.rpartition("@")[2].lower() if self.address else NO_DOMAIN

    @property
    def loop_mark(self) -> str:
        """The value of the `X-Loop` header the desk puts on its mail."""
        return f"console {self.address or NO_DOMAIN}"


def _address(value: Any, where: str) -> str:
    if not isinstance(value, str) or value.count("@") != 1 or any(c in value for c in " <>,\r\n"):
        raise InvalidInput(f"{where}: give one bare address, such as support@example.com")
    return value.strip()


def mail_settings(config: dict[str, Any], source: str | None = None) -> MailSettings:
    """The `[mail]` table of a parsed config; a wrong value names the file and the key."""
    table = config.get("mail", {})
    where = f"{source}: mail" if source else "mail"
    if not isinstance(table, dict):
        raise InvalidInput(f"{where}: must be a table")
    unknown = set(table) - {"address", "name", "also", "max_attachment_mb"}
    if unknown:
        raise InvalidInput(f"{where}: unknown key {', '.join(sorted(unknown))}")
    address = _address(table["address"], f"{where}.address") if "address" in table else None
    name = table.get("name")
    if name is not None and (not isinstance(name, str) or "\n" in name or "\r" in name):
        raise InvalidInput(f"{where}.name: give the name as one line of text")
    also = table.get("also", [])
    if not isinstance(also, list):
        raise InvalidInput(f'{where}.also: give a list, such as ["help@example.com"]')
    limit = table.get("max_attachment_mb", DEFAULT_MAX_ATTACHMENT_MB)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0:
        raise InvalidInput(f"{where}.max_attachment_mb: give a positive number of megabytes")
    return MailSettings(
        address=address,
        name=name,
        also=tuple(_address(a, f"{where}.also") for a in also),
        max_attachment_bytes=int(limit * 1024 * 1024),
    )
