"""A writer process for the multi-process ledger tests.

    python tests/ledger/workers/append_worker.py '<json config>'

It opens its own engine and service from the settings fields in the config and
appends notes signed by its own organisation (each a `key.add` of a fresh key
for that organisation, its body's `reason` "note <n>" counting from 0), `group` at a
time, `count` in all (or until it is killed when `count` is 0). After each
`Log.append` returns it prints, and flushes, one line per record it got back:

    ack <seq> <record hash, hex> <statement bytes, base64url> <signature, base64url>

That line is the client's "201": the test may kill the process at any moment
and then holds the log to every record acknowledged so far. A `LedgerBusyError`
(the writer lock not taken in time) is retried with the same envelopes and
counted; any other error ends the process with a traceback and a non-zero code.
At the end it prints `done <json summary>`. With `wait_for_go` it prints `ready`
once its service is open and waits for a line on stdin, so that several workers
start appending together.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gi_trace.ledger import keys  # noqa: E402
from gi_trace.ledger.encoding import b64url_encode  # noqa: E402
from gi_trace.ledger.errors import LedgerBusyError  # noqa: E402
from gi_trace.ledger.statement import draft  # noqa: E402
from gi_trace.service import open_service  # noqa: E402
from gi_trace.settings import Settings  # noqa: E402


def say(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def main(config: dict[str, Any]) -> int:
    settings = Settings(**config["settings"])
    org: str = config["org"]
    key = keys.load_private_key(config["key"])
    count: int = config.get("count", 0)
    group: int = config.get("group", 1)
    service = open_service(settings)
    log = service.log
    if config.get("wait_for_go"):
        say("ready\n")
        sys.stdin.readline()
    retries = appends = appended = 0
    slowest = 0.0
    started = time.perf_counter()
    n = 0
    try:
        while count == 0 or appended < count:
            size = group if count == 0 else min(group, count - appended)
            batch = [draft("key.add", org, key, {"org": org, "pub": keys.public_key_b64(keys.generate()),
                                                 "reason": f"note {n + i}"}) for i in range(size)]
            n += size
            attempt_started = time.perf_counter()
            while True:
                try:
                    records = log.append(batch)
                    break
                except LedgerBusyError:
                    retries += 1
                    time.sleep(random.uniform(0.0, 0.05))
            slowest = max(slowest, time.perf_counter() - attempt_started)
            say("".join(f"ack {r.seq} {r.record_hash.hex()} {b64url_encode(r.statement)} "
                        f"{b64url_encode(r.signature)}\n" for r in records))
            appends += 1
            appended += len(records)
    finally:
        service.engine.dispose()
    say("done " + json.dumps({"org": org, "appended": appended, "appends": appends,
                              "retries": retries, "seconds": time.perf_counter() - started,
                              "slowest_append_seconds": slowest}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
