"""Face boxes with names over the preview image, on demand ("Faces" toggle in the preview).

    pane_faces = PreviewFaces(lib, runner, image_label)   # the toggle is `pane_faces.toggle`
    pane_faces.show_result(result)                        # a photo was selected
    pane_faces.image_shown()                              # its pixmap was (re)scaled

The boxes are read on the db thread (core people.search.faces_in_photo) only while the
toggle is on; answers for a photo no longer shown are dropped. Boxes are stored in oriented
full-resolution pixels and mapped onto the pixmap as the label shows it (text_boxes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ..core.people.search import faces_in_photo
from . import style
from .text_boxes import image_rect
from .workers import Runner


@dataclass(frozen=True)
class FaceBox:
    box: tuple[int, int, int, int]  # left, top, right, bottom in oriented photo pixels
    name: str | None


def photo_faces(lib: Any, result: Any) -> list[FaceBox]:
    """The photo's faces (db thread)."""
    return [FaceBox(tuple(box), name)  # type: ignore[arg-type]
            for box, name in faces_in_photo(lib.catalog, result.hash)]


def map_rect(box: tuple[int, int, int, int], image_size: tuple[int, int],
             target: QRectF) -> QRectF:
    sx = target.width() / max(1, image_size[0])
    sy = target.height() / max(1, image_size[1])
    left, top, right, bottom = box
    return QRectF(target.x() + left * sx, target.y() + top * sy,
                  (right - left) * sx, (bottom - top) * sy)


class FaceBoxOverlay(QWidget):
    """Transparent child of an image QLabel: a rectangle per face, its name underneath."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.label = label
        self.faces: list[FaceBox] = []
        self.image_size = (1, 1)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setGeometry(label.rect())
        label.installEventFilter(self)

    def set_faces(self, faces: list[FaceBox], image_size: tuple[int, int]) -> None:
        self.faces, self.image_size = faces, image_size
        self.setGeometry(self.label.rect())
        self.raise_()
        self.update()

    def clear(self) -> None:
        self.set_faces([], (1, 1))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.label and event.type() == event.Type.Resize:
            self.setGeometry(self.label.rect())
        return False

    def face_rects(self) -> list[QRectF]:
        """Where each face's box is drawn, in this widget's coordinates."""
        pix = self.label.pixmap()
        if pix is None or pix.isNull():
            return []
        dpr = pix.devicePixelRatio() or 1.0
        target = image_rect((self.width(), self.height()),
                            (round(pix.width() / dpr), round(pix.height() / dpr)),
                            self.label.alignment())
        return [map_rect(f.box, self.image_size, target) for f in self.faces]

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        rects = self.face_rects()
        if not rects:
            return
        painter = QPainter(self)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        for face, rect in zip(self.faces, rects, strict=True):
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(style.color("face_pen" if face.name else "face_unnamed_pen"), 2))
            painter.drawRect(rect)
            if not face.name:
                continue
            text = metrics.elidedText(face.name, Qt.TextElideMode.ElideRight,
                                      max(rect.width() * 2, 60))
            w, h = metrics.horizontalAdvance(text) + 8, metrics.height() + 2
            y = rect.bottom() + 2 if rect.bottom() + 2 + h <= self.height() else rect.top() - h
            tag = QRectF(rect.center().x() - w / 2, y, w, h)
            painter.fillRect(tag, style.color("face_name_bg"))
            painter.setPen(QPen(style.color("face_pen")))
            painter.drawText(tag.translated(QPointF(0, 0)), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class PreviewFaces:
    """The preview's "Faces" toggle and the overlay it controls (off by default)."""

    def __init__(self, lib: Any, runner: Runner, image: QLabel) -> None:
        self.lib, self.runner = lib, runner
        self.result: Any = None
        self.overlay = FaceBoxOverlay(image)
        self.toggle = QPushButton("Faces")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Show the faces found in this photo, with names (people must "
                               "be on: Settings → Find people in photos)")
        self.toggle.toggled.connect(lambda _on: self.show_result(self.result))

    def show_result(self, result: Any) -> None:
        self.result = result
        self.overlay.clear()
        if result is None or not getattr(result, "hash", None) or not self.toggle.isChecked():
            return
        self.runner.submit("db", photo_faces, self.lib, result,
                           on_done=lambda faces, r=result: self._arrived(r, faces),
                           on_error=lambda _e: None)

    def _arrived(self, result: Any, faces: list[FaceBox]) -> None:
        if result is not self.result or not self.toggle.isChecked():
            return
        w, h = getattr(result, "width", None), getattr(result, "height", None)
        if w and h:
            self.overlay.set_faces(faces, (int(w), int(h)))

    def image_shown(self) -> None:
        self.overlay.setGeometry(self.overlay.label.rect())
        self.overlay.raise_()
        self.overlay.update()
