"""Text in photos in the app: matched words and boxes in the preview, "Copy text", the
"Has text" chip. The text rows are stored directly (the OCR engine itself is tested in
tests/text on real photos); what is tested here is what the user does and sees."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from photosearch.core.text.store import TextLine, TextStore
from photosearch.ui.text_boxes import image_rect
from tests.ui.conftest import PHOTOS, index_now, names, settle

LEFT_HALF = ((0.0, 0.0), (48.0, 0.0), (48.0, 64.0), (0.0, 64.0))  # photos are 96 x 64
RIGHT_HALF = ((48.0, 0.0), (96.0, 0.0), (96.0, 64.0), (48.0, 64.0))


def _add_text(library, path, lines) -> str:
    h = library.catalog.hash_of(str(path))
    TextStore(library.catalog).save(h, "test-engine", lines)
    return h


def test_text_match_shows_words_boxes_and_copy(qtbot, window, photos, library):
    index_now(qtbot, window, [photos[0].parent])
    red = next(p for p in photos if p.name == "red.jpg")
    _add_text(library, red, [TextLine("BOOKING CODE 42", 0.97, LEFT_HALF),
                             TextLine("hotel", 0.9, RIGHT_HALF)])
    window.search.set_query("booking")
    settle(qtbot, window)
    row = names(window).index("red.jpg")
    result = window.results.result_at(row)
    assert result.text_match == ["BOOKING CODE 42"]
    window.grid.setCurrentIndex(window.results.index(row))
    pane = window.preview
    qtbot.waitUntil(lambda: pane.text.copy_button.isEnabled())
    qtbot.waitUntil(lambda: pane._pixmap is not None)
    assert pane.text.matched.isVisible()
    assert "BOOKING CODE 42" in pane.text.matched.text()
    assert "hotel" not in pane.text.matched.text()
    # the matched line's box is filled over the photo; the other line is only outlined
    label = pane.image
    pix = label.pixmap()
    dpr = pix.devicePixelRatio() or 1.0
    target = image_rect((label.width(), label.height()),
                        (round(pix.width() / dpr), round(pix.height() / dpr)),
                        label.alignment())
    shot = label.grab().toImage()
    y = int(target.y() + target.height() / 2)
    left = shot.pixelColor(int(target.x() + target.width() / 4), y)
    right = shot.pixelColor(int(target.x() + target.width() * 3 / 4), y)
    assert left.green() > right.green() + 30  # yellow fill over red
    assert abs(right.green() - 30) < 20  # plain red photo there
    pane.text.copy_button.click()
    assert QGuiApplication.clipboard().text() == "BOOKING CODE 42\nhotel"
    # another photo without text: no words, nothing to copy, no boxes
    window.grid.setCurrentIndex(window.results.index(names(window).index("blue.jpg")))
    assert not pane.text.matched.isVisible()
    assert not pane.text.copy_button.isEnabled()
    assert pane.text.overlay.lines == []


def test_copy_text_without_a_text_query(qtbot, window, photos, library):
    index_now(qtbot, window, [photos[0].parent])
    green = next(p for p in photos if p.name == "green.png")
    _add_text(library, green, [TextLine("OPEN DAILY", 0.95, LEFT_HALF)])
    window.grid.setCurrentIndex(window.results.index(names(window).index("green.png")))
    pane = window.preview
    qtbot.waitUntil(lambda: pane.text.copy_button.isEnabled())
    assert not pane.text.matched.isVisible()  # browsing: nothing matched, but text to copy
    assert [ln.matched for ln in pane.text.overlay.lines] == [False]
    pane.text.copy_button.click()
    assert QGuiApplication.clipboard().text() == "OPEN DAILY"


def test_has_text_chip_narrows_browse_and_search(qtbot, window, photos, library):
    index_now(qtbot, window, [photos[0].parent])
    by_name = {p.name: p for p in photos}
    _add_text(library, by_name["red.jpg"], [TextLine("EXIT", 0.9, LEFT_HALF)])
    _add_text(library, by_name["grey.png"], [TextLine("PARKING", 0.9, RIGHT_HALF)])
    _add_text(library, by_name["blue.jpg"], [])  # read, but no text found
    bar = window.filters
    bar.has_text.setChecked(True)
    settle(qtbot, window)
    assert sorted(names(window)) == ["grey.png", "red.jpg"]
    assert [label for label, _ in bar.active_chips()] == ["has text"]
    window.search.set_query("photo")  # a search is narrowed too
    settle(qtbot, window)
    assert sorted(names(window)) == ["grey.png", "red.jpg"]
    bar.active_chips()[0][1]()  # remove the chip
    settle(qtbot, window)
    assert not bar.has_text.isChecked()
    assert len(names(window)) == len(PHOTOS)
    bar.has_text.setChecked(True)
    bar.clear()
    settle(qtbot, window)
    assert not bar.has_text.isChecked() and bar.active_chips() == []
