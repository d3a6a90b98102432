"""The text read in a photo, in the preview pane: matched words, boxes, "Copy text".

When a result carries `text_match` (a text query matched the photo), the pane shows the
matched lines under the photo and the text-box overlay highlights them on the image. For
any photo with recognised text, "Copy text" copies all of it. The lines are read on the
db thread (core TextStore, through text_boxes.photo_text); answers for a photo that is no
longer shown are dropped.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton

from .text_boxes import BoxLine, TextBoxOverlay, copy_text, photo_text
from .workers import Runner


def read_photo_text(lib: Any, result: Any) -> list[BoxLine]:
    """The photo's lines, matched ones flagged (db thread)."""
    return photo_text(lib.catalog, result.hash, getattr(result, "text_match", None))


class PreviewText:
    """The preview's text parts; the pane adds `matched` and `copy_button` to its layout."""

    def __init__(self, lib: Any, runner: Runner, image: QLabel) -> None:
        self.lib, self.runner = lib, runner
        self.result: Any = None
        self.lines: list[BoxLine] = []
        self.overlay = TextBoxOverlay(image)
        self.matched = QLabel("")
        self.matched.setObjectName("matchedText")
        self.matched.setWordWrap(True)
        self.matched.setVisible(False)
        self.copy_button = QPushButton("Copy text")
        self.copy_button.setToolTip("Copy the text read in this photo")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy)

    def show_result(self, result: Any) -> None:
        self.result = result
        self.lines = []
        self.overlay.clear()
        self.copy_button.setEnabled(False)
        words = list(getattr(result, "text_match", None) or []) if result is not None else []
        self.matched.setText("Text: " + " | ".join(f"<b>{html.escape(w)}</b>" for w in words)
                             if words else "")
        self.matched.setVisible(bool(words))
        if result is None or not getattr(result, "hash", None):
            return
        self.runner.submit("db", read_photo_text, self.lib, result,
                           on_done=lambda lines, r=result: self._arrived(r, lines),
                           on_error=lambda _e: None)

    def _arrived(self, result: Any, lines: list[BoxLine]) -> None:
        if result is not self.result:
            return
        self.lines = lines
        self.copy_button.setEnabled(bool(lines))
        w, h = getattr(result, "width", None), getattr(result, "height", None)
        if w and h:  # boxes are in oriented full-resolution pixels
            self.overlay.set_text(lines, (int(w), int(h)))

    def image_shown(self) -> None:
        """The photo's pixmap changed size: repaint the boxes over it."""
        self.overlay.setGeometry(self.overlay.label.rect())
        self.overlay.raise_()
        self.overlay.update()

    def copy(self) -> str:
        text = copy_text(self.lines)
        if text:
            QGuiApplication.clipboard().setText(text)
        return text
