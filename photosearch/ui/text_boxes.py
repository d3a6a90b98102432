"""Highlighting the text read in a photo: boxes over the preview / viewer image.

Not wired into the main window yet (the lead does that). Use:

    data = photo_text(lib.catalog, result.hash, result.text_match)   # on the db thread
    overlay = TextBoxOverlay(image_label)      # a child covering the label
    overlay.set_text(data, image_size=(photo width, photo height))   # on the GUI thread

Boxes are stored in oriented full-resolution pixels; the overlay maps them onto the
pixmap as the label shows it (scaled, centred). Lines that matched the query are filled
and outlined; the others only outlined. `copy_text(data)` is what "Copy text" copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QWidget

from . import style


@dataclass(frozen=True)
class BoxLine:
    text: str
    box: tuple[tuple[float, float], ...]
    matched: bool


def photo_text(catalog, content_hash: str, text_match: list[str] | None = None) -> list[BoxLine]:
    """The photo's lines with their boxes, flagged when they matched (db/worker thread)."""
    from ..core.text.store import TextStore

    matched = set(text_match or [])
    return [BoxLine(ln.text, ln.box, ln.text in matched)
            for ln in TextStore(catalog).lines(content_hash)]


def copy_text(lines: list[BoxLine]) -> str:
    return "\n".join(ln.text for ln in lines)


def image_rect(label_size: tuple[int, int], pixmap_size: tuple[int, int],
               align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter) -> QRectF:
    """Where a pixmap sits inside a label of this size with this alignment."""
    lw, lh = label_size
    pw, ph = pixmap_size
    a = Qt.AlignmentFlag
    x = 0.0 if align & a.AlignLeft else (lw - pw) if align & a.AlignRight else (lw - pw) / 2
    y = 0.0 if align & a.AlignTop else (lh - ph) if align & a.AlignBottom else (lh - ph) / 2
    return QRectF(x, y, pw, ph)


def map_box(box, image_size: tuple[int, int], target: QRectF) -> QPolygonF:
    sx = target.width() / max(1, image_size[0])
    sy = target.height() / max(1, image_size[1])
    return QPolygonF([QPointF(target.x() + x * sx, target.y() + y * sy) for x, y in box])


class TextBoxOverlay(QWidget):
    """Transparent child of an image QLabel that draws the text boxes over its pixmap."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.label = label
        self.lines: list[BoxLine] = []
        self.image_size = (1, 1)
        self.only_matches = False
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setGeometry(label.rect())
        label.installEventFilter(self)

    def set_text(self, lines: list[BoxLine], image_size: tuple[int, int]) -> None:
        self.lines = lines
        self.image_size = image_size
        self.setGeometry(self.label.rect())
        self.raise_()
        self.update()

    def clear(self) -> None:
        self.set_text([], (1, 1))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.label and event.type() == event.Type.Resize:
            self.setGeometry(self.label.rect())
        return False

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        pix = self.label.pixmap()
        if not self.lines or pix is None or pix.isNull():
            return
        dpr = pix.devicePixelRatio() or 1.0
        target = image_rect((self.width(), self.height()),
                            (round(pix.width() / dpr), round(pix.height() / dpr)),
                            self.label.alignment())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for ln in self.lines:
            if self.only_matches and not ln.matched:
                continue
            poly = map_box(ln.box, self.image_size, target)
            if ln.matched:
                painter.setBrush(QBrush(style.color("match_fill")))
                painter.setPen(QPen(style.color("match_pen"), 2))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(style.color("other_pen"), 1))
            painter.drawPolygon(poly)
        painter.end()
