"""Turn ledger and client errors into one clear line on stderr and a non-zero exit, never a
traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click

from gi_trace.client.errors import ClientError, VerificationError
from gi_trace.ledger.errors import LedgerError
from gi_trace.migrate import NotInitialised

F = TypeVar("F", bound=Callable[..., Any])


def describe(error: LedgerError) -> str:
    where = f" [{error.field}]" if error.field else ""
    at = f" (item {error.index})" if error.index is not None else ""
    return f"{error.code}{where}{at}: {error.message}"


def describe_client(error: ClientError) -> str:
    """Problems already read "HTTP 409 code [field]: detail"; a failed proof must stand out."""
    if isinstance(error, VerificationError):
        where = f" [{error.field}]" if error.field else ""
        return f"NOT VERIFIED ({error.code}){where}: {error.message}; do not trust this server's answer"
    return str(error)


@contextmanager
def reported() -> Iterator[None]:
    try:
        yield
    except LedgerError as e:
        raise click.ClickException(describe(e)) from e
    except ClientError as e:
        raise click.ClickException(describe_client(e)) from e
    except NotInitialised as e:
        raise click.ClickException(str(e)) from e


def friendly(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reported():
            return command(*args, **kwargs)
    return wrapper  # type: ignore[return-value]
