"""Named connection profiles, so a user types --url, --org, --key and --log-key once.

A TOML file of tables, one per profile (`default` unless GI_TRACE_PROFILE or --profile
names another):

    [default]
    url = "https://gi.example"
    org = "minle-coop"
    key = "/home/li/keys/minle-coop.pem"     # the path only: the key never enters the file
    log_key = "gi.example/log+1a2b3c4d+AUq…"

The file lives at $GI_TRACE_CONFIG, else $XDG_CONFIG_HOME/gi-trace/profiles.toml, else
~/.config/gi-trace/profiles.toml. A flag wins over its environment variable
(GI_TRACE_URL, GI_TRACE_ORG, GI_TRACE_KEY, GI_TRACE_LOG_KEY), which wins over the profile.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

FIELDS = ("url", "org", "key", "log_key")
DEFAULT = "default"
FILE_NAME = Path("gi-trace") / "profiles.toml"


class ProfileError(ValueError):
    """The profile file cannot be read, or a profile or value in it is not one we know."""


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("GI_TRACE_CONFIG"):
        return Path(env["GI_TRACE_CONFIG"])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / FILE_NAME


def read_profiles(path: Path) -> dict[str, dict[str, str]]:
    """Every profile of the file (none when it does not exist), each checked."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ProfileError(f"cannot read the profiles in {path}: {e}") from e
    profiles = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ProfileError(f"{path}: [{name}] must be a table of {', '.join(FIELDS)}")
        unknown = sorted(set(table) - set(FIELDS))
        if unknown:
            raise ProfileError(f"{path}: [{name}] has unknown field {unknown[0]!r} "
                               f"(known: {', '.join(FIELDS)})")
        wrong = [field for field, value in table.items() if not isinstance(value, str)]
        if wrong:
            raise ProfileError(f"{path}: [{name}] {wrong[0]} must be a string")
        profiles[name] = dict(table)
    return profiles


def profile(path: Path, name: str, *, required: bool) -> dict[str, str]:
    """One profile's values; a missing default profile is empty, a missing named one an error."""
    profiles = read_profiles(path)
    if name not in profiles and required:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileError(f"no profile {name!r} in {path} (profiles: {known})")
    return profiles.get(name, {})


def write_profile(path: Path, name: str, values: Mapping[str, str]) -> dict[str, str]:
    """Set `values` in profile `name`, keeping the file's other profiles; returns the profile.

    The file is rewritten whole (comments are not kept) with mode 0600: it names key files.
    """
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ProfileError(f"unknown profile field {unknown[0]!r} (known: {', '.join(FIELDS)})")
    profiles = read_profiles(path)
    profiles[name] = {**profiles.get(name, {}), **values}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(_table(n, table) for n, table in sorted(profiles.items()))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as sink:
        sink.write(text)
    return profiles[name]


def _table(name: str, table: Mapping[str, str]) -> str:
    # A JSON string is a TOML basic string (same escapes), and so is a quoted key.
    lines = [f"[{json.dumps(name, ensure_ascii=False)}]"]
    lines += [f"{field} = {json.dumps(table[field], ensure_ascii=False)}"
              for field in FIELDS if field in table]
    return "\n".join(lines) + "\n"
