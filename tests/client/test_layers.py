"""The client is for parties that run no server: importing it must not load Flask, the
database layer, marshmallow or the command line."""

from __future__ import annotations

import subprocess
import sys


def test_the_client_imports_no_server_code() -> None:
    probe = ("import sys, gi_trace.client; "
             "print(sorted(m for m in ('flask', 'sqlalchemy', 'marshmallow', 'click', "
             "'gi_trace.api', 'gi_trace.service', 'gi_trace.cli') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
