"""Minimal JSON over HTTP for the command line, with problem+json turned into clear errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import click


def post_json(url: str, payload: Any, *, timeout: float = 30) -> Any:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        raise click.ClickException(problem_text(e)) from e
    except (urllib.error.URLError, OSError) as e:
        raise click.ClickException(f"cannot reach {url}: {e}") from e


def problem_text(error: urllib.error.HTTPError) -> str:
    try:
        problem = json.loads(error.read())
    except ValueError:
        return f"HTTP {error.code}"
    where = f" [{problem['field']}]" if problem.get("field") else ""
    at = f" (item {problem['index']})" if problem.get("index") is not None else ""
    return f"HTTP {error.code} {problem.get('code', '')}{where}{at}: {problem.get('detail', '')}"
