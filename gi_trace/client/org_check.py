"""Say what a new user got wrong when the server refuses the pairing of --org and --key.

The server answers `key-not-owned` or `unknown-key` and names the statement's key:
true, but the user typed an organisation id, and the likely mistake is that id. The
public org reads tell which case it is: no such organisation, or a key registered to
another one.
"""

from __future__ import annotations

from .client import Client
from .errors import ClientError, ProblemError, SetupError

IDENTITY_CODES = frozenset({"key-not-owned", "unknown-key"})
PAGE = 500  # orgs a read may return at once (the server's MAX_LIMIT)


def key_holder(client: Client, key_id: str) -> str | None:
    """The organisation the key is registered to, from the public list of orgs and keys."""
    after: str | None = None
    while True:
        page = client.get("/v1/orgs", params={"limit": PAGE, **({"after": after} if after else {})},
                          auth=False)
        if not isinstance(page, dict):
            return None
        for org in page.get("items", []):
            if any(key.get("key_id") == key_id for key in org.get("keys", [])):
                return str(org["org"])
        after = page.get("next")
        if not after:
            return None


def org_exists(client: Client, org: str) -> bool:
    try:
        client.get(f"/v1/orgs/{org}", auth=False)
    except ProblemError as e:
        if e.status == 404:
            return False
        raise
    return True


def about_the_signer(error: ProblemError) -> bool:
    """A refusal of the signer's own key (a statement's `key`, or a token's challenge), not of
    a key named in a body (key.revoke's `body.key`)."""
    return error.code in IDENTITY_CODES and (error.field == "statement.key" or error.status == 401)


def explain(client: Client, error: ProblemError) -> ClientError:
    """A SetupError naming the organisation at fault for an identity refusal; any other
    problem unchanged."""
    if not about_the_signer(error):
        return error
    short = f"{client.key_id[:12]}…"
    holder = key_holder(client, client.key_id)
    registered = (f"the key {short} is registered to organisation {holder!r}" if holder
                  else f"the key {short} is registered to no organisation here")
    if not org_exists(client, client.org):
        message = f"unknown organisation {client.org!r} (--org): {registered}"
    elif holder is None:
        message = (f"{registered}: ask a regulator to register it for {client.org!r} "
                   "(or sign with a key of that organisation)")
    else:
        message = f"{registered}, not to {client.org!r}: pass --org {holder} or its own key"
    return SetupError(message, code=error.code)
