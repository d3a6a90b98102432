"""What the user does with the photos in the results grid: open, view full size, copy
paths, the right-click menu.

The actions only read the results model and the grid's selection; anything that changes
what the window shows (find similar, the duplicates screen, a status line) leaves as a
signal, so this module knows nothing about search or screens.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtWidgets import QMenu, QWidget

from . import desktop, icons
from .app_text import app_error
from .grid import ResultsGrid
from .preview import format_date
from .results_model import ResultsModel
from .viewer import Viewer
from .workers import Runner


class PhotoActions(QObject):
    """Open / view / copy / context menu for the grid's current or selected photos.

    `host` is the widget menus and the full-size viewer belong to (the main window); the
    viewer opens at its size."""

    similar_requested = Signal(str)  # path
    duplicates_requested = Signal(str)  # content hash
    message = Signal(str, int)  # status line text, milliseconds
    library_changed = Signal()  # photos were moved to the trash, or restored
    deleted = Signal(object)  # core ResolveReport
    tagged = Signal(object)  # core ManualTagReport
    restored = Signal(object)  # core UndoReport

    def __init__(self, *, results: ResultsModel, grid: ResultsGrid, runner: Runner,
                 host: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.grid = grid
        self.runner = runner
        self.host = host
        self.viewer: Viewer | None = None
        self.viewer_boxes: Any = None  # viewer_boxes.ViewerTextBoxes, with the viewer
        self.context_menu: QMenu | None = None
        grid.doubleClicked.connect(lambda idx: self.open_row(idx.row()))
        grid.context_requested.connect(self.show_context_menu)

    def show_context_menu(self, row: int, global_pos: QPoint) -> None:
        r = self.results.result_at(row)
        if r is None:
            return
        menu = QMenu(self.host)
        menu.addAction("Find similar", lambda: self.similar_requested.emit(r.path))
        menu.addAction("View full size", self.view_current)
        menu.addAction("Show duplicates of this photo",
                       lambda: self.duplicates_requested.emit(r.hash))
        menu.addSeparator()
        menu.addAction("Open", lambda: self.open_path(r.path))
        menu.addAction("Show in folder", lambda: self.reveal_path(r.path))
        menu.addAction("Copy path", self.copy_selected)
        menu.addSeparator()
        menu.addAction("Add tag…", lambda: self.ask_tag(True))
        menu.addAction("Remove tag…", lambda: self.ask_tag(False))
        menu.addSeparator()
        menu.addAction("Move to trash…", self.delete_selected)
        self.context_menu = icons.decorate_menu(menu)
        menu.popup(global_pos)

    def open_row(self, row: int) -> None:
        r = self.results.result_at(row)
        if r is not None:
            self.open_path(r.path)

    def open_path(self, path: str) -> None:
        """Open with the default viewer; say so when there is none (never fail silently)."""
        if not desktop.open_file(path):
            self.message.emit("No application is set up to open this photo. Use View full "
                              "size (Space), or set a default image viewer in your "
                              "system settings.", 10_000)

    def reveal_path(self, path: str) -> None:
        if not desktop.reveal(path):
            desktop.copy_paths([path])
            self.message.emit(f"No file manager could be opened; the path is copied: {path}",
                              10_000)

    # == manual tags ==================================================================
    def ask_tag(self, add: bool = True) -> None:
        """Ctrl+T / context menu: pick or type a label for the selected photos."""
        from ..core.manual_tags import label_names

        if self.selected_paths():
            self.runner.submit("db", label_names, self.host.lib,  # type: ignore[attr-defined]
                               on_done=lambda names: self._tag_dialog(names, add),
                               on_error=self._failed)

    def _tag_dialog(self, names: list[str], add: bool) -> None:
        from PySide6.QtWidgets import QInputDialog

        n = len(self.selected_paths())
        what = "Tag" if add else "Remove the tag from"
        name, ok = QInputDialog.getItem(
            self.host, "Add tag" if add else "Remove tag",
            f"{what} {n} photo(s) — a label name (a new one is created):" if add else
            f"{what} {n} photo(s):", names, 0, add)
        if ok and name.strip():
            self.tag_selected_as(name.strip(), add)

    def tag_selected_as(self, name: str, add: bool = True) -> None:
        """Tag (or untag) the selected photos: a review decision on label `name`."""
        hashes = [r.hash for r in (self.results.result_at(i) for i in
                                   (self.grid.selected_rows() or [self.grid.current_row()]))
                  if r is not None]
        self.tag_hashes(name, hashes, add)

    def tag_hashes(self, name: str, hashes: list[str], add: bool = True) -> None:
        """Tag (or untag) photos by content hash (Ctrl+T, or photos dropped on a label)."""
        from ..core.manual_tags import set_manual_tag

        if hashes:
            self.runner.submit("db", set_manual_tag, self.host.lib,  # type: ignore[attr-defined]
                               name, hashes, add, on_done=self._tagged, on_error=self._failed)

    def _tagged(self, report) -> None:
        new = " (new label)" if report.created else ""
        verb = "Tagged" if report.added else "Removed the tag from"
        self.message.emit(f"{verb} {report.photos} photo(s) “{report.label}”{new}; the label "
                          f"learns from it. Search tag:{report.label} to see them.", 8000)
        self.tagged.emit(report)

    # == move to trash, undo ==========================================================
    def delete_selected(self) -> None:
        """Delete key: confirm, then move the selected photos' files to the OS trash."""
        from ..core.photo_trash import trash_photos

        rows = self.grid.selected_rows() or [self.grid.current_row()]
        # a RAW+JPEG pair is one item: both files go (one undo entry restores both)
        paths = [p for r in (self.results.result_at(i) for i in rows) if r is not None
                 for p in r.all_files]
        if not paths:
            return
        listing = "\n".join(paths[:15]) + ("\n…" if len(paths) > 15 else "")
        confirm = getattr(self.host, "confirm", None)
        if confirm is None or not confirm(
                f"Move {len(paths)} photo(s) to the trash?\n\n{listing}\n\n"
                "Undo with Ctrl+Z, or restore them from the system trash."):
            return
        self.runner.submit("db", trash_photos, self.host.lib, paths,  # type: ignore[attr-defined]
                           on_done=self._deleted, on_error=self._failed)

    def _deleted(self, report) -> None:
        skipped = f"; {len(report.skipped)} skipped ({report.skipped[0][1]})" \
            if report.skipped else ""
        self.message.emit(f"Moved {len(report.trashed)} photo(s) to the trash{skipped}. "
                          "Undo: Ctrl+Z", 10_000)
        self.deleted.emit(report)
        self.library_changed.emit()

    def undo_delete(self) -> None:
        from ..core.dupes_cleanup import undo

        self.runner.submit("db", undo, self.host.lib,  # type: ignore[attr-defined]
                           on_done=self._undone, on_error=self._failed)

    def _undone(self, report) -> None:
        if report.log_path is None:
            self.message.emit("Nothing to undo.", 5000)
        else:
            failed = f"; {len(report.failed)} could not be restored" if report.failed else ""
            self.message.emit(f"Restored {len(report.restored)} photo(s){failed}.", 8000)
        self.restored.emit(report)
        self.library_changed.emit()

    def _failed(self, exc: Exception) -> None:
        self.message.emit(f"⚠ {app_error(exc)}", 10_000)

    def open_current(self) -> None:
        self.open_row(self.grid.current_row())

    def selected_paths(self) -> list[str]:
        rows = self.grid.selected_rows() or [self.grid.current_row()]
        return [r.path for r in (self.results.result_at(i) for i in rows) if r is not None]

    def copy_selected(self) -> None:
        paths = self.selected_paths()
        if paths:
            desktop.copy_paths(paths)
            self.message.emit(f"Copied {len(paths)} path(s)", 3000)

    def view_current(self) -> None:
        r = self.results.result_at(self.grid.current_row())
        if r is None:
            return
        if self.viewer is None:
            self.viewer = Viewer(self.runner, self.host)
            self.viewer.step.connect(self._viewer_step)
            self.viewer.resize(self.host.size())
            from .viewer_boxes import ViewerTextBoxes

            self.viewer_boxes = ViewerTextBoxes(self.viewer, self.host.lib, self.runner)
        row, total = self.grid.current_row() + 1, self.results.rowCount()
        more = "" if self.results.exhausted else "+"
        details = " · ".join(x for x in (
            f"{r.width} × {r.height}" if r.width else "", format_date(r.taken_at)
            if r.taken_at else "", r.camera or "") if x)
        self.viewer.show_path(r.path, f"{row} of {total:,}{more}", details, r.width)
        self.viewer_boxes.show_result(r)  # the text read in it, boxed (T hides)
        self.viewer.show()
        self.viewer.raise_()

    def _viewer_step(self, delta: int) -> None:
        row = self.grid.current_row() + delta
        if 0 <= row < self.results.rowCount():
            self.grid.setCurrentIndex(self.results.index(row))
            self.view_current()
