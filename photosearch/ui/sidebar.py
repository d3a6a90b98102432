"""The sidebar: library folders with their status, and the way to the other screens."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


@dataclass
class FolderStatus:
    path: str
    online: bool
    files: int


def folder_statuses(catalog) -> list[FolderStatus]:
    """Each library folder, whether it is reachable now, and how many files it holds (db thread)."""
    counts = catalog.folder_file_counts()
    return [FolderStatus(path, os.path.isdir(path), counts.get(fid, 0))
            for fid, path in catalog.folders()]


def folder_label(s: FolderStatus) -> str:
    name = os.path.basename(s.path.rstrip("/")) or s.path
    state = f"{s.files:,} files" if s.online else "offline (drive unplugged?)"
    return f"{name}\n{state}"


class Sidebar(QWidget):
    add_folder = Signal()
    remove_folder = Signal(str)
    exclude_folder = Signal(str)  # the selected library folder (where to start picking)
    index_now = Signal()
    folder_clicked = Signal(str)
    screen_requested = Signal(str)  # "photos" | "labels" | "duplicates"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        for key, text in (("photos", "Photos"), ("labels", "Labels"),
                          ("duplicates", "Duplicates")):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.setCurrentRow(0)
        self.nav.setMaximumHeight(self.nav.sizeHintForRow(0) * 3 + 8)
        self.nav.currentItemChanged.connect(
            lambda item, _prev: item and self.screen_requested.emit(
                item.data(Qt.ItemDataRole.UserRole)))
        self.folders = QListWidget()
        self.folders.setToolTip("Click a folder to show only its photos")
        self.folders.itemClicked.connect(
            lambda item: self.folder_clicked.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.folders.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.add_btn = QPushButton("Add…")
        self.add_btn.setToolTip("Add a photo folder (Ctrl+O)")
        self.remove_btn = QPushButton("Remove")
        self.remove_btn.setToolTip("Stop managing this folder; photos on disk are untouched")
        self.exclude_btn = QPushButton("Exclude…")
        self.exclude_btn.setToolTip("Skip a sub-folder (its photos leave the library; the "
                                    "files are untouched)")
        self.index_btn = QPushButton("Index now")
        self.index_btn.setToolTip("Look for new, changed and removed photos (F5)")
        self.add_btn.clicked.connect(self.add_folder)
        self.remove_btn.clicked.connect(self._remove)
        self.index_btn.clicked.connect(self.index_now)
        self.exclude_btn.clicked.connect(
            lambda: self.exclude_folder.emit(self.selected_folder() or ""))
        buttons = QGridLayout()
        for i, b in enumerate((self.add_btn, self.remove_btn, self.exclude_btn,
                               self.index_btn)):
            buttons.addWidget(b, i // 2, i % 2)
        self.empty_hint = QLabel("No folders yet: add one to start.")
        self.empty_hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.nav)
        layout.addWidget(QLabel("<b>Folders</b>"))
        layout.addWidget(self.folders, 1)
        layout.addWidget(self.empty_hint)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_folders(self, statuses: list[FolderStatus]) -> None:
        current = self.selected_folder()
        self.folders.clear()
        for s in statuses:
            item = QListWidgetItem(folder_label(s))
            item.setData(Qt.ItemDataRole.UserRole, s.path)
            item.setToolTip(s.path if s.online else
                            f"{s.path}\nnot reachable now; its photos stay in the library")
            if not s.online:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.folders.addItem(item)
            if s.path == current:
                self.folders.setCurrentItem(item)
        self.empty_hint.setVisible(not statuses)
        self._update_buttons()

    def folder_paths(self) -> list[str]:
        return [self.folders.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.folders.count())]

    def selected_folder(self) -> str | None:
        item = self.folders.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _remove(self) -> None:
        path = self.selected_folder()
        if path:
            self.remove_folder.emit(path)

    def _update_buttons(self) -> None:
        self.remove_btn.setEnabled(self.selected_folder() is not None)
        self.index_btn.setEnabled(self.folders.count() > 0)
        self.exclude_btn.setEnabled(self.folders.count() > 0)

    def select_screen(self, key: str) -> None:
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(i)
