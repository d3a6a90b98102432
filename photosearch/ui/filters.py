"""Filter chips under the search field: folder, date range, file type, camera, tag, text,
person.

The chips produce a core `Filters`; filters typed into the query text (`after:`, `tag:`)
still work and win where both are set (core `Filters.merged`). Active filters show as
removable chips so it is always visible why results are narrowed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.query import Filters, parse_types
from .person_chip import PersonCombo

TYPE_CHOICES = ["", "jpg", "png", "heic", "gif", "webp", "tiff", "bmp", "jpg,png"]


def _epoch(d: QDate) -> float:
    """A calendar date as the wall-clock epoch the catalog stores dates in."""
    return datetime(d.year(), d.month(), d.day(), tzinfo=UTC).timestamp()


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.folder = QComboBox()
        self.folder.setToolTip("Only photos in this folder")
        self.folder.addItem("All folders", None)
        self.after_on, self.after = QCheckBox("From"), QDateEdit()
        self.before_on, self.before = QCheckBox("until"), QDateEdit()
        for edit, day in ((self.after, QDate.currentDate().addYears(-1)),
                          (self.before, QDate.currentDate())):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(day)
        self.types = QComboBox()
        self.types.setEditable(True)
        self.types.addItems(TYPE_CHOICES)
        self.types.lineEdit().setPlaceholderText("any type")
        self.types.setToolTip("File types, e.g. jpg or jpg,png")
        self.camera = QLineEdit()
        self.camera.setPlaceholderText("camera")
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("tag")
        self.has_text = QCheckBox("Has text")
        self.has_text.setToolTip("Only photos with text read in them (has:text; OCR must be on)")
        self.person = PersonCombo()  # named people (person_chip.PersonNames fills it)
        self.chips = QHBoxLayout()
        self.chips.setContentsMargins(0, 0, 0, 0)
        self._build()
        self._connect()
        self._refresh_chips()

    def _build(self) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder, 2)
        row.addWidget(self.types, 1)
        row.addWidget(self.camera, 1)
        row.addWidget(self.tag, 1)
        row.addWidget(self.has_text)
        dates = QHBoxLayout()
        dates.setContentsMargins(0, 0, 0, 0)
        for w in (self.after_on, self.after, self.before_on, self.before, self.person):
            dates.addWidget(w)  # the person chip here: the first row is full at 800 px
        dates.addLayout(self.chips)
        dates.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addLayout(dates)

    def _connect(self) -> None:
        self.folder.currentIndexChanged.connect(self._emit)
        for box in (self.after_on, self.before_on):
            box.toggled.connect(self._emit)
        for edit, box in ((self.after, self.after_on), (self.before, self.before_on)):
            edit.dateChanged.connect(lambda _d, b=box: b.isChecked() and self._emit())
        self.types.currentTextChanged.connect(self._emit)
        self.camera.editingFinished.connect(self._emit)
        self.tag.editingFinished.connect(self._emit)
        self.has_text.toggled.connect(self._emit)
        self.person.currentIndexChanged.connect(self._emit)

    def _emit(self, *_args) -> None:
        self._refresh_chips()
        self.changed.emit()

    # -- state --------------------------------------------------------------------------
    def set_folders(self, folders: list[str]) -> None:
        current = self.folder.currentData()
        self.folder.blockSignals(True)
        self.folder.clear()
        self.folder.addItem("All folders", None)
        under = [current] if current and current not in folders and any(
            current.startswith(f.rstrip(os.sep) + os.sep) for f in folders) else []
        for path in [*folders, *under]:  # a chosen sub-folder stays while its root does
            self.folder.addItem(os.path.basename(path.rstrip("/")) or path, path)
            self.folder.setItemData(self.folder.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        index = self.folder.findData(current) if current else 0
        self.folder.setCurrentIndex(max(0, index))
        self.folder.blockSignals(False)
        if current and index < 0:
            self._emit()

    def filters(self) -> Filters:
        types = self.types.currentText().strip()
        return Filters(
            folder=self.folder.currentData(),
            after=_epoch(self.after.date()) if self.after_on.isChecked() else None,
            before=_epoch(self.before.date().addDays(1)) if self.before_on.isChecked() else None,
            types=parse_types(types) if types else None,
            camera=self.camera.text().strip() or None,
            tags=[t for t in (self.tag.text().strip(),) if t],
            has_text=True if self.has_text.isChecked() else None,
            people=[p for p in (self.person.person(),) if p])

    def clear(self) -> None:
        widgets = (self.folder, self.types, self.camera, self.tag, self.after_on,
                   self.before_on, self.has_text, self.person)
        for w in widgets:
            w.blockSignals(True)
        self.folder.setCurrentIndex(0)
        self.types.setCurrentText("")
        self.camera.clear()
        self.tag.clear()
        self.after_on.setChecked(False)
        self.before_on.setChecked(False)
        self.has_text.setChecked(False)
        self.person.setCurrentIndex(0)
        for w in widgets:
            w.blockSignals(False)
        self._emit()

    # -- chips --------------------------------------------------------------------------
    def active_chips(self) -> list[tuple[str, object]]:
        """(label, clear function) for each active filter."""
        chips: list[tuple[str, object]] = []
        if self.folder.currentData():
            chips.append((f"folder: {self.folder.currentText()}",
                          lambda: self.folder.setCurrentIndex(0)))
        if self.after_on.isChecked():
            chips.append((f"from {self.after.date().toString('yyyy-MM-dd')}",
                          lambda: self.after_on.setChecked(False)))
        if self.before_on.isChecked():
            chips.append((f"until {self.before.date().toString('yyyy-MM-dd')}",
                          lambda: self.before_on.setChecked(False)))
        if self.types.currentText().strip():
            chips.append((f"type: {self.types.currentText().strip()}",
                          lambda: self.types.setCurrentText("")))
        if self.camera.text().strip():
            chips.append((f"camera: {self.camera.text().strip()}", self._clear_line(self.camera)))
        if self.tag.text().strip():
            chips.append((f"tag: {self.tag.text().strip()}", self._clear_line(self.tag)))
        if self.has_text.isChecked():
            chips.append(("has text", lambda: self.has_text.setChecked(False)))
        if self.person.person():
            chips.append((f"person: {self.person.person()}",
                          lambda: self.person.setCurrentIndex(0)))
        return chips

    def _clear_line(self, edit: QLineEdit):
        def clear() -> None:
            edit.clear()
            self._emit()
        return clear

    def _refresh_chips(self) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        chips = self.active_chips()
        for label, clear in chips:
            chip = QToolButton()
            chip.setObjectName("chip")
            chip.setText(f"{label}  ✕")
            chip.setToolTip("Remove this filter")
            chip.clicked.connect(clear)
            self.chips.addWidget(chip)
        if len(chips) > 1:
            all_btn = QPushButton("Clear filters")
            all_btn.setFlat(True)
            all_btn.clicked.connect(self.clear)
            self.chips.addWidget(all_btn)
