"""The window's look between runs: geometry, splitter positions, sort order.

Kept in the app's own QSettings (not the library's settings.json: two libraries share
one window layout, and a library copied to another machine should not carry it).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QComboBox, QMainWindow, QSplitter


def app_state() -> QSettings:
    """Window geometry and view choices (not library settings: those live in the library)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     "photosearch", "photosearch-app")


class WindowState:
    """Restores and saves `window`'s geometry, the named splitters and the sort box."""

    def __init__(self, state: QSettings, window: QMainWindow,
                 splitters: dict[str, QSplitter], sort: QComboBox) -> None:
        self.state = state
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
        self.state.sync()
