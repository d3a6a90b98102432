"""The sidebar: the library's folders as a tree (sub-folders with file counts), their
status, and the way to the other screens."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.folder_tree import FolderNode, folder_tree
from . import icons, style
from .sidebar_counts import COUNT_ROLE, CountDelegate
from .sidebar_labels import LabelDropList

ROOT_ROLE = Qt.ItemDataRole.UserRole + 1  # the library folder an item lies in


@dataclass
class FolderStatus:
    path: str
    online: bool
    files: int
    children: list[FolderNode] = field(default_factory=list)


def folder_statuses(catalog) -> list[FolderStatus]:
    """Each library folder, whether it is reachable now, how many files it holds, and its
    sub-folders (db thread)."""
    trees = folder_tree(catalog)
    return [FolderStatus(path, os.path.isdir(path), trees[fid].files, trees[fid].children)
            for fid, path in catalog.folders()]


class FolderTree(QTreeWidget):
    """Library folders (top level) and their sub-folders, each with its file count."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setUniformRowHeights(False)

    def item(self, row: int) -> QTreeWidgetItem | None:
        """The library folder at `row` (top level)."""
        return self.topLevelItem(row)

    def count(self) -> int:
        return self.topLevelItemCount()

    def setCurrentRow(self, row: int) -> None:
        item = self.topLevelItem(row)
        if item is not None:
            self.setCurrentItem(item)

    def find_path(self, path: str) -> QTreeWidgetItem | None:
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            if item.data(0, Qt.ItemDataRole.UserRole) == path:
                return item
            stack += [item.child(i) for i in range(item.childCount())]
        return None


def _sub_items(parent: QTreeWidgetItem, nodes: list[FolderNode], root: str) -> None:
    for node in nodes:
        child = QTreeWidgetItem(parent, [node.name])
        child.setData(0, COUNT_ROLE, f"{node.files:,}")
        child.setIcon(0, icons.icon("folder", "muted"))
        child.setData(0, Qt.ItemDataRole.UserRole, node.path)
        child.setData(0, ROOT_ROLE, root)
        child.setToolTip(0, f"{node.path}\n{node.files:,} files")
        _sub_items(child, node.children, root)


def folder_label(s: FolderStatus) -> str:
    """The folder's name (its count or "offline" is drawn right-aligned beside it)."""
    return os.path.basename(s.path.rstrip("/")) or s.path


def folder_count(s: FolderStatus) -> str:
    return f"{s.files:,}" if s.online else "offline"


class Sidebar(QWidget):
    add_folder = Signal()
    remove_folder = Signal(str)
    exclude_folder = Signal(str)  # the selected library folder (where to start picking)
    index_now = Signal()
    folder_clicked = Signal(str)
    screen_requested = Signal(str)  # "photos" | "people" | "labels" | "duplicates"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setItemDelegate(CountDelegate(self.nav))
        for key, text in (("photos", "Photos"), ("people", "People"), ("labels", "Labels"),
                          ("duplicates", "Duplicates")):
            item = QListWidgetItem(icons.icon(key), text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
        self.nav.setCurrentRow(0)
        self.nav.setFixedHeight(self.nav.sizeHintForRow(0) * self.nav.count() + 4)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.currentItemChanged.connect(
            lambda item, _prev: item and self.screen_requested.emit(
                item.data(Qt.ItemDataRole.UserRole)))
        self.folders = FolderTree()
        self.folders.setObjectName("folderTree")
        self.folders.setItemDelegate(CountDelegate(self.folders))
        self.folders.setToolTip("Click a folder to show only its photos")
        self.folders.itemClicked.connect(
            lambda item, _col: self.folder_clicked.emit(item.data(0, Qt.ItemDataRole.UserRole)))
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
            lambda: self.exclude_folder.emit(self.current_path() or ""))
        buttons = QGridLayout()
        buttons.setSpacing(style.SPACE_S)
        for i, b in enumerate((self.add_btn, self.remove_btn, self.exclude_btn,
                               self.index_btn)):
            buttons.addWidget(b, i // 2, i % 2)
        self.empty_hint = style.muted(QLabel("No folders yet: add one to start."))
        self.empty_hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.SPACE_M, style.SPACE_M, style.SPACE_M, style.SPACE_M)
        layout.setSpacing(style.SPACE_S)
        layout.addWidget(style.heading("Library", "section"))
        layout.addWidget(self.nav)
        layout.addWidget(style.heading("Folders", "section"))
        layout.addWidget(self.folders, 3)
        layout.addWidget(self.empty_hint)
        self.labels = LabelDropList()  # labels with counts; drop photos on one to tag them
        self.labels.setItemDelegate(CountDelegate(self.labels))
        self.labels_heading = style.heading("Labels", "section")
        layout.addWidget(self.labels_heading)
        layout.addWidget(self.labels, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def set_folders(self, statuses: list[FolderStatus]) -> None:
        current = self.current_path()
        expanded = {it.data(0, Qt.ItemDataRole.UserRole) for it in self._items()
                    if it.isExpanded()}
        self.folders.clear()
        for s in statuses:
            item = QTreeWidgetItem([folder_label(s)])
            item.setData(0, Qt.ItemDataRole.UserRole, s.path)
            item.setData(0, ROOT_ROLE, s.path)
            item.setData(0, COUNT_ROLE, folder_count(s))
            item.setIcon(0, icons.icon("folder" if s.online else "offline",
                                       "muted" if s.online else "offline"))
            item.setToolTip(0, f"{s.path}\n{s.files:,} files" if s.online else
                            f"{s.path}\noffline (drive unplugged?): not reachable now; its "
                            "photos stay in the library")
            if not s.online:
                item.setForeground(0, style.color("offline"))
            self.folders.addTopLevelItem(item)
            _sub_items(item, s.children, s.path)
        for it in self._items():
            path = it.data(0, Qt.ItemDataRole.UserRole)
            if path in expanded:
                it.setExpanded(True)
            if path == current:
                self.folders.setCurrentItem(it)
        self.empty_hint.setVisible(not statuses)
        self._update_buttons()

    def _items(self) -> list[QTreeWidgetItem]:
        out, stack = [], [self.folders.topLevelItem(i)
                          for i in range(self.folders.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is not None:
                out.append(item)
                stack += [item.child(i) for i in range(item.childCount())]
        return out

    def folder_paths(self) -> list[str]:
        """The library folders (top level of the tree)."""
        return [self.folders.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                for i in range(self.folders.topLevelItemCount())]

    def current_path(self) -> str | None:
        """The folder or sub-folder selected in the tree."""
        item = self.folders.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def selected_folder(self) -> str | None:
        """The library folder of the selection (a sub-folder's library folder)."""
        item = self.folders.currentItem()
        return item.data(0, ROOT_ROLE) if item else None

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
