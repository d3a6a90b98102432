"""Boxes on demand: face boxes with names in the preview ("Faces" toggle; faces found by
the REAL dlib models in a REAL photo from ../shared/data/faces), and the text read in a
photo boxed in the full-size viewer (issue 15; T hides them). Both are pixel-checked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt

from photosearch.core.indexer import Indexer
from photosearch.core.library import Library
from photosearch.core.paths import resolve_library
from photosearch.core.people import faces_pass, ops
from photosearch.core.people.models import installed
from photosearch.core.text.store import TextLine, TextStore
from photosearch.ui import style
from photosearch.ui.face_boxes import map_rect
from tests.conftest import TEST_MODEL
from tests.ui.conftest import index_now, names, settle
from tests.unit.people_helpers import copy_subset, model_dir  # noqa: F401

SUBSET = {"Elton John": ["Elton_John/1.jpg", "Elton_John/2.jpg"]}
LEFT_HALF = ((0.0, 0.0), (48.0, 0.0), (48.0, 64.0), (0.0, 64.0))  # photos are 96 x 64
RIGHT_HALF = ((48.0, 0.0), (96.0, 0.0), (96.0, 64.0), (48.0, 64.0))


def test_map_rect_scales_into_the_shown_image():
    r = map_rect((100, 50, 300, 250), (1000, 500), QRectF(10, 20, 200, 100))
    assert (r.x(), r.y(), r.width(), r.height()) == (30, 30, 40, 40)


def _close(c, rgb, tol=40) -> bool:
    return all(abs(a - b) <= tol for a, b in zip((c.red(), c.green(), c.blue()), rgb,
                                                 strict=True))


def test_faces_toggle_draws_named_boxes_in_the_preview(qtbot, tmp_path, model_dir,  # noqa: F811
                                                       make_window):
    pytest.importorskip("dlib", reason="the people extra is part of the dev install")
    copy_subset(tmp_path / "photos", SUBSET)
    lib = Library.open(resolve_library(tmp_path / "library"), **TEST_MODEL)
    Indexer(lib).run([str(tmp_path / "photos")])
    faces_pass.run(lib, workers=0, files=installed(model_dir))
    (person,) = ops.people(lib)
    ops.name(lib, person.id, "Anna")
    win = make_window(lib)
    win.search.set_query('person:"Anna"')
    settle(qtbot, win)
    row = names(win).index("Elton_John-1.jpg")
    win.grid.setCurrentIndex(win.results.index(row))
    pane = win.preview
    qtbot.waitUntil(lambda: pane._pixmap is not None)
    assert not pane.faces.toggle.isChecked()  # on demand: off until asked
    assert pane.faces.overlay.faces == []
    label = pane.image
    before = label.grab().toImage()
    pane.faces.toggle.click()
    qtbot.waitUntil(lambda: len(pane.faces.overlay.faces) == 1)
    face = pane.faces.overlay.faces[0]
    assert face.name == "Anna"
    (rect,) = pane.faces.overlay.face_rects()
    r = win.results.result_at(row)
    assert rect.width() > 10 and label.rect().contains(rect.toRect())
    assert face.box[2] <= r.width and face.box[3] <= r.height
    shot = label.grab().toImage()
    y = int(rect.center().y())
    edge = shot.pixelColor(int(rect.left()), y)  # the box's left edge: the face pen
    assert _close(edge, _face_pen())
    assert not _close(before.pixelColor(int(rect.left()), y),
                      _face_pen())
    inside = (int(rect.center().x()), y)  # the face itself is not painted over
    assert shot.pixelColor(*inside) == before.pixelColor(*inside)
    pane.faces.toggle.click()  # off again: no boxes
    assert pane.faces.overlay.faces == []


def test_viewer_boxes_the_text_read_in_the_photo(qtbot, window, photos, library):
    index_now(qtbot, window, [photos[0].parent])
    red = next(p for p in photos if p.name == "red.jpg")
    h = library.catalog.hash_of(str(red))
    TextStore(library.catalog).save(h, "test-engine", [TextLine("BOOKING CODE 42", 0.97,
                                                                LEFT_HALF),
                                                       TextLine("hotel", 0.9, RIGHT_HALF)])
    window.search.set_query("booking")
    settle(qtbot, window)
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.results.index(names(window).index("red.jpg")))
    window.menus.act_view.trigger()
    viewer = window.photo_actions.viewer
    viewer.resize(800, 600)
    boxes = window.photo_actions.viewer_boxes
    qtbot.waitUntil(lambda: viewer._pixmap is not None and len(boxes.items) == 2)
    viewer.view.fit()

    def color_at(item):
        centre = item.mapToScene(item.polygon().boundingRect().center())
        point = viewer.view.mapFromScene(centre)
        return viewer.view.viewport().grab().toImage().pixelColor(point)

    matched, other = boxes.items
    shown_matched, shown_other = color_at(matched), color_at(other)
    qtbot.keyClick(viewer, Qt.Key.Key_T)  # hide the boxes: the plain photo
    assert not matched.isVisible() and not other.isVisible()
    plain_matched, plain_other = color_at(matched), color_at(other)
    assert plain_matched.red() > 3 * plain_matched.green()  # the red photo
    assert shown_matched.green() > plain_matched.green() + 30  # yellow fill over red
    assert shown_other == plain_other  # the other line is only outlined
    qtbot.keyClick(viewer, Qt.Key.Key_T)
    assert matched.isVisible()
    viewer.close()


def _face_pen() -> tuple[int, int, int]:
    pen = style.color("face_pen")
    return pen.red(), pen.green(), pen.blue()
