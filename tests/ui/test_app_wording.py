"""Issue 11: no command-line wording in the app. The window's own texts never name a
`photosearch <command>`, a `--flag` or "Pillow"; core's messages that the window shows go
through `app_text.app_error`, which puts the app's actions in their place."""

from __future__ import annotations

import ast
from pathlib import Path

import photosearch
from photosearch.ui.app_text import CLI_TEXT, app_error, for_app

PKG = Path(photosearch.__file__).parent
# CLI-only paths inside ui/: the `--smoke-test` command, and the argv given to dbus-send
UI_CLI_ONLY = {"smoke.py", "desktop.py"}
# core texts that are parts of a longer message: restore_command() only appears inside
# damaged_message()'s advice, which app_error words as a whole ("with: ... restore-backup")
CORE_PARTS = {"photosearch --library X restore-backup"}


def _literals(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module a user can see: f-strings with their fields as X;
    docstrings and logging calls left out."""
    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id in ("log", "logging"):
            for sub in ast.walk(node):
                skip.add(id(sub))
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
            for v in node.values:
                skip.add(id(v))
            out.append((node.lineno, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
    return out


def test_the_pattern_catches_what_it_must():
    for bad in ("see 'photosearch labels list'", "run photosearch index", "use --device cpu",
                "photosearch --library /x restore-backup", "needs Pillow"):
        assert CLI_TEXT.search(bad), bad
    for fine in ("photosearch", "Settings (Ctrl+,)", "a photosearch catalog", "x -- y"):
        assert not CLI_TEXT.search(fine), fine


def test_ui_texts_name_app_actions_not_command_lines():
    found = []
    for path in sorted((PKG / "ui").glob("*.py")):
        if path.name in UI_CLI_ONLY or path.name == "app_text.py":
            continue
        found += [f"ui/{path.name}:{line}: {text!r}" for line, text in _literals(path)
                  if CLI_TEXT.search(text)]
    assert found == []


def test_core_messages_read_as_app_actions_in_the_window():
    """Every core message with a command line in it has an app wording (new ones too)."""
    left = []
    for path in sorted((PKG / "core").rglob("*.py")):
        for line, text in _literals(path):
            if text not in CORE_PARTS and CLI_TEXT.search(text) and \
                    CLI_TEXT.search(for_app(text)):
                left.append(f"{path.relative_to(PKG)}:{line}: {for_app(text)!r}")
    assert left == []


def test_real_core_errors_in_app_words(tmp_path):
    from photosearch.core import catalog_safety as safety
    from photosearch.core.tagging_store import TaggingError
    from photosearch.core.weights import _how_to_supply

    cat = tmp_path / "catalog.db"
    cat.write_bytes(b"")
    try:
        safety.check_file(cat)
    except safety.CatalogDamaged as exc:
        text = app_error(exc)
    assert "Restore catalog from backup" not in text and "add your folders again" in text
    assert not CLI_TEXT.search(text)
    text = app_error(_how_to_supply("https://example", "are missing"))
    assert "choose the file in Settings (Ctrl+,)" in text and not CLI_TEXT.search(text)
    damaged = ("the catalog /a b/catalog.db is damaged (x); your photos are untouched; "
               "restore the newest backup (2026-01-01 10:00) with: photosearch --library "
               "'/a b' restore-backup")
    assert app_error(damaged).endswith("with Library ▸ Restore catalog from backup…")
    assert app_error(TaggingError("no label named 'x' (see 'photosearch labels list')")) == \
        "no label named 'x' (see the Labels screen)"
