"""A damaged catalog in the app: say what happened in the app's words and offer
"Restore from backup" (the same core `catalog_safety.restore` the command line uses).

At start-up `open_with_restore` opens the library and, when its catalog is damaged, asks
and restores, then opens it again. In a running window *Library > Restore catalog from
backup…* (or the same button when damage shows up while working) closes the window with
`restart_request = "restore"`; `run_app` then restores and reopens the library.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core import catalog_safety as safety

RESTORE = "Restore from backup"
# ask(text, can_restore) -> True to restore now
Ask = Callable[[str, bool], bool]


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


def damage_text(catalog_path: Path, reason: str) -> str:
    """What happened, that the photos are safe, and what the app can do about it."""
    good = safety.newest_backup(catalog_path)
    head = (f"The library's catalog ({catalog_path}) {reason}.\n\n"
            "Your photos are untouched.")
    if good is None:
        return (head + " There is no backup of the catalog: move the file aside and add "
                "your photo folders again to rebuild it (labels and review decisions are "
                "lost).")
    return (head + f" “{RESTORE}” puts the newest good backup ({_when(good.at)}) in its "
            "place; the damaged file is kept beside it, not deleted. Changes made since "
            "the backup are caught up by the next indexing run.")


def restore_now(paths: Any) -> str:
    """Restore the newest good backup (core, as the command line does, holding the
    library's writer lock); returns a summary for the status bar. Raises CatalogDamaged
    when no backup is usable or another program is writing to the library."""
    from ..core.single_instance import WriterLock

    writer = WriterLock(paths, "photosearch app (restoring the catalog)")
    if not writer.try_acquire(timeout=5.0):
        raise safety.CatalogDamaged("another program is writing to the library; close it "
                                    "and try again")
    try:
        chosen, aside = safety.restore(Path(paths.catalog))
    finally:
        writer.release()
    kept = f"; the damaged catalog is kept as {aside.name}" if aside is not None else ""
    return f"Catalog restored from the backup of {_when(chosen.at)}{kept}."


def open_with_restore(open_library: Callable[[], Any], paths: Any, ask: Ask
                      ) -> tuple[Any, str]:
    """Open the library; on a damaged catalog ask, restore and open again.
    Returns (library, a message for the window's status bar); re-raises the damage when
    the user declines or there is no backup."""
    try:
        return open_library(), ""
    except safety.CatalogDamaged as exc:
        catalog_path = Path(paths.catalog)
        can = safety.newest_backup(catalog_path) is not None
        if not ask(damage_text(catalog_path, exc.reason), can) or not can:
            raise
    note = restore_now(paths)
    return open_library(), note


def ask_box(parent, text: str, can_restore: bool) -> bool:
    """The message box: "Restore from backup" (when there is one) or Quit; Return quits."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, "The catalog is damaged", text,
                      parent=parent)
    restore = box.addButton(RESTORE, QMessageBox.ButtonRole.AcceptRole) if can_restore \
        else None
    quit_ = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_)
    box.exec()
    return restore is not None and box.clickedButton() is restore


def request_restore(window: Any, reason: str | None = None) -> bool:
    """Library menu (or damage found while working): ask, then close the window so the
    catalog can be replaced; run_app restores and reopens. Returns True when asked to."""
    catalog_path = Path(window.lib.paths.catalog)
    good = safety.newest_backup(catalog_path)
    if reason is not None:
        text = damage_text(catalog_path, reason)
    elif good is None:
        text = "There is no backup of the catalog yet (one is made each day the app opens)."
    else:
        text = (f"Replace the catalog with its newest good backup ({_when(good.at)})? "
                "Labels, review decisions and folders go back to that moment; the current "
                "catalog is kept beside it. The window closes and opens again.")
    ask = getattr(window, "ask_restore", None) or (lambda t, can: ask_box(window, t, can))
    if not ask(text, good is not None) or good is None:
        return False
    window.restart_request = "restore"
    window.close()
    return True
