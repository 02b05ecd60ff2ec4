"""The team's mail settings: the `[mail]` table of the team config.

    [mail]
    address = "support@example.com"      # what customers write to; the From of our mail
    name = "Example Support"             # the From's name
    also = ["help@example.com"]          # other addresses that reach the desk
    max_attachment_mb = 25               # a larger file is refused with a note, the mail kept
    smtp = "smtp.example.com:587"        # where the desk's mail goes out (or `sendmail`)
    security = "starttls"                # "starttls", "tls" (port 465) or "none" (loopback)
    user = "support@example.com"
    password_file = "/etc/console/smtp-password"   # or password_env = "SMTP_PASSWORD"
    # sendmail = "/usr/sbin/sendmail -t -oi"       # a local mail server instead of SMTP
    acknowledge = true                   # a person's new ticket is acknowledged at once
    quiet_senders = ["*@nagios.example.com"]       # monitoring: no acknowledgement
    language = "en"                      # when the customer's language cannot be told

    [mail.imap]                          # where `console mail fetch` reads (cron, the TUI)
    host = "imap.example.com"
    security = "tls"                     # port 993; "starttls" or "none" on port 143
    user = "support@example.com"
    password_env = "IMAP_PASSWORD"
    move_to = "Taken"                    # else a message taken is marked read

    [mail.lines.L2]                      # the second line writes from its own address
    address = "experts@example.com"
    name = "Example Experts"

The password is read from a file or an environment variable, never from the command line or
the config itself. The desk's own addresses matter on the way in too: mail from them is the
desk's own, come back in a loop, and is dropped."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from console.core.errors import InvalidInput
from console.core.model import Choice, Line
from console.core.strict import ConfigProblem, at_most, placed, refuse_unknown

DEFAULT_MAX_ATTACHMENT_MB = 25
MAX_ATTACHMENT_MB = 500
"""SQLite keeps a value of at most 1,000 MB, and the mail that carried a file is kept too,
a third larger in its encoded form."""
MAX_ACKNOWLEDGEMENTS_PER_HOUR = 1000
_KEYS = {
    *("address", "name", "also", "max_attachment_mb", "lines"),
    *("smtp", "security", "user", "password_file", "password_env", "password", "sendmail"),
    *("acknowledge", "quiet_senders", "language", "acknowledgements_per_hour", "imap"),
}
LANGUAGES = ("en", "ru", "uk")
NO_DOMAIN = "console.invalid"
"""The domain of the desk's Message-IDs when no address is set (`.invalid` is reserved)."""


class Security(Choice):
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


def read_password(file: str | None, env: str | None, where: str) -> str | None:
    """A password from the environment variable or the file named (read when needed, so a
    rotated file is picked up); None when neither is set."""
    if env:
        value = os.environ.get(env)
        if value is None:
            raise InvalidInput(f"{where}.password_env: ${env} is not set")
        return value
    if file:
        try:
            with open(file, encoding="utf-8") as opened:
                return opened.read().strip()
        except OSError as error:
            raise InvalidInput(
                f"{where}.password_file: cannot read {file}: {error.strerror}"
            ) from None
    return None


@dataclass(frozen=True)
class ImapSettings:
    """Where `console mail fetch` reads the desk's mail (`[mail.imap]`)."""

    host: str
    port: int
    security: Security
    user: str
    password_file: str | None = None
    password_env: str | None = None
    folder: str = "INBOX"
    move_to: str | None = None
    """The folder a message taken is moved to; None: it is marked read where it is."""

    def password(self) -> str:
        return read_password(self.password_file, self.password_env, "mail.imap") or ""


@dataclass(frozen=True)
class MailSettings:
    address: str | None = None
    name: str | None = None
    also: tuple[str, ...] = ()
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_MB * 1024 * 1024
    smtp_host: str | None = None
    smtp_port: int = 587
    security: Security = Security.STARTTLS
    user: str | None = None
    password_file: str | None = None
    password_env: str | None = None
    sendmail: tuple[str, ...] = ()
    """The command (and its arguments) of a local mail server, instead of SMTP."""
    line_senders: dict[Line, tuple[str, str | None]] = field(default_factory=dict)
    """A line's own From (address, name), where it has one."""
    acknowledge: bool = True
    """Whether a person's new ticket gets an acknowledgement with its number at once."""
    quiet_senders: tuple[str, ...] = ()
    """Senders (patterns such as "*@monitoring.example.com") whose tickets get none."""
    language: str = "en"
    """The acknowledgement's language when the customer's own cannot be told (en, ru, uk)."""
    acknowledgements_per_hour: int = 3
    """At most this many automatic answers to one sender an hour: two auto-responders
    writing to each other stop here."""
    imap: ImapSettings | None = None

    @property
    def sending(self) -> bool:
        """Whether the desk can send: it has an address and a way out."""
        return bool(self.address and (self.smtp_host or self.sendmail))

    def sender(self, line: Line) -> tuple[str, str | None]:
        """The From of mail written on `line`."""
        return self.line_senders.get(line) or (self.address or f"desk@{NO_DOMAIN}", self.name)

    def password(self) -> str | None:
        """The SMTP password, read when it is needed."""
        return read_password(self.password_file, self.password_env, "mail")

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
    """The `[mail]` table of a parsed config; a wrong value names the file and the key, and a
    key the console does not know its line too."""
    try:
        return _mail_settings(config, source)
    except ConfigProblem as error:
        raise placed(error, source) from None


