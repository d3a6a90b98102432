"""The full-size viewer (Space): fit to the window or 100%, wheel zoom around the pointer,
drag to pan, arrows step through the results, and a caption with "n of m" and the
photo's details (size, date, camera). The image loads on a worker thread.

Keys: Space/Escape close · Left/Right previous/next · F or 0 fit · 1 actual size ·
+/- zoom · T text boxes (viewer_boxes.py).
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QShortcut, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QVBoxLayout,
)

from . import style
from .thumbnails import load_scaled
from .workers import Runner

VIEWER_SIDE = 4096  # decode at most this side (a 100% view of larger photos is scaled)
ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.02, 16.0


class ZoomView(QGraphicsView):
    """A pannable, zoomable picture; `zoom_changed(factor)` where 1.0 is 100%."""

    zoom_changed = Signal(float)

    def __init__(self) -> None:
        super().__init__()
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(style.color("viewer_bg"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.fitted = True
        self.scale_to_source = 1.0  # shown pixels per original pixel at zoom 1 (downscaled)

    def set_pixmap(self, pix: QPixmap | None, original_width: int | None = None) -> None:
        self.item.setPixmap(pix or QPixmap())
        self.scene().setSceneRect(self.item.boundingRect())
        self.scale_to_source = (pix.width() / original_width) if pix and original_width else 1.0
        self.fit()

    def zoom(self) -> float:
        """The zoom relative to the photo's own pixels (1.0 = 100%)."""
        return self.transform().m11() * self.scale_to_source

    def fit(self) -> None:
        self.fitted = True
        if not self.item.pixmap().isNull():
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom())

    def set_zoom(self, factor: float) -> None:
        factor = max(ZOOM_MIN, min(ZOOM_MAX, factor))
        self.fitted = False
        self.resetTransform()
        s = factor / self.scale_to_source
        self.scale(s, s)
        self.zoom_changed.emit(self.zoom())

    def zoom_by(self, steps: float) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP ** steps)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(steps)
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fitted:
            self.fit()


class Viewer(QDialog):
    """One photo at a time, big; `step(delta)` asks for the previous/next result."""

    step = Signal(int)
    pixmap_shown = Signal()  # the photo's pixels are in the view (boxes can be drawn)

    def __init__(self, runner: Runner, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle("photosearch viewer")
        self.view = ZoomView()
        self.caption = QLabel("")
        self.caption.setObjectName("viewerCaption")
        self.caption.setContentsMargins(style.SPACE_M, style.SPACE_S, style.SPACE_M,
                                        style.SPACE_S)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self._pixmap: QPixmap | None = None
        self.path: str | None = None
        self.position = ""  # "n of m"
        self.details = ""
        self.view.zoom_changed.connect(lambda _z: self._caption())
        keys = (((Qt.Key.Key_Space, Qt.Key.Key_Escape), self.close),
                ((Qt.Key.Key_Right,), lambda: self.step.emit(1)),
                ((Qt.Key.Key_Left,), lambda: self.step.emit(-1)),
                ((Qt.Key.Key_F, Qt.Key.Key_0), self.view.fit),
                ((Qt.Key.Key_1,), lambda: self.view.set_zoom(1.0)),
                ((Qt.Key.Key_Plus, Qt.Key.Key_Equal), lambda: self.view.zoom_by(1)),
                ((Qt.Key.Key_Minus,), lambda: self.view.zoom_by(-1)))
        for seq, slot in keys:
            for key in seq:
                QShortcut(QKeySequence(key), self, activated=slot)

    def show_path(self, path: str, position: str = "", details: str = "",
                  width: int | None = None) -> None:
        self.path = path
        self.position, self.details, self._width = position, details, width
        self.setWindowTitle(f"{os.path.basename(path)}  ({position})" if position
                            else os.path.basename(path))
        self._pixmap = None
        self.view.set_pixmap(None)
        self.caption.setText("Loading…")
        self.runner.submit("thumbs", load_scaled, path, VIEWER_SIDE,
                           on_done=lambda img, p=path: self._arrived(p, img),
                           on_error=lambda exc, p=path: p == self.path and
                           self.caption.setText(f"Cannot show this photo: {exc}"))

    def _arrived(self, path: str, image: QImage) -> None:
        if path == self.path:
            self._pixmap = QPixmap.fromImage(image)
            self.view.set_pixmap(self._pixmap, self._width or image.width())
            self.pixmap_shown.emit()

    def _caption(self) -> None:
        if self.path is None or self._pixmap is None:
            return
        zoom = "fit" if self.view.fitted else f"{self.view.zoom() * 100:.0f}%"
        zoom = f"{zoom} ({self.view.zoom() * 100:.0f}%)" if self.view.fitted else zoom
        parts = [p for p in (self.position, os.path.basename(self.path), self.details,
                             f"zoom {zoom}") if p]
        self.caption.setText("  ·  ".join(parts) +
                             "    F fit · 1 100% · wheel zoom · drag to pan · ←/→ · T text")
