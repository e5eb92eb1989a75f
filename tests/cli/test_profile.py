"""Profiles: --url, --org, --key and --log-key from a flag, else the environment, else the
profile file, against a live server; `gi-trace profile set | show` write and read the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gi_trace.cli.main import cli
from gi_trace.client import profiles
from tests.cli.client_runs import Run

UNREACHABLE = "http://127.0.0.1:9"


def invoke(run: Run, config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env={"GI_TRACE_CONFIG": str(config), "GI_TRACE_PROFILE": None,
                          "GI_TRACE_URL": None, "GI_TRACE_ORG": None, "GI_TRACE_KEY": None,
                          "GI_TRACE_LOG_KEY": None, **(env or {})}).invoke(cli, list(args))


def reached_the_server(result: Result) -> bool:
    """A receipt of an unknown shipment is refused by the server itself, after it read the org
    and key: the command got as far as the log."""
    return "unknown-shipment" in result.output


def receive_unknown(run: Run, config: Path, *flags: str, env: dict[str, str] | None = None) -> Result:
    return invoke(run, config, "receive", "--shipment", run.shared.unique("none"), *flags, env=env)


def full_profile(run: Run, config: Path, name: str = profiles.DEFAULT, url: str = "") -> None:
    profiles.write_profile(config, name, {
        "url": url or run.url, "org": run.world.mill.org, "key": str(run.key_file(run.world.mill)),
        "log_key": run.service.log.signer.vkey()})


def test_a_profile_spares_every_connection_option(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "profiles.toml"
    full_profile(run, config)
    result = receive_unknown(run, config)
    assert reached_the_server(result), result.output
    assert "warning" not in result.output  # the log key came from the profile: no TOFU


# (where the reachable URL is, where an unreachable one is, reaches the server)
PRECEDENCE = [
    ("flag-beats-env", {"flag": "good", "env": "bad", "profile": "bad"}, True),
    ("env-beats-profile", {"env": "good", "profile": "bad"}, True),
    ("profile-fills-the-gap", {"profile": "good"}, True),
    ("env-is-not-overridden-by-profile", {"env": "bad", "profile": "good"}, False),
    ("flag-is-not-overridden-by-env", {"flag": "bad", "env": "good"}, False),
]


@pytest.mark.parametrize(("sources", "reaches"), [case[1:] for case in PRECEDENCE],
                         ids=[case[0] for case in PRECEDENCE])
def test_flag_then_environment_then_profile(run: Run, tmp_path: Path, sources: dict[str, str],
                                            reaches: bool) -> None:
    urls = {"good": run.url, "bad": UNREACHABLE}
    config = tmp_path / "profiles.toml"
    full_profile(run, config, url=urls[sources.get("profile", "bad")])
    flags = ["--url", urls[sources["flag"]]] if "flag" in sources else []
    env = {"GI_TRACE_URL": urls[sources["env"]]} if "env" in sources else {}
    result = receive_unknown(run, config, *flags, env=env)
    assert reached_the_server(result) is reaches, result.output
    if not reaches:
        assert "cannot reach http://127.0.0.1:9" in result.output


def test_a_named_profile_is_chosen_by_flag_or_environment(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "profiles.toml"
    full_profile(run, config, name="mill")
    full_profile(run, config, url=UNREACHABLE)
    assert reached_the_server(receive_unknown(run, config, "--profile", "mill"))
    assert reached_the_server(receive_unknown(run, config, env={"GI_TRACE_PROFILE": "mill"}))
    assert not reached_the_server(receive_unknown(run, config))


MISSING = [
    ("no-profile-file", None, "missing --url: pass it, set GI_TRACE_URL, or set url in a profile"),
    ("profile-without-org", {"url": "http://x"}, "missing --org"),
    ("unknown-named-profile", "nosuch", "no profile 'nosuch' in"),
    ("unknown-field", {"url": "http://x", "passwd": "x"}, "unknown field 'passwd'"),
]


@pytest.mark.parametrize(("stored", "message"), [case[1:] for case in MISSING],
                         ids=[case[0] for case in MISSING])
def test_what_is_missing_is_named_with_where_it_may_come_from(
        run: Run, tmp_path: Path, stored: dict[str, str] | str | None, message: str) -> None:
    config = tmp_path / "profiles.toml"
    flags: list[str] = []
    if isinstance(stored, dict):
        config.write_text("[default]\n" + "".join(f'{k} = "{v}"\n' for k, v in stored.items()))
    elif isinstance(stored, str):
        flags = ["--profile", stored]
    result = receive_unknown(run, config, *flags)
    assert result.exit_code == 2 and message in result.output, result.output


def test_profile_set_keeps_other_profiles_and_stores_the_key_path(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "sub" / "profiles.toml"
    key = run.key_file(run.world.mill)
    first = invoke(run, config, "profile", "set", "--profile", "other", "--url", "https://o.example")
    second = invoke(run, config, "profile", "set", "--url", run.url, "--org", "mill", "--key",
                    str(key), "--log-key", run.service.log.signer.vkey())
    third = invoke(run, config, "profile", "set", "--org", "mill")  # a field at a time
    assert first.exit_code == second.exit_code == third.exit_code == 0, second.output
    stored = tomllib.loads(config.read_text())
    assert stored == {"other": {"url": "https://o.example"},
                      "default": {"url": run.url, "org": "mill", "key": str(key.resolve()),
                                  "log_key": run.service.log.signer.vkey()}}
    assert config.stat().st_mode & 0o777 == 0o600
    shown = invoke(run, config, "profile", "show", "--profile", "other")
    assert shown.output == "url = https://o.example\n"
    assert reached_the_server(receive_unknown(run, config))


def test_profile_set_refuses_a_malformed_log_key(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "profiles.toml"
    result = invoke(run, config, "profile", "set", "--log-key", "not+a+key")
    assert result.exit_code == 2 and "--log-key" in result.output and "malformed" in result.output
    assert not config.exists()
