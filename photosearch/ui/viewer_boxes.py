"""Text boxes in the full-size viewer (issue 15): the lines read in the photo drawn over it,
matched lines filled (as in the preview), others outlined; T shows or hides them.

    boxes = ViewerTextBoxes(viewer, lib, runner)
    boxes.show_result(result)     # after viewer.show_path(...) for that result

The lines are read on the db thread (text_boxes.photo_text); the boxes are children of the
viewer's picture item, so they pan and zoom with it, in that pixmap's pixels (the stored
boxes are oriented full-resolution pixels; the viewer may show a downscaled copy).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtGui import QBrush, QKeySequence, QPen, QPolygonF, QShortcut
from PySide6.QtWidgets import QGraphicsPolygonItem

from . import style
from .text_boxes import BoxLine, photo_text
from .workers import Runner


class ViewerTextBoxes(QObject):
    def __init__(self, viewer: Any, lib: Any, runner: Runner) -> None:
        super().__init__(viewer)
        self.viewer, self.lib, self.runner = viewer, lib, runner
        self.result: Any = None
        self.lines: list[BoxLine] = []
        self.items: list[QGraphicsPolygonItem] = []
        self.visible = True
        viewer.pixmap_shown.connect(self._draw)
        QShortcut(QKeySequence(Qt.Key.Key_T), viewer, activated=self.toggle)

    def show_result(self, result: Any) -> None:
        self.result = result
        self.lines = []
        self._draw()
        if result is None or not getattr(result, "hash", None):
            return
        self.runner.submit("db", photo_text, self.lib.catalog, result.hash,
                           getattr(result, "text_match", None),
                           on_done=lambda lines, r=result: self._arrived(r, lines),
                           on_error=lambda _e: None)

    def toggle(self) -> None:
        self.visible = not self.visible
        for item in self.items:
            item.setVisible(self.visible)

    def _arrived(self, result: Any, lines: list[BoxLine]) -> None:
        if result is self.result:
            self.lines = lines
            self._draw()

    def _draw(self) -> None:
        view = self.viewer.view
        for item in self.items:
            item.setParentItem(None)
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.items = []
        if not self.lines or view.item.pixmap().isNull():
            return
        s = view.scale_to_source  # shown pixmap pixels per original pixel
        for ln in self.lines:
            item = QGraphicsPolygonItem(QPolygonF([QPointF(x * s, y * s) for x, y in ln.box]),
                                        view.item)
            pen = QPen(style.color("match_pen" if ln.matched else "other_pen"),
                       2 if ln.matched else 1)
            pen.setCosmetic(True)  # the same on-screen width at every zoom
            item.setPen(pen)
            if ln.matched:
                item.setBrush(QBrush(style.color("match_fill")))
            item.setVisible(self.visible)
            self.items.append(item)
