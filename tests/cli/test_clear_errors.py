"""The mistakes a new user made, each answered with what to fix, before anything is sent where
it can be: an organisation id the server does not know for the key, a malformed --log-key, a
base URL ending in /v1, a harvest dated in the future."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gi_trace.cli.main import cli
from gi_trace.ledger import keys
from tests.cli.client_runs import Run, assert_verified
from tests.domain.world import PADDY

UNREACHABLE = "http://127.0.0.1:9"
TOMORROW = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()


def invoke(run: Run, *args: str, url: str | None = None, org: str = "coop-a",
           key: Path | None = None, log_key: str | None = None) -> Result:
    verb = list(args[:2]) if args[0] == "batch" else list(args[:1])
    common = ["--url", url or run.url, "--org", org,
              "--key", str(key or run.key_file(run.world.coop_a)),
              "--log-key", log_key or run.service.log.signer.vkey()]
    return CliRunner().invoke(cli, [*verb, *common, *args[len(verb):]])


def receive_unknown(run: Run, **options: object) -> Result:
    return invoke(run, "receive", "--shipment", run.shared.unique("none"), **options)  # type: ignore[arg-type]


def stranger_key(run: Run) -> Path:
    path = run.tmp / "stranger.pem"
    if not path.exists():
        keys.save_private_key(keys.generate(), path)
    return path


def register_tomorrow(run: Run, url: str) -> Result:
    return invoke(run, "batch", "register", "--batch", run.shared.unique("future"), "--product",
                  PADDY, "--lot", "LF-1", "--quantity", "1", "--harvested", TOMORROW, url=url)


# (what the user got wrong, exit code, what the error must say)
MISTAKES: list[tuple[str, Callable[[Run], Result], int, list[str]]] = [
    ("unknown-org", lambda r: receive_unknown(r, org="coop-z"), 1,
     ["unknown organisation 'coop-z' (--org)", "is registered to organisation 'coop-a'"]),
    ("org-of-another-key", lambda r: receive_unknown(r, org="mill"), 1,
     ["is registered to organisation 'coop-a', not to 'mill'", "pass --org coop-a"]),
    ("unregistered-key", lambda r: receive_unknown(r, key=stranger_key(r)), 1,
     ["is registered to no organisation here", "ask a regulator"]),
    ("unknown-org-and-unregistered-key",
     lambda r: receive_unknown(r, org="coop-z", key=stranger_key(r)), 1,
     ["unknown organisation 'coop-z' (--org)", "registered to no organisation here"]),
    # Unreachable URL: the mistake is found before any request, or this would say "cannot reach".
    ("malformed-log-key", lambda r: receive_unknown(r, url=UNREACHABLE, log_key="not+a+key"), 2,
     ["--log-key", "the given key is malformed"]),
    ("malformed-log-key-file", lambda r: receive_unknown(r, url=UNREACHABLE, log_key=str(
        (r.tmp / "bad.vkey", (r.tmp / "bad.vkey").write_text("gi.example/log+zz\n"))[0])), 2,
     ["--log-key", "the given key is malformed"]),
    ("harvested-tomorrow", lambda r: register_tomorrow(r, UNREACHABLE), 1,
     [f"date-in-future [body.harvested]: harvested {TOMORROW}, after today's date"]),
]


@pytest.mark.parametrize(("mistake", "exit_code", "says"), [case[1:] for case in MISTAKES],
                         ids=[case[0] for case in MISTAKES])
def test_a_new_users_mistake_says_what_to_fix(run: Run, mistake: Callable[[Run], Result],
                                              exit_code: int, says: list[str]) -> None:
    size = run.service.log.size()
    result = mistake(run)
    assert result.exit_code == exit_code, result.output
    for text in says:
        assert text in result.output
    assert "NOT VERIFIED" not in result.output and "Traceback" not in result.output
    assert run.service.log.size() == size


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "/"], ids=["v1", "v1-slash", "slash"])
def test_a_base_url_copied_with_its_api_prefix_still_works(run: Run, suffix: str) -> None:
    paddy, shipment = run.shared.harvest(run.world.coop_a, "5"), run.shared.unique("S")
    result = invoke(run, "ship", "--shipment", shipment, "--to", "mill", "--item", f"{paddy}=5",
                    url=run.url + suffix)
    assert_verified(result, run.service, "shipment.send")


def test_a_harvest_of_today_is_not_refused_by_the_local_check(run: Run) -> None:
    today = datetime.now(UTC).date().isoformat()
    result = invoke(run, "batch", "register", "--batch", run.shared.unique("today"), "--product",
                    PADDY, "--lot", "LT-1", "--quantity", "1", "--harvested", today)
    assert_verified(result, run.service, "batch.register")
