"""The thumbnail grid: a QListView in icon mode with a delegate that separates strong
matches from the weak tail (weaker results are dimmed and the first one is marked)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate

from .results_model import StrongRole

CELL = 180
THUMB = 160
WEAK_OPACITY = 0.45
MARKER = QColor(230, 150, 40)  # the bar before the first weaker match


class ThumbDelegate(QStyledItemDelegate):
    def sizeHint(self, option, index) -> QSize:
        return QSize(CELL, CELL + 18)

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
        box = QRect(rect.left() + (rect.width() - THUMB) // 2, rect.top() + 2, THUMB, THUMB)
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
            painter.setPen(QPen(MARKER, 3))
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

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)  # O(1) layout per row: smooth at 100k results
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(500)
        self.setSpacing(2)
        self.setGridSize(QSize(CELL + 4, CELL + 22))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(40)
        self.setItemDelegate(ThumbDelegate(self))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context)
        self.setAcceptDrops(False)  # drops go to the window (find similar)

    def _context(self, pos) -> None:
        index = self.indexAt(pos)
        if index.isValid():
            if not self.selectionModel().isSelected(index):
                self.setCurrentIndex(index)
            self.context_requested.emit(index.row(), self.viewport().mapToGlobal(pos))

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.selectionModel().selectedIndexes())
