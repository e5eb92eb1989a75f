"""Running the client's command-line verbs as one of the world's actors, against a live server."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from gi_trace.cli.main import cli
from gi_trace.ledger import keys
from gi_trace.service import Service
from tests.client.shared import Shared
from tests.support import Actor

VERIFIED = re.compile(r"^included in checkpoint of size (\d+) \(verified\)$", re.MULTILINE)


class Run:
    """Invoke a verb as one of the world's actors, with its key file and the pinned log key."""

    def __init__(self, shared: Shared, tmp: Path) -> None:
        self.shared, self.tmp = shared, tmp
        self.runner = CliRunner()
        self.url, self.service, self.world = shared.url, shared.service, shared.world

    def key_file(self, actor: Actor) -> Path:
        path = self.tmp / f"{actor.org}.pem"
        if not path.exists():
            keys.save_private_key(actor.key, path)
        return path

    def __call__(self, actor: Actor, *args: str, pin: bool = True) -> Result:
        common = ["--url", self.url, "--key", str(self.key_file(actor)), "--org", actor.org]
        if pin:
            common += ["--log-key", self.service.log.signer.vkey()]
        verb = list(args[:2]) if args[0] in ("batch", "labels") else list(args[:1])
        return self.runner.invoke(cli, [*verb, *common, *args[len(verb):]])


def assert_verified(result: Result, service: Service, type_: str) -> int:
    """Exit 0, one `seq N  type  leaf …` line, and the verified checkpoint that covers it."""
    assert result.exit_code == 0, result.output
    seq = int(re.search(rf"^seq (\d+)  {re.escape(type_)}  leaf [0-9a-f]{{64}}$", result.output,
                        re.MULTILINE).group(1))  # type: ignore[union-attr]
    size = int(VERIFIED.search(result.output).group(1))  # type: ignore[union-attr]
    assert seq < size == service.log.size()
    assert "warning" not in result.output
    return seq
