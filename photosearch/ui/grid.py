"""The photo grid: uniform cells that the photos fill, with date headers when sorted by date.

Why a custom view: a QListView in icon mode lays out items only, so a header would have to
be a model row ("the grid trick": full-width items in a proxy model). Then every row number
the window hands around (selection, context menu, Delete, tag, find similar, the preview)
would need mapping past the headers, and Ctrl+A, the keyboard and a drag would see them.
`ResultsGrid` is instead a QAbstractItemView over the unchanged results model that lays the
cells out itself (`grid_sections.Geometry`) and paints the headers between them: headers are
not items, so they are never selected, the keyboard and rubber band skip them, and Delete,
tagging and find similar only ever see photos. A photo the watcher adds is a model row like
any other; the next layout puts it in its day's section.

Cells are all one size (the slider, Ctrl +/-); a photo is aspect-fit in its square or square-
cropped (View menu); file names only in the tooltip unless "Show file names" is on.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter, QRegion
from PySide6.QtWidgets import QAbstractItemView, QRubberBand, QStyle, QStyleOptionViewItem

from . import grid_metrics as gm
from .grid_controls import follow_sort, size_slider, view_actions
from .grid_delegate import THUMB, ThumbDelegate, capture_times, cell_size, paint_header
from .grid_sections import DaySections, Geometry, Section

__all__ = ["THUMB", "ResultsGrid", "ThumbDelegate", "follow_sort", "size_slider",
           "view_actions"]

THUMB_MIN, THUMB_MAX, THUMB_STEP = gm.THUMB_MIN, gm.THUMB_MAX, gm.THUMB_STEP


_A = QAbstractItemView.CursorAction
_KEYS = {_A.MoveLeft: "left", _A.MovePrevious: "left", _A.MoveRight: "right",
         _A.MoveNext: "right", _A.MoveUp: "up", _A.MoveDown: "down", _A.MoveHome: "home",
         _A.MoveEnd: "end", _A.MovePageUp: "pageup", _A.MovePageDown: "pagedown"}


class ResultsGrid(QAbstractItemView):
    """Emits `activated_result(row)` on double-click/Enter and `context_requested(row, pos)`."""

    context_requested = Signal(int, object)
    thumb_size_changed = Signal(int)
    view_options_changed = Signal()  # square crop or file names switched

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.delegate = ThumbDelegate(self)
        self.setItemDelegate(self.delegate)
        self._by_date = False
        self._geometry: Geometry | None = None
        self._days = DaySections()
        self._hover = QPersistentModelIndex()
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self._apply_layout)
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, self.viewport())
        self._band_origin: QPoint | None = None  # content coordinates
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.viewport().setMouseTracking(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context)
        self.setAcceptDrops(False)  # drops go to the window (find similar)
        self._keep: int | None = None  # a scroll position to hold through a relayout
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.verticalScrollBar().actionTriggered.connect(lambda _a: self._release())
        self.set_thumb_size(THUMB)

    # -- model ----------------------------------------------------------------------------
    def setModel(self, model) -> None:
        super().setModel(model)
        for signal in (model.rowsRemoved, model.modelReset, model.layoutChanged,
                       model.rowsMoved):
            signal.connect(self._invalidate)
        model.rowsInserted.connect(self._rows_inserted)
        model.dataChanged.connect(self._data_changed)
        signal = getattr(model, "about_to_refresh", None)
        if signal is not None:
            signal.connect(self.keep_scroll)
        self._invalidate()

    def _data_changed(self, _top, _bottom, roles=()) -> None:
        if list(roles) == [Qt.ItemDataRole.DecorationRole]:
            return  # a thumbnail arrived: the base class repaints its cell
        if self._by_date:
            self._invalidate()  # a date may have changed

    def _invalidate(self, *_args) -> None:
        self._days.seen = -1
        self._geometry = None
        self._relayout.start()

    def _rows_inserted(self, _parent, first: int, last: int) -> None:
        if not self._by_date or not self._days.appended(
                first, lambda: capture_times(self.model(), first, last + 1)):
            self._days.seen = -1  # rows came in elsewhere: regroup them all
        self._geometry = None
        self._relayout.start()

    def _apply_layout(self) -> None:
        self.updateGeometries()
        self.viewport().update()

    def _layout(self) -> Geometry:
        if self._geometry is None:
            self._geometry = Geometry(
                self._sections(), self._usable_width(), *self._cell().toTuple(),
                header_h=self._header_height(), gap=gm.GAP, margin=gm.MARGIN,
                header_gap=gm.HEADER_GAP)
        return self._geometry

    def layout_settled(self) -> bool:
        """The tiles are laid out for the viewport's present width, no relayout pending."""
        return (self._geometry is not None and self._geometry.width == self._usable_width()
                and not self._relayout.isActive())

    def _usable_width(self) -> int:
        """The viewport's width with the scroll bar's room always set aside, so the column
        count never depends on whether the bar is shown (no reflow when it comes and goes)."""
        bar = self.verticalScrollBar()
        return self.viewport().width() - (0 if bar.isVisible() else bar.sizeHint().width())

    def _sections(self) -> list[Section]:
        model = self.model()
        n = model.rowCount() if model is not None else 0
        if n == 0:
            return []
        if not self._by_date:
            return [Section(0, n, None)]
        return self._days.for_rows(n, lambda: capture_times(model, 0, n))

    def _cell(self) -> QSize:
        return cell_size(self.delegate.thumb, self.delegate.show_names,
                         self.fontMetrics().height())

    def _header_height(self) -> int:
        return self.fontMetrics().height() + 2 * gm.HEADER_GAP

    def section_headers(self) -> list[str]:
        """The headers shown, top to bottom ("12 June 2024 · 37")."""
        return [s.label() for s in self._layout().sections if s.title is not None]

    def gridSize(self) -> QSize:  # noqa: N802 - QListView's name, kept for callers
        return self._cell()

    # -- view options ---------------------------------------------------------------------
    def set_grouped_by_date(self, on: bool) -> None:
        if on != self._by_date:
            self._by_date = on
            self._invalidate()

    def grouped_by_date(self) -> bool:
        return self._by_date

    def set_square(self, on: bool) -> None:
        if on != self.delegate.square:
            self.delegate.square = on
            self.viewport().update()
            self.view_options_changed.emit()

    def square(self) -> bool:
        return self.delegate.square

    def set_show_names(self, on: bool) -> None:
        if on != self.delegate.show_names:
            self.delegate.show_names = on
            self._invalidate()
            self.view_options_changed.emit()

    def show_names(self) -> bool:
        return self.delegate.show_names

    # -- geometry (QAbstractItemView) -----------------------------------------------------
    def visualRect(self, index) -> QRect:  # noqa: N802
        if not index.isValid():
            return QRect()
        corner = self._layout().locate(index.row())
        if corner is None:
            return QRect()
        return QRect(QPoint(corner[0], corner[1] - self.verticalOffset()), self._cell())

    def indexAt(self, point: QPoint) -> QModelIndex:  # noqa: N802
        row = self._layout().hit(point.x(), point.y() + self.verticalOffset())
        model = self.model()
        return model.index(row, 0) if row is not None and model is not None else QModelIndex()

    def horizontalOffset(self) -> int:  # noqa: N802
        return 0

    def verticalOffset(self) -> int:  # noqa: N802
        return self.verticalScrollBar().value()

    def isIndexHidden(self, _index) -> bool:  # noqa: N802
        return False

    def updateGeometries(self) -> None:  # noqa: N802
        g = self._layout()
        bar = self.verticalScrollBar()
        page = self.viewport().height()
        bar.setPageStep(page)
        bar.setSingleStep(max(20, g.pitch_y // 4))
        bar.setRange(0, max(0, g.height - page))
        super().updateGeometries()  # fetches the next page when the end is in view

    def resizeEvent(self, event) -> None:  # noqa: N802
        if self._geometry is not None and self._geometry.width != self._usable_width():
            self._geometry = None
        super().resizeEvent(event)

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        if not index.isValid():
            return
        g = self._layout()
        corner = g.locate(index.row())
        if corner is None:
            return
        top, bottom = corner[1], corner[1] + g.cell_h
        if g.first_in_line(index.row()):  # the day's header comes into view with its photos
            s = g.section_of(index.row())
            top = g.tops[s]
        bar, page = self.verticalScrollBar(), self.viewport().height()
        hints = QAbstractItemView.ScrollHint
        if hint == hints.PositionAtTop:
            bar.setValue(top - gm.MARGIN)
        elif hint == hints.PositionAtBottom:
            bar.setValue(bottom + gm.MARGIN - page)
        elif hint == hints.PositionAtCenter:
            bar.setValue((top + bottom - page) // 2)
        elif top - gm.MARGIN < bar.value():
            bar.setValue(top - gm.MARGIN)
        elif bottom + gm.MARGIN > bar.value() + page:
            bar.setValue(bottom + gm.MARGIN - page)

    def moveCursor(self, action, _modifiers) -> QModelIndex:  # noqa: N802
        model = self.model()
        n = model.rowCount() if model is not None else 0
        current = self.currentIndex()
        if n == 0 or not current.isValid():
            return model.index(0, 0) if n else QModelIndex()
        g = self._layout()
        lines = max(1, self.viewport().height() // g.pitch_y)
        return model.index(g.step(current.row(), _KEYS.get(action, ""), n, lines), 0)

    def setSelection(self, rect: QRect, command) -> None:  # noqa: N802
        """Select the cells the rectangle meets (a click, a rubber band, shift+click)."""
        model, g = self.model(), self._layout()
        selection = QItemSelection()
        if model is not None and g.sections:
            area = rect.normalized().translated(0, self.verticalOffset())
            c0 = max(0, (area.left() - g.left) // g.pitch_x)
            c1 = min(g.cols - 1, (area.right() - g.left) // g.pitch_x)
            for first, last, _top in g.rows_between(area.top(), area.bottom()):
                lo, hi = first + c0, min(last, first + c1)
                if lo <= hi:
                    selection.select(model.index(lo, 0), model.index(hi, 0))
            if rect.width() <= 1 and rect.height() <= 1:  # a click: only a photo under it
                hit = g.hit(area.left(), area.top())
                selection = QItemSelection()
                if hit is not None:
                    selection.select(model.index(hit, 0), model.index(hit, 0))
        self.selectionModel().select(selection, command)

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:  # noqa: N802
        region = QRegion()
        for rng in selection:  # type: ignore[attr-defined]
            if rng.bottom() - rng.top() > 2000:  # a huge selection: repaint what is shown
                return QRegion(self.viewport().rect())
            for row in range(rng.top(), rng.bottom() + 1):
                region += self.visualRect(self.model().index(row, 0))
        return region

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802
        model, g = self.model(), self._layout()
        if model is None:
            return
        painter = QPainter(self.viewport())
        offset = self.verticalOffset()
        area = event.rect()
        y0, y1 = area.top() + offset, area.bottom() + offset
        base = QStyleOptionViewItem()
        self.initViewItemOption(base)
        for s, top in g.headers_between(y0, y1):
            paint_header(painter, self.palette(), self.font(), g.sections[s],
                               QRect(g.left + gm.PAD, top - offset,
                                     g.cols * g.pitch_x - gm.PAD, g.header_h))
        selection, current = self.selectionModel(), self.currentIndex()
        focus = self.hasFocus()
        flags = QStyle.StateFlag
        for first, last, top in g.rows_between(y0, y1):
            for row in range(first, last + 1):
                index = model.index(row, 0)
                option = QStyleOptionViewItem(base)
                x = g.left + (row - first) * g.pitch_x
                option.rect = QRect(x, top - offset, g.cell_w, g.cell_h)
                state = base.state
                if selection.isSelected(index):
                    state |= flags.State_Selected
                if index == self._hover:
                    state |= flags.State_MouseOver
                if focus and index == current:
                    state |= flags.State_HasFocus
                option.state = state
                self.itemDelegate().paint(painter, option, index)
        painter.end()

    # -- mouse: hover, rubber band --------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802
        pos = event.position().toPoint()
        if event.button() == Qt.MouseButton.LeftButton and not self.indexAt(pos).isValid():
            self._band_origin = pos + QPoint(0, self.verticalOffset())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position().toPoint()
        self._set_hover(self.indexAt(pos))
        if self._band_origin is not None and event.buttons() & Qt.MouseButton.LeftButton:
            origin = self._band_origin - QPoint(0, self.verticalOffset())
            self._band.setGeometry(QRect(origin, pos).normalized())
            self._band.show()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._band_origin = None
        self._band.hide()
        super().mouseReleaseEvent(event)

    def viewportEvent(self, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Leave:
            self._set_hover(QModelIndex())
        return super().viewportEvent(event)

    def _set_hover(self, index) -> None:
        if QPersistentModelIndex(index) == self._hover:
            return
        old = self._hover
        self._hover = QPersistentModelIndex(index)
        for i in (old, index):
            if i.isValid():
                self.viewport().update(self.visualRect(self.model().index(i.row(), 0)))

    # -- scroll position through in-place refreshes ---------------------------------------
    def keep_scroll(self) -> None:
        """Rows change in place: hold the scroll position while the layout is rebuilt."""
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

    # -- size and the rows the window acts on ---------------------------------------------
    def thumb_size(self) -> int:
        return self.delegate.thumb

    def set_thumb_size(self, side: int) -> None:
        """Tile size (slider, Ctrl+plus/minus); the current photo stays in view."""
        side = max(THUMB_MIN, min(THUMB_MAX, int(side)))
        if side == self.delegate.thumb and self._geometry is not None:
            return
        self.delegate.thumb = side
        self._geometry = None
        self._apply_layout()
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
