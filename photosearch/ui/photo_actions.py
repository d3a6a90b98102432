"""What the user does with the photos in the results grid: open, view full size, copy
paths, the right-click menu.

The actions only read the results model and the grid's selection; anything that changes
what the window shows (find similar, the duplicates screen, a status line) leaves as a
signal, so this module knows nothing about search or screens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtWidgets import QMenu, QWidget

from . import desktop
from .grid import ResultsGrid
from .preview import Viewer
from .results_model import ResultsModel
from .workers import Runner


class PhotoActions(QObject):
    """Open / view / copy / context menu for the grid's current or selected photos.

    `host` is the widget menus and the full-size viewer belong to (the main window); the
    viewer opens at its size."""

    similar_requested = Signal(str)  # path
    duplicates_requested = Signal(str)  # content hash
    message = Signal(str, int)  # status line text, milliseconds

    def __init__(self, *, results: ResultsModel, grid: ResultsGrid, runner: Runner,
                 host: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.grid = grid
        self.runner = runner
        self.host = host
        self.viewer: Viewer | None = None
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
        menu.addAction("Open", lambda: desktop.open_file(r.path))
        menu.addAction("Show in folder", lambda: desktop.reveal(r.path))
        menu.addAction("Copy path", self.copy_selected)
        self.context_menu = menu
        menu.popup(global_pos)

    def open_row(self, row: int) -> None:
        r = self.results.result_at(row)
        if r is not None:
            desktop.open_file(r.path)

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
        self.viewer.show_path(r.path)
        self.viewer.show()
        self.viewer.raise_()

    def _viewer_step(self, delta: int) -> None:
        row = self.grid.current_row() + delta
        if 0 <= row < self.results.rowCount():
            self.grid.setCurrentIndex(self.results.index(row))
            self.view_current()