def _mail_settings(config: dict[str, Any], source: str | None) -> MailSettings:
    table = config.get("mail", {})
    where = f"{source}: mail" if source else "mail"
    if not isinstance(table, dict):
        raise InvalidInput(f"{where}: must be a table")
    refuse_unknown(table, _KEYS, ("mail",))
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
    at_most(limit, MAX_ATTACHMENT_MB, ("mail", "max_attachment_mb"), f"{MAX_ATTACHMENT_MB} MB")
    return MailSettings(
        address=address,
        name=name,
        also=tuple(_address(a, f"{where}.also") for a in also),
        max_attachment_bytes=int(limit * 1024 * 1024),
        **_way_out(table, where),
        line_senders=_line_senders(table.get("lines", {}), where),
        **_acknowledging(table, where),
        imap=_imap(table.get("imap"), where),
    )


def _imap(table: Any, where: str) -> ImapSettings | None:
    if table is None:
        return None
    where = f"{where}.imap"
    if not isinstance(table, dict):
        raise InvalidInput(f"{where}: must be a table")
    refuse_unknown(
        table,
        (
            *("host", "port", "security", "user", "password_file", "password_env", "password"),
            *("folder", "move_to"),
        ),
        ("mail", "imap"),
    )
    if "password" in table:
        raise InvalidInput(
            f"{where}.password: keep it out of the config: use password_file or password_env"
        )
    host, user = _text(table, "host", where), _text(table, "user", where)
    if not host or not user:
        raise InvalidInput(f"{where}: give host and user")
    security = table.get("security", "tls")
    if security not in [s.value for s in Security]:
        raise InvalidInput(f"{where}.security: one of starttls, tls, none")
    port = table.get("port", 993 if security == "tls" else 143)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise InvalidInput(f"{where}.port: a port number")
    return ImapSettings(
        host=host,
        port=port,
        security=Security(security),
        user=user,
        password_file=_text(table, "password_file", where),
        password_env=_text(table, "password_env", where),
        folder=_text(table, "folder", where) or "INBOX",
        move_to=_text(table, "move_to", where),
    )


def _acknowledging(table: dict[str, Any], where: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "acknowledge" in table:
        if not isinstance(table["acknowledge"], bool):
            raise InvalidInput(f"{where}.acknowledge: true or false")
        found["acknowledge"] = table["acknowledge"]
    quiet = table.get("quiet_senders", [])
    if not isinstance(quiet, list) or not all(isinstance(q, str) and q.strip() for q in quiet):
        raise InvalidInput(
            f"{where}.quiet_senders: give a list of addresses or patterns, "
            'such as ["*@nagios.example.com"]'
        )
    found["quiet_senders"] = tuple(q.strip().lower() for q in quiet)
    if "language" in table:
        if table["language"] not in LANGUAGES:
            raise InvalidInput(f"{where}.language: one of {', '.join(LANGUAGES)}")
        found["language"] = table["language"]
    if "acknowledgements_per_hour" in table:
        limit = table["acknowledgements_per_hour"]
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise InvalidInput(f"{where}.acknowledgements_per_hour: a whole number, 0 or more")
        at_most(
            limit,
            MAX_ACKNOWLEDGEMENTS_PER_HOUR,
            ("mail", "acknowledgements_per_hour"),
            f"{MAX_ACKNOWLEDGEMENTS_PER_HOUR}",
        )
        found["acknowledgements_per_hour"] = limit
    return found


def _text(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip() or "\n" in value):
        raise InvalidInput(f"{where}.{key}: give it as one line of text")
    return value.strip() if value else None


def _way_out(table: dict[str, Any], where: str) -> dict[str, Any]:
    smtp, sendmail = _text(table, "smtp", where), _text(table, "sendmail", where)
    if smtp and sendmail:
        raise InvalidInput(f"{where}: give smtp or sendmail, not both")
    found: dict[str, Any] = {}
    if sendmail:
        import shlex

        found["sendmail"] = tuple(shlex.split(sendmail))
    security = None
    if "security" in table:
        if table["security"] not in [s.value for s in Security]:
            raise InvalidInput(f"{where}.security: one of starttls, tls, none")
        security = Security(table["security"])
    if smtp:
        host, _, port = smtp.rpartition(":") if ":" in smtp else (smtp, "", "")
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise InvalidInput(
                f"{where}.smtp: give host or host:port (a port from 1 to 65535), such as "
                "smtp.example.com:587"
            )
        found["smtp_host"] = host
        found["security"] = security or (Security.TLS if port == "465" else Security.STARTTLS)
        found["smtp_port"] = (
            int(port) if port else (465 if found["security"] == Security.TLS else 587)
        )
    found["user"] = _text(table, "user", where)
    found["password_file"] = _text(table, "password_file", where)
    found["password_env"] = _text(table, "password_env", where)
    if "password" in table:
        raise InvalidInput(
            f"{where}.password: keep it out of the config: use password_file or password_env"
        )
    return found


def _line_senders(table: Any, where: str) -> dict[Line, tuple[str, str | None]]:
    if not isinstance(table, dict):
        raise InvalidInput(f"{where}.lines: give a table per line, such as [mail.lines.L2]")
    senders: dict[Line, tuple[str, str | None]] = {}
    refuse_unknown(table, [line.value for line in Line], ("mail", "lines"), "line")
    for key, value in table.items():
        if not isinstance(value, dict):
            raise InvalidInput(f"{where}.lines.{key}: give a table for L1, L2, L3 or L4")
        refuse_unknown(value, ("address", "name"), ("mail", "lines", key))
        here = f"{where}.lines.{key}"
        if "address" not in value:
            raise InvalidInput(f"{here}.address: give the line's address")
        senders[Line(key)] = (
            _address(value["address"], f"{here}.address"),
            _text(value, "name", here),
        )
    return senders
