"""Layering: core is usable without a display, the layer contracts are live, and the app
and the CLI leave SQL to core."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "photosearch" / "core"


def test_no_core_module_imports_qt():
    offenders = []
    for py in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(py.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6") for n in names):
                offenders.append(f"{py.relative_to(CORE)}:{node.lineno}")
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    mods = [f"photosearch.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"]
    code = ("import sys, importlib\n"
            f"for m in {mods!r}: importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


REPO = CORE.parents[1]


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--config", str(root / "pyproject.toml")], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True,
                          text=True, timeout=300)


def test_breaking_a_layer_contract_on_purpose_is_caught(tmp_path):
    """The contracts in pyproject.toml are live: a Qt import in core and an SQL import in
    the app make lint-imports (run by `make test`) fail, naming both contracts."""
    shutil.copytree(REPO / "photosearch", tmp_path / "photosearch",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    assert _lint_imports(tmp_path).returncode == 0
    with open(tmp_path / "photosearch" / "core" / "paths.py", "a") as f:
        f.write("\nimport PySide6  # noqa\n")
    with open(tmp_path / "photosearch" / "ui" / "grid.py", "a") as f:
        f.write("\nimport sqlite3  # noqa\n")
    out = _lint_imports(tmp_path)
    assert out.returncode != 0
    assert "core is Qt-free and knows nothing of the app or the CLI BROKEN" in out.stdout
    assert "the app and the CLI leave storage to core (no SQL, no vector index) BROKEN" \
        in out.stdout


INDEX_CALL = re.compile(r"\blib\.(index|reconcile_index|save_index|maybe_save_index)\(")


def _storage_uses(package: Path) -> list[str]:
    """Places in a package that run SQL (.execute()/.executemany()/.conn, or SQL text) or
    drive the vector index (lib.index(), lib.save_index()...)."""
    found = []
    for py in package.rglob("*.py"):
        text = py.read_text("utf-8")
        found += [f"{py.name}: {m.group(0)}" for m in INDEX_CALL.finditer(text)]
        for node in ast.walk(ast.parse(text)):
            where = f"{py.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany",
                                                                 "executescript", "conn"):
                found.append(f"{where} .{node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.search(r"\bSELECT\b.+\bFROM\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b|"
                              r"\bUPDATE\b.+\bSET\b", node.value):
                found.append(f"{where} SQL text")
    return found


def test_app_and_cli_leave_sql_and_the_vector_index_to_core():
    """Storage rules live in core (catalog, stores, library_ops): ui/ and cli/ call them."""
    ui, cli = REPO / "photosearch" / "ui", REPO / "photosearch" / "cli"
    assert _storage_uses(ui) + _storage_uses(cli) == []


def test_the_storage_scanner_finds_what_it_looks_for(tmp_path):
    (tmp_path / "m.py").write_text('def f(db, lib):\n    db.execute("SELECT path FROM files")\n'
                                   '    lib.index().remove([1])\n')
    assert len(_storage_uses(tmp_path)) == 3
