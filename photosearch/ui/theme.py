"""Themes: follow the system, or force light or dark (Fusion style with a palette)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

THEMES = ("system", "light", "dark")

_STYLE = """
QToolButton#chip { border: 1px solid palette(mid); border-radius: 10px; padding: 2px 8px; }
QLabel#banner { padding: 6px 10px; border-radius: 4px; background: palette(alternate-base); }
QLabel#banner[level="warn"] { background: #f5d77a; color: #222; }
QLabel#banner[level="error"] { background: #e8a0a0; color: #222; }
QLabel#weakDivider { color: palette(mid); }
QWidget#similarChip { border: 1px solid palette(highlight); border-radius: 14px;
                      background: palette(alternate-base); }
"""


def apply(app: QApplication, theme: str) -> None:
    if not hasattr(app, "_photosearch_default_style"):
        app._photosearch_default_style = app.style().name()  # type: ignore[attr-defined]
        app._photosearch_default_palette = QPalette(app.palette())  # type: ignore[attr-defined]
    if theme == "dark":
        app.setStyle(DarkStyle())
        app.setPalette(_dark())
    elif theme == "light":
        app.setStyle("Fusion")
        app.setPalette(app.style().standardPalette())
    else:
        app.setStyle(app._photosearch_default_style)  # type: ignore[attr-defined]
        app.setPalette(app._photosearch_default_palette)  # type: ignore[attr-defined]
    app.setStyleSheet(_STYLE)


def _dark() -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    colors = {
        roles.Window: "#2b2b2b", roles.WindowText: "#e6e6e6", roles.Base: "#1f1f1f",
        roles.AlternateBase: "#333333", roles.ToolTipBase: "#3a3a3a",
        roles.ToolTipText: "#e6e6e6", roles.Text: "#e6e6e6", roles.Button: "#353535",
        roles.ButtonText: "#e6e6e6", roles.BrightText: "#ff6b6b", roles.Highlight: "#3d7dd8",
        roles.HighlightedText: "#ffffff", roles.Link: "#7fb2ff", roles.Mid: "#5a5a5a",
        roles.PlaceholderText: "#8a8a8a",
    }
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    p.setColor(QPalette.ColorGroup.Disabled, roles.Text, QColor("#777777"))
    p.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, QColor("#777777"))
    return p


class DarkStyle(QProxyStyle):
    """Fusion with check boxes that stand out on a dark window (Fusion draws their frame
    a shade darker than the window, which disappears on dark grey): a light frame and a
    light tick, for check boxes and the check marks of list items alike."""

    FRAME = QColor("#b0b0b0")

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,
                      painter: QPainter, widget: QWidget | None = None) -> None:
        if element not in (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
                           QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck):
            super().drawPrimitive(element, option, painter, widget)
            return
        rect = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        enabled = bool(state & QStyle.StateFlag.State_Enabled)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.FRAME if enabled else QColor("#707070"), 1.4))
        painter.setBrush(QColor("#1a1a1a"))
        painter.drawRoundedRect(rect, 2, 2)
        if state & (QStyle.StateFlag.State_On | QStyle.StateFlag.State_NoChange):
            tick = QColor("#ffffff") if enabled else QColor("#909090")
            painter.setPen(QPen(tick, 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            r = rect.adjusted(2.5, 2.5, -2.5, -2.5)
            if state & QStyle.StateFlag.State_NoChange:
                painter.drawLine(QPointF(r.left(), r.center().y()),
                                 QPointF(r.right(), r.center().y()))
            else:
                painter.drawPolyline([QPointF(r.left(), r.center().y()),
                                      QPointF(r.left() + r.width() * 0.4, r.bottom()),
                                      QPointF(r.right(), r.top())])
        painter.restore()
