"""What every command that talks to a server shares: its options, the client, the report.

A command declares `@with_client` and receives a ready `Client` (or `LogClient`
for commands that sign nothing); the options are the same everywhere, so a
user learns them once: --url, --key, --org, --log-key, --timeout. Each may also come from
its environment variable (GI_TRACE_URL, GI_TRACE_KEY, GI_TRACE_ORG, GI_TRACE_LOG_KEY) or,
failing that, from a profile (gi_trace.client.profiles; --profile or GI_TRACE_PROFILE):
flag > environment > profile. What is given is checked here, before any request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from gi_trace.client import Client, LogClient, ProblemError, Receipt, profiles
from gi_trace.client.drafts import Quantity
from gi_trace.client.org_check import explain
from gi_trace.ledger import keys
from gi_trace.ledger.errors import LedgerError
from gi_trace.ledger.note import NoteVerifier

F = TypeVar("F", bound=Callable[..., Any])


def log_key_text(value: str | None) -> str | None:
    """A vkey given inline, or the path of a file holding one."""
    if value is None:
        return None
    path = Path(value).expanduser()
    return path.read_text(encoding="utf-8").strip() if path.is_file() else value


def pinned_log_key(value: str | None) -> NoteVerifier | None:
    """The operator key the user pinned, parsed here: a malformed one is the user's to fix,
    not an answer of the server's that failed to verify."""
    text = log_key_text(value)
    if text is None:
        return None
    try:
        return NoteVerifier.from_vkey(text)
    except LedgerError as e:
        raise click.BadParameter(
            f"the given key is malformed ({e.message}); expected the operator's note verifier "
            "key, name+hash+base64 (or a file holding it), as the operator publishes it",
            param_hint="--log-key") from e


def _settings(given: dict[str, Any], profile: str | None, required: Sequence[str]) -> dict[str, Any]:
    """Fill what neither a flag nor the environment gave from the profile; refuse what is
    still missing, saying the three places it can come from."""
    missing = [name for name, value in given.items() if value is None]
    if missing:
        try:
            stored = profiles.profile(profiles.config_path(), profile or profiles.DEFAULT,
                                      required=profile is not None)
        except profiles.ProfileError as e:
            raise click.UsageError(str(e)) from e
        given = {**given, **{name: stored.get(name) for name in missing}}
    for name in required:
        if given[name] is None:
            option = name.replace("_", "-")
            raise click.UsageError(f"missing --{option}: pass it, set GI_TRACE_{name.upper()}, or "
                                   f"set {name} in a profile (gi-trace profile set --{option} …)")
    return given


def _server_options(command: F) -> F:
    for option in reversed([
        click.option("--url", envvar="GI_TRACE_URL",
                     help="the server's base URL, e.g. http://127.0.0.1:8000 [env GI_TRACE_URL]"),
        click.option("--log-key", envvar="GI_TRACE_LOG_KEY",
                     help="the operator's note verifier key (or a file holding it); "
                          "without it the key the server serves is trusted on first use "
                          "[env GI_TRACE_LOG_KEY]"),
        click.option("--profile", envvar="GI_TRACE_PROFILE",
                     help="the profile to read missing options from (default: 'default') "
                          "[env GI_TRACE_PROFILE]"),
        click.option("--timeout", type=float, default=30.0, show_default=True,
                     help="seconds to wait for each answer"),
    ]):
        command = option(command)
    return command


def with_log_client(command: F) -> F:
    """Add the server options and pass `client=LogClient(...)` (nothing signed here)."""
    @_server_options
    @wraps(command)
    def wrapper(*args: Any, url: str | None, log_key: str | None, profile: str | None,
                timeout: float, **kwargs: Any) -> Any:
        given = _settings({"url": url, "log_key": log_key}, profile, ["url"])
        return command(*args, client=LogClient(given["url"], log_key=pinned_log_key(given["log_key"]),
                                               timeout=timeout), **kwargs)
    return wrapper  # type: ignore[return-value]


def _key_file(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_file():
        raise click.BadParameter(f"no key file {str(path)!r}", param_hint="--key")
    return path


def with_client(command: F) -> F:
    """Add the server options plus --key and --org and pass `client=Client(...)`; a refusal
    of the org and key pairing comes back saying which of the two is wrong."""
    @_server_options
    @click.option("--org", envvar="GI_TRACE_ORG",
                  help="your organisation id (the statements' actor) [env GI_TRACE_ORG]")
    @click.option("--key", "key_path", envvar="GI_TRACE_KEY",
                  help="your organisation's private key (PEM); it never leaves this machine "
                       "[env GI_TRACE_KEY]")
    @wraps(command)
    def wrapper(*args: Any, url: str | None, log_key: str | None, profile: str | None,
                timeout: float, org: str | None, key_path: str | None, **kwargs: Any) -> Any:
        given = _settings({"url": url, "log_key": log_key, "org": org, "key": key_path}, profile,
                          ["url", "org", "key"])
        client = Client(given["url"], given["org"], keys.load_private_key(_key_file(given["key"])),
                        log_key=pinned_log_key(given["log_key"]), timeout=timeout)
        try:
            return command(*args, client=client, **kwargs)
        except ProblemError as e:
            raise explain(client, e) from e
    return wrapper  # type: ignore[return-value]


def report(client: LogClient, receipts: Sequence[Receipt], *, types: bool = True) -> None:
    """One line per statement, then the checkpoint that was verified to include them all."""
    for receipt in receipts:
        kind = f"  {receipt.type}" if types else ""
        click.echo(f"seq {receipt.seq}{kind}  leaf {receipt.leaf_hash.hex()}")
    click.echo(f"included in checkpoint of size {receipts[-1].tree_size} (verified)")
    if client.tofu:
        click.echo(f"warning: trusted the log key the server serves ({client.log_key().vkey()}) on "
                   "first use; pass --log-key to pin the one you got out of band", err=True)


class PortionType(click.ParamType):  # type: ignore[type-arg]
    """BATCH=QTY, e.g. minle-2026-001=1200.5 (the quantity stays an exact decimal string)."""

    name = "BATCH=QTY"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, Quantity]:
        if isinstance(value, tuple):
            return value
        batch, sep, quantity = str(value).rpartition("=")
        if not sep or not batch or not quantity:
            self.fail(f"{value!r} is not BATCH=QTY (e.g. minle-2026-001=1200.5)", param, ctx)
        return batch, quantity


PORTION = PortionType()
