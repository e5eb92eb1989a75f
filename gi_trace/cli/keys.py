"""`gi-trace keys`: make and inspect Ed25519 keys. Private keys stay on this machine."""

from __future__ import annotations

from pathlib import Path

import click

from gi_trace.cli.errors import friendly
from gi_trace.ledger import keys as ledger_keys


@click.group(help="Make and inspect Ed25519 signing keys.")
def keys() -> None:
    pass


def describe_key(path: Path) -> str:
    private = ledger_keys.load_private_key(path)
    return (f"key id:     {ledger_keys.private_key_id(private)}\n"
            f"public key: {ledger_keys.public_key_b64(private)}")


@keys.command("new", help="Write a new private key (PEM, mode 0600); never overwrites.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True)
@friendly
def new(out: Path) -> None:
    if out.exists():
        raise click.ClickException(f"{out} exists; refusing to overwrite a key")
    ledger_keys.save_private_key(ledger_keys.generate(), out)
    click.echo(f"wrote {out}\n{describe_key(out)}")


@keys.command("show", help="Print the key id and public key of a private key file.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly
def show(path: Path) -> None:
    click.echo(describe_key(path))


COMMANDS = [keys]
