"""The ledger is a library of its own: it imports neither Flask nor the rest of gi_trace."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import gi_trace.ledger

LEDGER_DIR = Path(gi_trace.ledger.__file__).resolve().parent
LEDGER_FILES = sorted(LEDGER_DIR.rglob("*.py"))
OUTER_LAYERS = ("gi_trace.domain", "gi_trace.labels", "gi_trace.api", "gi_trace.cli")

IMPORT_EVERY_LEDGER_MODULE = """
import importlib, json, pkgutil, sys
import gi_trace.ledger
names = [m.name for m in pkgutil.walk_packages(gi_trace.ledger.__path__, "gi_trace.ledger.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def module_name(path: Path) -> str:
    relative = path.relative_to(LEDGER_DIR.parent.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, source: str | None = None) -> list[str]:
    """Every module a file imports, anywhere in it (functions too), relative imports resolved."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.append(prefix)
            found.extend(f"{prefix}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.append(str(node.args[0].value))
    return found


def is_forbidden(module: str) -> bool:
    if module == "flask" or module.startswith("flask."):
        return True
    return module.startswith("gi_trace.") and not (
        module == "gi_trace.ledger" or module.startswith("gi_trace.ledger."))


@pytest.mark.parametrize("module", ["flask", "flask.json", "gi_trace.domain", "gi_trace.api.views",
                                    "gi_trace.service", "gi_trace.settings", "gi_trace.migrate"])
def test_is_forbidden_catches_outer_layers(module: str) -> None:
    assert is_forbidden(module)


@pytest.mark.parametrize("module", ["gi_trace.ledger", "gi_trace.ledger.merkle", "sqlalchemy",
                                    "flaskish", "gi_trace_ledger"])
def test_is_forbidden_allows_the_ledger_and_libraries(module: str) -> None:
    assert not is_forbidden(module)


def test_importing_the_whole_ledger_loads_no_flask_and_no_other_layer() -> None:
    result = subprocess.run([sys.executable, "-c", IMPORT_EVERY_LEDGER_MODULE], capture_output=True,
                            text=True, check=True, cwd=LEDGER_DIR.parent.parent, timeout=60)
    report = json.loads(result.stdout)
    expected = {module_name(p) for p in LEDGER_FILES if p.name != "__init__.py"}
    assert set(report["imported"]) == expected  # every module really was imported
    assert [m for m in report["modules"] if is_forbidden(m)] == []


@pytest.mark.parametrize("path", LEDGER_FILES, ids=[p.name for p in LEDGER_FILES])
def test_ledger_file_imports_nothing_from_outer_layers(path: Path) -> None:
    imports = imported_modules(path)
    assert [m for m in imports if is_forbidden(m)] == []
    text = path.read_text(encoding="utf-8")
    for layer in (*OUTER_LAYERS, "flask"):
        assert f"import {layer}" not in text and f"from {layer}" not in text


def test_import_scanner_sees_relative_and_nested_imports() -> None:
    """The scanner above would catch a violation: check it on planted source (never written)."""
    source = ("from .. import settings\n"
              "from ..domain.rules import Rule\n"
              "def late():\n"
              "    import flask\n"
              "    import importlib\n"
              "    return importlib.import_module('gi_trace.api')\n")
    found = imported_modules(LEDGER_DIR / "planted.py", source=source)
    assert [m for m in found if is_forbidden(m)] == [
        "gi_trace.settings", "gi_trace.domain.rules", "gi_trace.domain.rules.Rule", "flask",
        "gi_trace.api"]
