"""The People screen: people (named and unnamed groups of faces) with a face thumbnail and
photo count, the faces of the selected person, and the fixes: name, merge, "not this
person", hide, and "show photos" (asks the window to search `person:NAME`).

Every library call and every face crop goes through `call(fn, on_done)`; the window passes
one that runs `fn` on a worker thread and `on_done` on the GUI thread, so the GUI thread
never decodes a photo. Without it, calls run inline (tests).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import imaging
from ..core.people import ops
from ..core.people.thumbs import face_thumbnail
from . import style
from .empty_state import EmptyState

Call = Callable[[Callable[[], object], Callable[[object], None]], None]
FACE_SIZE = 96


def _inline(fn, on_done) -> None:
    on_done(fn())


Thumbs = dict[tuple[str, tuple[int, ...]], tuple[int, int, bytes]]


def _crops(faces: list[dict]) -> Thumbs:
    """Face crops as (width, height, RGB bytes); runs on the worker (decoding is disk and
    CPU work the GUI thread must not wait for)."""
    out: Thumbs = {}
    for f in faces:
        key = (f["path"], tuple(f["box"]))
        try:
            img = face_thumbnail(f["path"], tuple(f["box"]), FACE_SIZE)
        except imaging.ImageError:
            continue
        out[key] = (img.width, img.height, img.tobytes())
    return out


def _icon(thumbs: Thumbs, face: dict) -> QIcon:
    got = thumbs.get((face["path"], tuple(face["box"])))
    if got is None:
        return QIcon()
    w, h, data = got
    qimg = QImage(data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QIcon(QPixmap.fromImage(qimg.copy()))


class PeopleView(QWidget):
    search_requested = Signal(str)  # a query, e.g. 'person:"Anna Smith"'
    settings_requested = Signal()  # the empty state's "Open Settings…"
    changed = Signal()

    def __init__(self, lib, call: Call | None = None) -> None:
        super().__init__()
        self.lib = lib
        self.call = call or _inline
        self.people: dict[int, ops.PersonView] = {}
        self.current: int | None = None

        self.list = QListWidget()
        self.list.setIconSize(QSize(48, 48))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.currentItemChanged.connect(
            lambda item, _p: item and self.select(item.data(Qt.ItemDataRole.UserRole)))
        self.faces = QListWidget()
        self.faces.setViewMode(QListWidget.ViewMode.IconMode)
        self.faces.setIconSize(QSize(FACE_SIZE, FACE_SIZE))
        self.faces.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.header = QLabel("Turn on People (faces) to see the people in your photos.")
        self.header.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Who is this?")
        self.name_edit.returnPressed.connect(self._name_current)
        self.name_btn = QPushButton("Name")
        self.name_btn.clicked.connect(self._name_current)
        self.merge_btn = QPushButton("Merge selected")
        self.merge_btn.setToolTip("Select two or more people in the list: they become one")
        self.merge_btn.clicked.connect(self.merge_selected)
        self.not_btn = QPushButton("Not this person")
        self.not_btn.clicked.connect(self.not_selected_face)
        self.hide_btn = QPushButton("Hide")
        self.hide_btn.clicked.connect(lambda: self.current is not None and self.hide(self.current))
        self.show_btn = QPushButton("Show photos")
        self.show_btn.clicked.connect(self._show_photos)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(style.heading("People", "1"))
        ll.addWidget(self.list, 1)
        ll.addWidget(self.merge_btn)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.header)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.name_btn)
        rl.addLayout(row)
        rl.addWidget(self.faces, 1)
        row = QHBoxLayout()
        for b in (self.not_btn, self.hide_btn, self.show_btn):
            row.addWidget(b)
        rl.addLayout(row)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        self.empty = EmptyState("people", "No people yet", "", "Open Settings…",
                                self.settings_requested.emit)
        self.pages = QStackedWidget()  # the people, or the empty state
        self.pages.addWidget(split)
        self.pages.addWidget(self.empty)
        QVBoxLayout(self).addWidget(self.pages)
        self._enable()

    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        def load():
            rows = ops.people(self.lib, faces_per_person=1)
            return rows, _crops([p.faces[0] for p in rows if p.faces])
        self.call(load, self._people_arrived)

    def _people_arrived(self, loaded) -> None:
        rows, thumbs = loaded
        keep = self.current
        self.people = {p.id: p for p in rows}
        self.list.blockSignals(True)
        self.list.clear()
        for p in rows:
            item = QListWidgetItem(f"{p.name or 'Unnamed'} — {p.count} photos")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            if p.faces:
                item.setIcon(_icon(thumbs, p.faces[0]))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if not rows:
            self.header.setText("No people yet. When People is on, faces are found after "
                                "photos are indexed; nothing leaves this computer.")
            self._show_empty()
        else:
            self.pages.setCurrentIndex(0)
        self.current = None
        if keep in self.people:
            self.select(keep)
        elif rows:
            self.select(rows[0].id)
        else:
            self.faces.clear()
        self._enable()

    def _show_empty(self) -> None:
        if (getattr(self.lib.settings, "people", None) or {}).get("enabled"):
            self.empty.show_state(
                hint="Faces are found in the background after photos are indexed; nothing "
                     "leaves this computer.", action="")
        else:
            self.empty.show_state(
                hint="Turn on “Find people in photos” in Settings to group faces into people "
                     "you can name; it runs on this computer only.", action="Open Settings…")
        self.pages.setCurrentWidget(self.empty)

    def select(self, person_id: int) -> None:
        self.current = person_id
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == person_id and not item.isSelected():
                self.list.blockSignals(True)
                self.list.setCurrentItem(item)
                self.list.blockSignals(False)
        def load():
            view = ops.person(self.lib, person_id)
            return view, _crops(view.faces)
        self.call(load, self._person_arrived)

    def _person_arrived(self, loaded) -> None:
        view, thumbs = loaded
        if view.id != self.current:
            return
        self.header.setText(f"<b>{view.name or 'Unnamed'}</b> — {view.count} photos")
        self.name_edit.setText(view.name or "")
        self.faces.clear()
        for f in view.faces:
            item = QListWidgetItem(_icon(thumbs, f), "")
            item.setData(Qt.ItemDataRole.UserRole, f["path"])
            item.setToolTip(f["path"])
            self.faces.addItem(item)
        self._enable()

    # -- fixing -------------------------------------------------------------------------
    def name(self, person_id: int, name: str) -> None:
        self.call(lambda: ops.name(self.lib, person_id, name), self._done)

    def merge(self, keep: int, others: list[int]) -> None:
        def merge_all() -> None:
            for other in others:
                ops.merge(self.lib, keep, other)
        self.current = keep
        self.call(merge_all, self._done)

    def not_person(self, path: str, person_id: int) -> None:
        self.call(lambda: ops.not_person(self.lib, path, person_id), self._done)

    def hide(self, person_id: int) -> None:
        self.call(lambda: ops.hide(self.lib, person_id), self._done)

    def merge_selected(self) -> None:
        ids = [i.data(Qt.ItemDataRole.UserRole) for i in self.list.selectedItems()]
        if len(ids) < 2:
            return
        keep = self.current if self.current in ids else ids[0]
        self.merge(keep, [i for i in ids if i != keep])

    def not_selected_face(self) -> None:
        items = self.faces.selectedItems()
        if items and self.current is not None:
            self.not_person(items[0].data(Qt.ItemDataRole.UserRole), self.current)

    def query_for(self, person_id: int) -> str:
        p = self.people.get(person_id)
        return f'person:"{p.name}"' if p and p.name else f"person:{person_id}"

    def _name_current(self) -> None:
        text = self.name_edit.text().strip()
        if self.current is not None and text:
            self.name(self.current, text)

    def _show_photos(self) -> None:
        if self.current is not None:
            self.search_requested.emit(self.query_for(self.current))

    def _done(self, _value=None) -> None:
        self.changed.emit()
        self.refresh()

    def _enable(self) -> None:
        has = self.current is not None
        for b in (self.name_btn, self.hide_btn, self.show_btn, self.not_btn):
            b.setEnabled(has)
        self.merge_btn.setEnabled(self.list.count() > 1)
