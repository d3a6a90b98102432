"""The "RAW+JPEG" badge on a grid cell whose item is one shot saved as RAW and JPEG
(core/pairs.py): a small rounded label in the photo's bottom-left corner, in the palette's
tooltip colours so it reads on any photo and follows the theme."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPalette

from . import grid_metrics as gm


def paint_pair_badge(painter: QPainter, palette: QPalette, font: QFont, box: QRect,
                     text: str) -> None:
    """Draw `text` ("RAW+JPEG") as a badge inside the photo box `box`."""
    painter.save()
    small = QFont(font)
    small.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
    small.setBold(True)
    painter.setFont(small)
    fm = painter.fontMetrics()
    pad = max(2, gm.PAD // 2)
    w, h = fm.horizontalAdvance(text) + 2 * pad, fm.height() + pad
    rect = QRectF(box.left() + pad, box.bottom() - h - pad + 1, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    bg = palette.color(QPalette.ColorRole.ToolTipBase)
    bg.setAlpha(220)
    painter.setBrush(bg)
    painter.drawRoundedRect(rect, h / 3, h / 3)
    painter.setPen(palette.color(QPalette.ColorRole.ToolTipText))
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.restore()
