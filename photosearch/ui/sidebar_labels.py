"""The sidebar's Labels section: every label with its count; photos dragged from the grid
and dropped on a label are tagged with it (the same review decision as Ctrl+T), and a
click opens the label on the Labels screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from . import icons
from .photo_drag import dragged_photos
from .sidebar_counts import COUNT_ROLE

NAME_ROLE = Qt.ItemDataRole.UserRole


class LabelDropList(QListWidget):
    """Labels with counts; a drop target for photos dragged from a grid."""

    photos_dropped = Signal(str, list)  # label name, content hashes
    label_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebarLabels")
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setToolTip("Drop photos from the grid on a label to tag them")
        self.itemClicked.connect(lambda item: self.label_clicked.emit(item.data(NAME_ROLE)))

    def set_labels(self, rows: list[tuple[str, int]]) -> None:
        current = self.currentItem().data(NAME_ROLE) if self.currentItem() else None
        self.blockSignals(True)
        self.clear()
        for name, count in rows:
            item = QListWidgetItem(icons.icon("tag", "muted"), name)
            item.setData(NAME_ROLE, name)
            item.setData(COUNT_ROLE, f"{count:,}")  # drawn right-aligned
            item.setToolTip(f"{name}: {count:,} photo(s). Drop photos here to tag them.")
            self.addItem(item)
            if name == current:
                self.setCurrentItem(item)
        self.blockSignals(False)

    def names(self) -> list[str]:
        return [self.item(i).data(NAME_ROLE) for i in range(self.count())]

    def item_named(self, name: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(NAME_ROLE) == name:
                return self.item(i)
        return None

    # -- drag and drop ---------------------------------------------------------------------
    def _target(self, pos: QPoint) -> QListWidgetItem | None:
        return self.itemAt(pos)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dragged_photos(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        item = self._target(event.position().toPoint())
        if item is not None and dragged_photos(event.mimeData()):
            self.setCurrentItem(item)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.drop_on(self._target(event.position().toPoint()), event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop_on(self, item: QListWidgetItem | None, mime: QMimeData | None) -> bool:
        """Tag the dragged photos with `item`'s label; False when there is nothing to do."""
        hashes = dragged_photos(mime)
        if item is None or not hashes:
            return False
        self.photos_dropped.emit(item.data(NAME_ROLE), hashes)
        return True


def connect(window: Any) -> None:
    """Wire the sidebar's labels to the window: load the counts, tag on drop, open on click."""
    labels: LabelDropList = window.sidebar.labels

    def reload() -> None:
        from ..core.manual_tags import label_counts

        window.runner.submit("db", label_counts, window.lib, on_done=labels.set_labels,
                             on_error=lambda _e: None)

    window.reload_sidebar_labels = reload
    labels.photos_dropped.connect(
        lambda name, hashes: window.photo_actions.tag_hashes(name, hashes, True))
    labels.label_clicked.connect(lambda name: open_label(window, name))
    window.photo_actions.tagged.connect(lambda _r: reload())
    window.indexing.finished.connect(lambda _r: reload())  # auto-tags of new photos
    window.window_shown.connect(reload)


def open_label(window: Any, name: str) -> None:
    """Show the Labels screen on label `name`."""
    window.show_screen("labels")
    view = window.screen_pages["labels"]
    item = next((view.labels.item(i) for i in range(view.labels.count())
                 if view.labels.item(i).data(Qt.ItemDataRole.UserRole) == name), None)
    if item is not None:
        view.labels.setCurrentItem(item)  # selects it (loads its photos)
    else:
        view.current = name  # its list is still loading: picked when it arrives
