"""console/core must work without Textual: scripts and the CLI verbs never pay for the UI."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import console.core


def test_core_and_cli_verbs_do_not_import_textual() -> None:
    modules = [f"console.core.{m.name}" for m in pkgutil.iter_modules(console.core.__path__)]
    code = "\n".join(
        [
            *(f"import {m}" for m in modules),
            "import console.cli",
            # The first page is read while Textual loads (see `FirstPage`).
            "import console.tui.queues",
            "import sys",
            "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')",
            "assert not bad, bad",
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
