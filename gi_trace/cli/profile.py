"""`gi-trace profile set | show`: write and read the connection profiles, so that --url,
--org, --key and --log-key are typed once (gi_trace.client.profiles says where they live)."""

from __future__ import annotations

from pathlib import Path

import click

from gi_trace.cli.connect import pinned_log_key
from gi_trace.client import profiles


@click.group(help="Save --url, --org, --key and --log-key in a named profile "
                  "(~/.config/gi-trace/profiles.toml, or $GI_TRACE_CONFIG).")
def profile() -> None:
    pass


def _name(name: str | None) -> str:
    return name or profiles.DEFAULT


@profile.command("set", help="Set fields of a profile (others kept). The key is stored as the "
                             "path of its file, never its contents.")
@click.option("--profile", "name", envvar="GI_TRACE_PROFILE", help="default: 'default'")
@click.option("--url", help="the server's base URL")
@click.option("--org", help="your organisation id")
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="your private key file (its absolute path is stored)")
@click.option("--log-key", help="the operator's note verifier key, or a file holding it")
def set_(name: str | None, url: str | None, org: str | None, key: Path | None,
         log_key: str | None) -> None:
    pinned_log_key(log_key)  # a malformed key is refused now, not at the next command
    values = {field: value for field, value in (
        ("url", url), ("org", org), ("key", str(key.resolve()) if key else None),
        ("log_key", log_key)) if value is not None}
    if not values:
        raise click.UsageError("nothing to set: give --url, --org, --key or --log-key")
    path = profiles.config_path()
    try:
        stored = profiles.write_profile(path, _name(name), values)
    except profiles.ProfileError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"profile {_name(name)!r} in {path}:")
    _echo(stored)


@profile.command("show", help="Print a profile as stored.")
@click.option("--profile", "name", envvar="GI_TRACE_PROFILE", help="default: 'default'")
def show(name: str | None) -> None:
    path = profiles.config_path()
    try:
        _echo(profiles.profile(path, _name(name), required=True))
    except profiles.ProfileError as e:
        raise click.ClickException(str(e)) from e


def _echo(values: dict[str, str]) -> None:
    for field in profiles.FIELDS:
        if field in values:
            click.echo(f"{field} = {values[field]}")


COMMANDS = [profile]
