"""The window's look between runs: geometry, splitter positions, sort order.

Kept in the app's own QSettings (not the library's settings.json: two libraries share
one window layout, and a library copied to another machine should not carry it).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QComboBox, QMainWindow, QSplitter


def app_state() -> QSettings:
    """Window geometry and view choices (not library settings: those live in the library)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     "photosearch", "photosearch-app")


class WindowState:
    """Restores and saves `window`'s geometry, the named splitters and the sort box."""

    def __init__(self, state: QSettings, window: QMainWindow,
                 splitters: dict[str, QSplitter], sort: QComboBox,
                 grid: Any = None) -> None:
        self.state = state
        self.grid = grid  # ResultsGrid: its thumbnail size
        self.window = window
        self.splitters = splitters  # settings key -> splitter
        self.sort = sort

    def restore(self) -> str | None:
        """Apply the saved state; returns the saved sort order when it was restored (the
        sort box is set without emitting, so the caller updates its request)."""
        geometry = self.state.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.window.restoreGeometry(geometry)
        for key, splitter in self.splitters.items():
            value = self.state.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        thumb = self.state.value("view/thumb")
        if self.grid is not None and thumb is not None and str(thumb).isdigit():
            self.grid.set_thumb_size(int(thumb))
        if self.grid is not None:  # square crop, file names (View menu)
            self.grid.set_square(_flag(self.state.value("view/square")))
            self.grid.set_show_names(_flag(self.state.value("view/names")))
        sort = self.state.value("view/sort")
        index = self.sort.findData(sort) if sort else -1
        if index < 0:
            return None
        self.sort.blockSignals(True)
        self.sort.setCurrentIndex(index)
        self.sort.blockSignals(False)
        return str(sort)

    def save(self) -> None:
        self.state.setValue("window/geometry", self.window.saveGeometry())
        for key, splitter in self.splitters.items():
            self.state.setValue(key, splitter.saveState())
        self.state.setValue("view/sort", self.sort.currentData())
        if self.grid is not None:
            self.state.setValue("view/thumb", self.grid.thumb_size())
            self.state.setValue("view/square", self.grid.square())
            self.state.setValue("view/names", self.grid.show_names())
        self.state.sync()


def _flag(value: object) -> bool:
    """A saved check box (QSettings' INI files give back "true"/"false" strings)."""
    return str(value).lower() in ("true", "1")
