"""The text-box overlay draws matched lines where they are in the shown image."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QLabel

from photosearch.ui.text_boxes import BoxLine, TextBoxOverlay, copy_text, image_rect, map_box


def test_box_mapping_scales_and_centres():
    target = image_rect((400, 300), (200, 100))  # a 2000x1000 photo shown at 200x100
    assert (target.x(), target.y()) == (100, 100)
    poly = map_box(((1000, 500), (2000, 500), (2000, 1000), (1000, 1000)), (2000, 1000), target)
    assert (poly[0].x(), poly[0].y()) == (200, 150)
    assert (poly[2].x(), poly[2].y()) == (300, 200)
    left = image_rect((400, 300), (200, 100), Qt.AlignmentFlag.AlignLeft)  # QLabel's default
    assert (left.x(), left.y()) == (0, 100)


def test_overlay_highlights_matched_lines_only(qtbot):
    label = QLabel()
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)  # as the preview and viewer do
    label.resize(400, 300)
    img = QImage(200, 100, QImage.Format.Format_RGB32)
    img.fill(QColor(0, 0, 0))
    label.setPixmap(QPixmap.fromImage(img))
    qtbot.addWidget(label)
    overlay = TextBoxOverlay(label)
    lines = [BoxLine("BOOKING CODE", ((0, 0), (1000, 0), (1000, 500), (0, 500)), True),
             BoxLine("other", ((1000, 500), (2000, 500), (2000, 1000), (1000, 1000)), False)]
    overlay.set_text(lines, (2000, 1000))
    label.show()
    qtbot.waitExposed(label)
    shot = label.grab().toImage()
    inside_match = shot.pixelColor(150, 125)  # centre of the matched box (scaled, centred)
    inside_other = shot.pixelColor(250, 175)
    assert inside_match.red() > 50 and inside_match.green() > 30  # yellow fill over black
    assert inside_other.red() < 10 and inside_other.green() < 10  # outline only
    assert copy_text(lines) == "BOOKING CODE\nother"
    label.resize(800, 600)  # the overlay follows its label
    qtbot.waitUntil(lambda: overlay.size() == label.size())
