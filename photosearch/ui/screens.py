"""The sidebar's other screens (labels, duplicates), built on first use."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def make_screen(key: str, window) -> QWidget:
    if key == "labels":
        try:
            from .labels_view import LabelsView
        except ImportError as exc:
            return _unavailable("Labels", exc)
        return LabelsView(window)
    if key == "duplicates":
        try:
            from .duplicates_view import DuplicatesView
        except ImportError as exc:
            return _unavailable("Duplicates", exc)
        return DuplicatesView(window)
    return _unavailable(key, None)


def _unavailable(title: str, exc: Exception | None) -> QWidget:
    page = QWidget()
    label = QLabel(f"<h3>{title}</h3><p>This screen is not available in this build"
                   f"{f' ({exc})' if exc else ''}. The command line offers the same "
                   "features where they are installed: see <tt>photosearch --help</tt>.</p>")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    layout = QVBoxLayout(page)
    layout.addWidget(label)
    return page
