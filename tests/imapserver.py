"""A real IMAP server on loopback for the tests: Dovecot (Debian's dovecot-imapd), run in the
foreground from a config of its own in a temporary folder, with one mailbox user and a real
Maildir. Plain login over loopback only (ssl = no): what the tests check is the console's
IMAP conversation, not TLS."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support", "s3cret-for-tests"


def available() -> bool:
    return Path(DOVECOT).is_file()


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    maildir: Path
    """The user's Maildir, as Dovecot keeps it: deliver test mail by writing into new/."""
    owner: tuple[int, int]
    """The uid and gid Dovecot reads the mailbox as."""

    def deliver(self, raw: bytes, name: str) -> None:
        for path in (
            self.maildir.parent,
            self.maildir,
            *(self.maildir / s for s in ("cur", "new", "tmp")),
        ):
            path.mkdir(parents=True, exist_ok=True)
            os.chown(path, *self.owner)
        written = self.maildir / "tmp" / name
        written.write_bytes(raw)
        os.chown(written, *self.owner)
        os.replace(written, self.maildir / "new" / name)


def _accounts() -> tuple[str, str, tuple[int, int]]:
    """Who Dovecot's login and internal processes run as, and who owns the mailbox: this user,
    or (Dovecot refuses root for all three) the accounts Debian's package made."""
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid())
        return me.pw_name, me.pw_name, (me.pw_uid, me.pw_gid)
    internal = pwd.getpwnam("dovecot")
    return "dovenull", "dovecot", (internal.pw_uid, internal.pw_gid)


def _logs_in(port: int) -> bool:
    try:
        with imaplib.IMAP4("127.0.0.1", port, timeout=2) as imap:
            imap.login(USER, PASSWORD)
        return True
    except (OSError, imaplib.IMAP4.error):
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    """Dovecot on a free loopback port, ready to log in; its files in a folder of its own
    (readable by the accounts it runs as, which pytest's private temporary folders are not)."""
    folder = Path(tempfile.mkdtemp(prefix="console-imap-"))
    folder.chmod(0o755)
    try:
        with _running(folder) as server:
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _running(folder: Path) -> Iterator[ImapServer]:
    login_user, internal_user, owner = _accounts()
    port = _free_port()
    home = folder / "home"
    (folder / "run").mkdir(parents=True)
    home.mkdir()
    os.chown(home, *owner)
    (folder / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(owner[1]).gr_name}
first_valid_uid = {owner[0]}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={owner[0]} gid={owner[1]} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 15
        while not _logs_in(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = folder / "dovecot.log"
                said = log.read_text() if log.exists() else ""
                raise RuntimeError(f"dovecot did not start: {said[-2000:]}")
            try:  # a pause that ends at once if Dovecot exits
                process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        yield ImapServer("127.0.0.1", port, home / USER / "Maildir", owner)
    finally:
        process.terminate()
        process.wait(timeout=10)
