"""Themes: follow the system, or force light or dark (Fusion with the palette of
ui/style.py, and its stylesheet)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from . import style

THEMES = ("system", "light", "dark")


def apply(app: QApplication, theme: str) -> None:
    """Install a theme: the style module's palette (light or dark; "system" keeps the
    platform's palette and picks the roles that match it) and the stylesheet built from it."""
    if not hasattr(app, "_photosearch_default_style"):
        app._photosearch_default_style = app.style().name()  # type: ignore[attr-defined]
        app._photosearch_default_palette = QPalette(app.palette())  # type: ignore[attr-defined]
    if theme == "dark":
        roles = style.DARK
        app.setStyle(DarkStyle())
        app.setPalette(style.qpalette(roles))
    elif theme == "light":
        roles = style.LIGHT
        app.setStyle("Fusion")
        app.setPalette(style.qpalette(roles))
    else:
        app.setStyle(app._photosearch_default_style)  # type: ignore[attr-defined]
        app.setPalette(app._photosearch_default_palette)  # type: ignore[attr-defined]
        roles = style.for_palette(app.palette())
    style.set_current(roles)
    app.setStyleSheet(style.stylesheet(roles, app.font().pointSize()))


class DarkStyle(QProxyStyle):
    """Fusion with check boxes that stand out on a dark window (Fusion draws their frame
    a shade darker than the window, which disappears on dark grey): a light frame and a
    light tick, for check boxes and the check marks of list items alike."""

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
        painter.setPen(QPen(style.color("muted" if enabled else "disabled"), 1.4))
        painter.setBrush(style.color("surface"))
        painter.drawRoundedRect(rect, 2, 2)
        if state & (QStyle.StateFlag.State_On | QStyle.StateFlag.State_NoChange):
            tick = style.color("text" if enabled else "disabled")
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
