"""A real OpenSSH server on loopback with two agent accounts, for the "team over SSH" tests.

The server runs with its own config, keys and port, and stops when the tests end. The agents
are real OS users (identity is the OS user), so this needs root; it installs nothing itself
(`.ci/run` installs openssh-server when missing). The console is copied, with its
dependencies, to a folder the agents can read, and run there with the system's Python."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import console

SSHD = Path("/usr/sbin/sshd")
SYSTEM_PYTHON = Path("/usr/bin/python3")


@dataclass
class SshServer:
    port: int
    folder: Path
    client_key: Path
    launcher: Path
    """Runs the console as whoever logs in: `launcher ARGS...`."""

    def command(self, user: str, *remote: str) -> list[str]:
        return [
            "ssh",
            "-tt" if not remote else "-T",
            "-p",
            str(self.port),
            "-i",
            str(self.client_key),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "BatchMode=yes",
            f"{user}@127.0.0.1",
            *remote,
        ]


def unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "creating agent accounts for the SSH test needs root"
    if not SSHD.exists() or not shutil.which("ssh"):
        return "OpenSSH is not installed (.ci/run installs it)"
    if not SYSTEM_PYTHON.exists():
        return "no system Python for the agents' sessions"
    version = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if version != str(tuple(sys.version_info[:2])):
        return f"system Python {version} differs from the test's {sys.version_info[:2]}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_user(name: str, public_key: str) -> None:
    if subprocess.run(["id", name], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True)
    # A new account is "locked" (password "!"), and sshd without PAM refuses locked accounts
    # even for key logins; "*" means "no password login" without the lock.
    subprocess.run(["usermod", "-p", "*", name], check=True)
    home = Path(f"/home/{name}")
    ssh_dir = home / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    (ssh_dir / "authorized_keys").write_text(public_key)
    shutil.chown(ssh_dir, name, name)
    shutil.chown(ssh_dir / "authorized_keys", name, name)
    (ssh_dir / "authorized_keys").chmod(0o600)


def _install_console(folder: Path) -> Path:
    """A copy of the console and its dependencies that any user can run."""
    site = folder / "site"
    source_site = Path(sysconfig.get_paths()["purelib"])
    shutil.copytree(
        source_site,
        site,
        ignore=shutil.ignore_patterns(
            "__pycache__",
            "pip",
            "pip-*",
            "setuptools*",
            "_pytest",
            "pytest*",
            "hypothesis*",
            "__editable__*",
            "terminal_help_desk*",
            "syrupy*",
            "console",
        ),
    )
    shutil.copytree(
        Path(console.__file__).parent,
        site / "console",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    launcher = folder / "console"
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH={site} exec {SYSTEM_PYTHON} -m console "$@"\n')
    launcher.chmod(0o755)
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() or path == launcher else 0o644)
    return launcher


def start_server(users: tuple[str, ...]) -> Iterator[SshServer]:
    folder = Path(tempfile.mkdtemp(prefix="console-ssh-"))
    folder.chmod(0o755)
    for key in ("host_key", "client_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / key)], check=True
        )
    for user in users:
        ensure_user(user, (folder / "client_key.pub").read_text())
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    port = _free_port()
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {folder / 'host_key'}",
                f"PidFile {folder / 'sshd.pid'}",
                "AuthorizedKeysFile .ssh/authorized_keys",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PermitRootLogin no",
                "PrintMotd no",
                "StrictModes no",
                "",
            ]
        )
    )
    server = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(config)], stderr=open(folder / "sshd.log", "wb")
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None:
                raise RuntimeError((folder / "sshd.log").read_text())
            time.sleep(0.05)
        launcher = _install_console(folder / "app")
        yield SshServer(
            port=port, folder=folder, client_key=folder / "client_key", launcher=launcher
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
