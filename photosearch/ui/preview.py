"""The preview pane beside the grid (the full-size viewer is viewer.py).

Both load their image and metadata on worker threads; the pane shows what it has and
fills in the rest when it arrives, and drops answers for a photo no longer selected.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.results import PhotoDetails
from ..core.results import photo_details as core_photo_details
from .face_boxes import PreviewFaces
from .preview_text import PreviewText
from .thumbnails import load_scaled
from .workers import Runner

PREVIEW_SIDE = 900


def human_size(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def format_date(ts: float | None) -> str:
    if ts is None:
        return "unknown"
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M")


def photo_details(lib, result) -> PhotoDetails:
    """Metadata for the pane (db thread): file size, other copies, tags."""
    return core_photo_details(lib.catalog, result.path, result.hash,
                              getattr(result, "files", ()), getattr(result, "members", ()))


class PreviewPane(QWidget):
    find_similar = Signal(str)
    open_requested = Signal(str)
    reveal_requested = Signal(str)
    copy_requested = Signal(str)

    def __init__(self, lib, runner: Runner, parent=None) -> None:
        super().__init__(parent)
        self.lib, self.runner = lib, runner
        self.result = None
        self.image = AspectLabel("Select a photo to see it here")
        self._pixmap: QPixmap | None = None
        self.fields = {name: QLabel("") for name in
                       ("Name", "Folder", "Size", "Dimensions", "Taken", "Camera", "Format",
                        "Score", "Files", "Copies", "Tags", "Keywords")}
        form = QFormLayout()
        for name, label in self.fields.items():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            # a long unbreakable path must not widen the pane (and reflow the grid)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            form.addRow(name, label)
        buttons = QGridLayout()
        self.buttons = {}
        for key, text, signal in (("open", "Open", self.open_requested),
                                  ("reveal", "Show in folder", self.reveal_requested),
                                  ("copy", "Copy path", self.copy_requested),
                                  ("similar", "Find similar", self.find_similar)):
            btn = QPushButton(text)
            btn.clicked.connect(lambda _c=False, s=signal: self.result and s.emit(self.result.path))
            btn.setEnabled(False)
            buttons.addWidget(btn, len(self.buttons) // 2, len(self.buttons) % 2)
            self.buttons[key] = btn
        self.text = PreviewText(lib, runner, self.image)  # matched words, boxes, Copy text
        buttons.addWidget(self.text.copy_button, len(self.buttons) // 2, len(self.buttons) % 2)
        self.faces = PreviewFaces(lib, runner, self.image)  # face boxes + names, on demand
        buttons.addWidget(self.faces.toggle, len(self.buttons) // 2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.image)
        layout.addWidget(self.text.matched)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def show_result(self, result) -> None:
        self.result = result
        for btn in self.buttons.values():
            btn.setEnabled(result is not None)
        self.text.show_result(result)
        self.faces.show_result(result)
        if result is None:
            self._pixmap = None
            self.image.set_source(None)
            self.image.setText("Select a photo to see it here")
            for label in self.fields.values():
                label.setText("")
            return
        self._fill_known(result)
        self._pixmap = None
        self.image.set_source(None)
        self.image.setText("Loading…")
        self.runner.submit("thumbs", load_scaled, result.path, PREVIEW_SIDE,
                           on_done=lambda img, r=result: self._image_arrived(r, img),
                           on_error=lambda exc, r=result: self._image_failed(r, exc))
        self.runner.submit("db", photo_details, self.lib, result,
                           on_done=lambda d, r=result: self._details_arrived(r, d),
                           on_error=lambda _e: None)

    def _fill_known(self, r) -> None:
        f = self.fields
        f["Name"].setText(os.path.basename(r.path))
        f["Folder"].setText(os.path.dirname(r.path))
        f["Dimensions"].setText(f"{r.width} × {r.height}" if r.width else "?")
        f["Taken"].setText(format_date(r.taken_at))
        f["Camera"].setText(r.camera or "—")
        f["Format"].setText((r.format or "?").upper())
        files = getattr(r, "files", None)  # a RAW+JPEG pair: both files, in the one Folder
        f["Files"].setText(f"{r.pair}: " + " + ".join(os.path.basename(p) for p in files)
                           if files else "this file")
        if r.score is None:
            f["Score"].setText("—")
        else:
            f["Score"].setText(f"{r.score:.3f}" + ("" if r.strong else "  (weaker match)"))
        for key in ("Size", "Copies", "Tags", "Keywords"):
            f[key].setText("…")

    def _details_arrived(self, r, d: PhotoDetails) -> None:
        if r is not self.result:
            return
        f = self.fields
        f["Size"].setText(human_size(d.size) if d.online else "file is offline")
        others = [p for p in d.paths if p != r.path]
        f["Copies"].setText("only this file" if not others else
                            f"{len(others)} other: " + "; ".join(others[:3]))
        f["Tags"].setText(", ".join(d.tags) or "—")
        f["Keywords"].setText(", ".join(d.keywords) or "—")  # sidecar / embedded XMP, IPTC

    def _image_arrived(self, r, image: QImage) -> None:
        if r is not self.result:
            return
        self._pixmap = QPixmap.fromImage(image)
        self._rescale()

    def _image_failed(self, r, exc: Exception) -> None:
        if r is self.result:
            self.image.setText(f"Cannot show this photo:\n{exc}")

    def _rescale(self) -> None:
        self.image.set_source(self._pixmap)
        self.text.image_shown()
        self.faces.image_shown()


class AspectLabel(QLabel):
    """A 4:3 box as wide as the pane, so the details sit right under the photo."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 120)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._source: QPixmap | None = None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(120, width * 3 // 4)

    def sizeHint(self):
        from PySide6.QtCore import QSize

        return QSize(320, 240)

    def set_source(self, pixmap: QPixmap | None) -> None:
        self._source = pixmap
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._source is not None:
            self.setPixmap(self._source.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
