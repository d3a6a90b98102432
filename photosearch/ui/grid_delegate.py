"""How one cell of the photo grid is painted: the photo fills the cell (aspect-fit, or a
centred square crop), the file name only when asked for, a subtle hover, a selection ring
and tint, weaker matches dimmed with a bar before the first one.

Colours come from the view's palette roles (Base under the cells, Mid for hover, Highlight
for the selection, Text for names, Link for the weaker-matches bar) and text sizes from the
font metrics, so the application's style and theme drive the cells. The thumbnails are
stored at 256 px x the screen's device pixel ratio and drawn into a rectangle in logical
pixels with smooth scaling, so a 2x screen gets every stored pixel."""

from __future__ import annotations

from operator import attrgetter

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from . import grid_metrics as gm
from .grid_sections import Section
from .pair_badge import paint_pair_badge
from .results_model import ResultRole, StrongRole

# 152 = 80 + 3 x 24, on the size slider's steps; two columns fit the grid at 800x600 with ~20 px
# to spare (at 160 the spare was 5 px and the scroll bar's width under some styles took it)
THUMB = 152


def cell_size(thumb: int, show_names: bool, line_height: int) -> QSize:
    """Every cell's size: the photo's square plus padding (and a name line when shown)."""
    side = thumb + 2 * gm.PAD
    return QSize(side, side + (line_height + gm.PAD if show_names else 0))


def _alpha(palette: QPalette, role: QPalette.ColorRole, alpha: int) -> QColor:
    """The palette's colour for `role`, made translucent."""
    color = palette.color(role)  # a copy
    color.setAlpha(alpha)
    return color


class ThumbDelegate(QStyledItemDelegate):
    """Paints photo cells; `thumb`, `square` and `show_names` are set by the grid."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.thumb = THUMB
        self.square = False
        self.show_names = False

    def sizeHint(self, option, index) -> QSize:
        return cell_size(self.thumb, self.show_names, option.fontMetrics.height())

    def photo_box(self, cell: QRect) -> QRect:
        return QRect(cell.left() + gm.PAD, cell.top() + gm.PAD, self.thumb, self.thumb)

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        pal: QPalette = option.palette
        cell = QRectF(option.rect)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hover = bool(state & QStyle.StateFlag.State_MouseOver)
        painter.setPen(Qt.PenStyle.NoPen)
        if selected:
            painter.setBrush(_alpha(pal, QPalette.ColorRole.Highlight, gm.TINT_ALPHA))
            painter.drawRoundedRect(cell, gm.RADIUS, gm.RADIUS)
        elif hover:
            painter.setBrush(_alpha(pal, QPalette.ColorRole.Mid, gm.HOVER_ALPHA))
            painter.drawRoundedRect(cell, gm.RADIUS, gm.RADIUS)
        strong = bool(index.data(StrongRole))
        if not strong:
            painter.setOpacity(gm.WEAK_OPACITY)
        box = self.photo_box(option.rect)
        pix = index.data(Qt.ItemDataRole.DecorationRole)
        if pix is not None and not pix.isNull():
            w, h = pix.width(), pix.height()
            if self.square:  # the middle square of the photo fills the box
                side = min(w, h)
                source = QRectF((w - side) / 2, (h - side) / 2, side, side)
                painter.drawPixmap(QRectF(box), pix, source)
            else:  # the whole photo, as large as the box allows
                scale = min(box.width() / w, box.height() / h)
                target = QRectF(0, 0, w * scale, h * scale)
                target.moveCenter(QRectF(box).center())
                painter.drawPixmap(target, pix, QRectF(0, 0, w, h))
        pair = getattr(index.data(ResultRole), "pair", None)
        if pair:  # one shot as RAW+JPEG: one cell, labelled
            paint_pair_badge(painter, pal, option.font, box, pair)
        if self.show_names:
            fm = option.fontMetrics
            text = QRect(box.left(), box.bottom() + 1 + gm.PAD // 2, box.width(), fm.height())
            name = fm.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "",
                                 Qt.TextElideMode.ElideMiddle, text.width())
            painter.setPen(pal.color(QPalette.ColorRole.Text))
            painter.drawText(text, Qt.AlignmentFlag.AlignHCenter, name)
        painter.setOpacity(1.0)
        if selected:  # the ring: drawn over the photo's edge, so it reads on any photo
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), gm.RING))
            half = gm.RING / 2
            painter.drawRoundedRect(cell.adjusted(half, half, -half, -half),
                                    gm.RADIUS, gm.RADIUS)
        if not strong and self._first_weak(index):
            # a bar in the gap before the cell: never drawn over the photo
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Link), gm.MARKER_WIDTH))
            x = option.rect.left() - gm.GAP / 2
            painter.drawLine(QPointF(x, cell.top() + gm.PAD), QPointF(x, cell.bottom() - gm.PAD))
        painter.restore()

    @staticmethod
    def _first_weak(index) -> bool:
        if index.row() == 0:
            return True
        prev = index.model().index(index.row() - 1, 0)
        return bool(prev.data(StrongRole))


def paint_header(painter: QPainter, palette: QPalette, font: QFont, section: Section,
                 rect: QRect) -> None:
    """A date header: '12 June 2024' in bold Text, then the photo count in PlaceholderText."""
    painter.save()
    bold = QFont(font)
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(palette.color(QPalette.ColorRole.Text))
    title = section.title or ""
    align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    painter.drawText(rect, int(align), title)
    advance = painter.fontMetrics().horizontalAdvance(title + "  ")
    painter.setFont(font)
    painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
    painter.drawText(rect.adjusted(advance, 0, 0, 0), int(align), f"· {section.count}")
    painter.restore()


def capture_times(model, first: int, stop: int) -> list[float | None]:
    """The capture times of rows first..stop-1 (what the date sections are made of)."""
    if hasattr(model, "results"):  # ResultsModel: its list, copied at C speed
        rows = iter(model.results()[first:stop])
    else:
        rows = (model.index(r, 0).data(ResultRole) for r in range(first, stop))
    return list(map(attrgetter("taken_at"), rows))
