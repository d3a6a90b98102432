"""The controls around the photo grid: the size slider, the View menu's options and the
sort box's say on date headers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QSlider

from .grid_metrics import THUMB_MAX, THUMB_MIN, THUMB_STEP

if TYPE_CHECKING:
    from .grid import ResultsGrid


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


def view_actions(grid: ResultsGrid, parent) -> tuple[QAction, QAction]:
    """The View menu's "Square thumbnails" and "Show file names", in step with the grid."""
    square = QAction("Square thumbnails", parent)
    names = QAction("Show file names", parent)
    square.setCheckable(True)
    names.setCheckable(True)
    square.toggled.connect(grid.set_square)
    names.toggled.connect(grid.set_show_names)

    def sync() -> None:
        square.setChecked(grid.square())
        names.setChecked(grid.show_names())

    grid.view_options_changed.connect(sync)
    sync()
    return square, names


def follow_sort(grid: ResultsGrid, sort: QComboBox) -> None:
    """Date headers while the sort box says "date" (now and whenever it changes)."""
    grid.set_grouped_by_date(sort.currentData() == "date")
    sort.currentIndexChanged.connect(
        lambda _i: grid.set_grouped_by_date(sort.currentData() == "date"))
