"""The search field: as-you-type (debounced) queries, and images dropped or pasted onto it."""

from __future__ import annotations

import os

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from ..core.imaging import is_image_name

DEBOUNCE_MS = 300


def image_files(mime: QMimeData) -> list[str]:
    """Local image files in a drag or the clipboard."""
    if not mime.hasUrls():
        return []
    paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
    return [p for p in paths if is_image_name(os.path.basename(p))]


class SearchField(QLineEdit):
    """Emits `query_changed` once typing pauses; Enter searches at once."""

    query_changed = Signal(str)
    image_given = Signal(str)  # a dropped or pasted image file: find similar
    image_data_given = Signal(QImage)  # pasted pixels (a screenshot, a copied image)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setPlaceholderText('Search photos: dog on a beach, "sunset" -"people", '
                                'tag:pets after:2023-01-01   (drop an image to find similar)')
        self.setClearButtonEnabled(True)
        self.setAcceptDrops(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._fire)
        self._last = ""
        self.textEdited.connect(lambda _t: self._timer.start())
        self.returnPressed.connect(self._fire)

    def _fire(self) -> None:
        self._timer.stop()
        text = self.text()
        if text != self._last:
            self._last = text
            self.query_changed.emit(text)

    def set_error(self, message: str | None) -> None:
        """Mark the query as one the user has to fix (red frame, the reason as tooltip),
        or clear the mark (None)."""
        self.setProperty("queryError", bool(message))
        self.style().unpolish(self)  # the app stylesheet frames [queryError="true"] (style.py)
        self.style().polish(self)
        self.setToolTip(message or "")

    def set_query(self, text: str, *, emit: bool = True) -> None:
        """Set the text programmatically (a clicked tag, a cleared filter)."""
        self.setText(text)
        if emit:
            self._fire()
        else:
            self._last = text

    def pending(self) -> bool:
        return self._timer.isActive()

    # -- paste and drop -----------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste) and self._paste_image():
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.set_query("")
            return
        super().keyPressEvent(event)

    def _paste_image(self) -> bool:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return False
        files = image_files(mime)
        if files:
            self.image_given.emit(files[0])
            return True
        if mime.hasImage() and not mime.hasText():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.image_data_given.emit(image)
                return True
        return False

    def dragEnterEvent(self, event) -> None:
        if image_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        files = image_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.image_given.emit(files[0])
        else:
            super().dropEvent(event)


def similar_chip() -> tuple[QWidget, QLabel, QLabel, QToolButton]:
    """The find-similar chip shown before the search field: (chip, image, name, close)."""
    chip = QWidget()
    chip.setObjectName("similarChip")
    chip.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    icon = QLabel()
    icon.setFixedSize(28, 28)
    icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
    name = QLabel()
    name.setMaximumWidth(220)
    close = QToolButton()
    close.setText("✕")
    close.setAutoRaise(True)
    close.setToolTip("Leave find-similar (back to the search)")
    row = QHBoxLayout(chip)
    row.setContentsMargins(4, 0, 2, 0)
    row.setSpacing(4)
    row.addWidget(icon)
    row.addWidget(name)
    row.addWidget(close)
    chip.hide()
    return chip, icon, name, close
