"""The sidebar's rows: an icon, a name, and a count drawn right-aligned in the muted colour
(greyed for an offline folder), so names and numbers read as two columns."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from . import style

COUNT_ROLE = Qt.ItemDataRole.UserRole + 7  # the text drawn right-aligned ("41", "offline")
ROW_HEIGHT = 24


class CountDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), ROW_HEIGHT))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:
        count = index.data(COUNT_ROLE)
        if not count:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        width = opt.fontMetrics.horizontalAdvance(str(count)) + 2 * style.SPACE_M
        rect: QRect = opt.rect  # type: ignore[attr-defined]
        opt.rect = rect.adjusted(0, 0, -width, 0)  # type: ignore[attr-defined]
        # the row's own background (selection) spans the count too
        full = QStyleOptionViewItem(option)
        self.initStyleOption(full, index)
        full.text = ""  # type: ignore[attr-defined]
        full.icon = full.icon.__class__()  # type: ignore[attr-defined]
        widget = option.widget  # type: ignore[attr-defined]
        st = widget.style() if widget is not None else None
        if st is not None:
            st.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, widget)
        opt.backgroundBrush = full.backgroundBrush  # type: ignore[attr-defined]
        opt.state &= ~QStyle.StateFlag.State_HasFocus  # type: ignore[attr-defined]
        super().paint(painter, opt, index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        painter.save()
        painter.setPen(style.color("on_accent") if selected else style.color("muted"))
        painter.drawText(rect.adjusted(0, 0, -style.SPACE_M, 0),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                         str(count))
        painter.restore()
