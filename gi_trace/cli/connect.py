"""What every command that talks to a server shares: its options, the client, the report.

A command declares `@with_client` and receives a ready `Client` (or `LogClient`
for commands that sign nothing); the options are the same everywhere, so a
user learns them once: --url, --key, --org, --log-key, --timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from gi_trace.client import Client, LogClient, Receipt
from gi_trace.client.drafts import Quantity
from gi_trace.ledger import keys

F = TypeVar("F", bound=Callable[..., Any])


def log_key_text(value: str | None) -> str | None:
    """A vkey given inline, or the path of a file holding one."""
    if value is None:
        return None
    path = Path(value)
    return path.read_text(encoding="utf-8").strip() if path.is_file() else value


def _server_options(command: F) -> F:
    for option in reversed([
        click.option("--url", required=True, help="the server's base URL, e.g. http://127.0.0.1:8000"),
        click.option("--log-key", help="the operator's note verifier key (or a file holding it); "
                                       "without it the key the server serves is trusted on first use"),
        click.option("--timeout", type=float, default=30.0, show_default=True,
                     help="seconds to wait for each answer"),
    ]):
        command = option(command)
    return command


def with_log_client(command: F) -> F:
    """Add the server options and pass `client=LogClient(...)` (nothing signed here)."""
    @_server_options
    @wraps(command)
    def wrapper(*args: Any, url: str, log_key: str | None, timeout: float, **kwargs: Any) -> Any:
        return command(*args, client=LogClient(url, log_key=log_key_text(log_key), timeout=timeout),
                       **kwargs)
    return wrapper  # type: ignore[return-value]


def with_client(command: F) -> F:
    """Add the server options plus --key and --org and pass `client=Client(...)`."""
    @_server_options
    @click.option("--org", required=True, help="your organisation id (the statements' actor)")
    @click.option("--key", "key_path", required=True,
                  type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="your organisation's private key (PEM); it never leaves this machine")
    @wraps(command)
    def wrapper(*args: Any, url: str, log_key: str | None, timeout: float, org: str,
                key_path: Path, **kwargs: Any) -> Any:
        client = Client(url, org, keys.load_private_key(key_path), log_key=log_key_text(log_key),
                        timeout=timeout)
        return command(*args, client=client, **kwargs)
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
