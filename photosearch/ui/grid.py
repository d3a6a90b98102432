"""The thumbnail grid: a QListView in icon mode with a delegate that separates strong
matches from the weak tail (weaker results are dimmed and the first one is marked)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QSlider,
    QStyle,
    QStyledItemDelegate,
)

from . import style
from .results_model import StrongRole

THUMB = 160
THUMB_MIN, THUMB_MAX, THUMB_STEP = 80, 256, 24  # the size slider's range
WEAK_OPACITY = 0.45


class ThumbDelegate(QStyledItemDelegate):
    thumb = THUMB  # the tile's image side; the cell is 20 px wider

    def sizeHint(self, option, index) -> QSize:
        return QSize(self.thumb + 8, self.thumb + 38)

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        rect = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, option.palette.highlight())
        strong = bool(index.data(StrongRole))
        if not strong:
            painter.setOpacity(WEAK_OPACITY)
        pix = index.data(Qt.ItemDataRole.DecorationRole)
        side = self.thumb
        box = QRect(rect.left() + (rect.width() - side) // 2, rect.top() + 2, side, side)
        if pix is not None and not pix.isNull():
            scaled = pix.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(box.center())
            painter.drawPixmap(target, pix)
        text_rect = QRect(rect.left() + 2, box.bottom() + 2, rect.width() - 4, 16)
        name = option.fontMetrics.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "",
                                             Qt.TextElideMode.ElideMiddle, text_rect.width())
        painter.setPen(option.palette.highlightedText().color() if selected
                       else option.palette.text().color())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, name)
        painter.setOpacity(1.0)
        if not strong and self._first_weak(index):
            # a bar in the gap before the tile: never drawn over the thumbnail
            painter.setPen(QPen(style.color("marker"), 3))
            painter.drawLine(option.rect.left() + 1, option.rect.top() + 4,
                             option.rect.left() + 1, option.rect.bottom() - 4)
        painter.restore()

    @staticmethod
    def _first_weak(index) -> bool:
        if index.row() == 0:
            return True
        prev = index.model().index(index.row() - 1, 0)
        return bool(prev.data(StrongRole))


class ResultsGrid(QListView):
    """Emits `activated_result(row)` on double-click/Enter and `context_requested(row, pos)`."""

    context_requested = Signal(int, object)
    thumb_size_changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)  # O(1) layout per row: smooth at 100k results
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(500)
        self.setSpacing(2)
        self.delegate = ThumbDelegate(self)
        self.setItemDelegate(self.delegate)
        self.set_thumb_size(THUMB)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(40)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context)
        self.setAcceptDrops(False)  # drops go to the window (find similar)
        self._keep: int | None = None  # a scroll position to hold through a relayout
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.verticalScrollBar().actionTriggered.connect(lambda _a: self._release())

    def setModel(self, model) -> None:  # type: ignore[override]
        super().setModel(model)
        signal = getattr(model, "about_to_refresh", None)
        if signal is not None:
            signal.connect(self.keep_scroll)

    def keep_scroll(self) -> None:
        """Rows change in place: hold the scroll position while the batched layout
        rebuilds (it shrinks the range for a moment, which would clamp the position)."""
        self._keep = self.verticalScrollBar().value()
        QTimer.singleShot(2000, self._release)

    def _release(self) -> None:
        self._keep = None

    def _range_changed(self, _low: int, high: int) -> None:
        if self._keep is not None and high >= self._keep:
            self.verticalScrollBar().setValue(self._keep)

    def _context(self, pos) -> None:
        index = self.indexAt(pos)
        if index.isValid():
            if not self.selectionModel().isSelected(index):
                self.setCurrentIndex(index)
            self.context_requested.emit(index.row(), self.viewport().mapToGlobal(pos))

    def thumb_size(self) -> int:
        return self.delegate.thumb

    def set_thumb_size(self, side: int) -> None:
        """Tile size (slider, Ctrl+plus/minus); the current photo stays in view."""
        side = max(THUMB_MIN, min(THUMB_MAX, int(side)))
        if side == self.delegate.thumb and self.gridSize().isValid():
            return
        self.delegate.thumb = side
        self.setGridSize(QSize(side + 12, side + 42))
        if self.currentIndex().isValid():
            self.scrollTo(self.currentIndex())
        self.thumb_size_changed.emit(side)

    def zoom(self, steps: int) -> None:
        self.set_thumb_size(self.delegate.thumb + steps * THUMB_STEP)

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.selectionModel().selectedIndexes())


def size_slider(grid: ResultsGrid) -> QSlider:
    """The thumbnail size slider, kept in step with the grid both ways."""
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setObjectName("thumbSize")
    slider.setRange(THUMB_MIN, THUMB_MAX)
    slider.setSingleStep(THUMB_STEP // 2)
    slider.setPageStep(THUMB_STEP)
    slider.setValue(grid.thumb_size())
    slider.setFixedWidth(110)
    slider.setToolTip("Thumbnail size (Ctrl+plus / Ctrl+minus)")
    slider.valueChanged.connect(grid.set_thumb_size)
    grid.thumb_size_changed.connect(lambda side: slider.setValue(side))
    return slider
