"""The sidebar's other screens (labels, duplicates), built on first use."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def make_screen(key: str, window) -> QWidget:
    """The screen for a sidebar key; a key with no screen is a bug (KeyError)."""
    if key == "labels":
        from .labels_view import LabelsView

        return LabelsView(window)
    if key == "duplicates":
        from .duplicates_view import DuplicatesView

        return DuplicatesView(window)
    raise KeyError(f"no screen named {key!r}")
