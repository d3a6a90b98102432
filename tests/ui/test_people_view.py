"""The People screen (pytest-qt, offscreen) on a library whose faces were found by the REAL
dlib models in REAL photos: name a person, merge two, take a face out, and the search it
asks for shows their photos."""

from __future__ import annotations

from PySide6.QtCore import Qt

from photosearch.core.indexer import Indexer
from photosearch.core.library import Library
from photosearch.core.paths import resolve_library
from photosearch.core.people import faces_pass
from photosearch.core.people.models import installed
from photosearch.core.people.thumbs import crop_box
from photosearch.core.search import Searcher
from photosearch.ui.people_view import PeopleView
from tests.conftest import TEST_MODEL
from tests.unit.people_helpers import copy_subset, model_dir  # noqa: F401

SUBSET = {
    "Elton John": ["Elton_John/1.jpg", "Elton_John/2.jpg", "Elton_John/5.jpg"],
    "Mindy Kaling": ["Mindy_Kaling/1.jpg", "Mindy_Kaling/2.jpg", "Mindy_Kaling/3.jpg"],
}


def test_crop_box_is_a_square_inside_the_image():
    assert crop_box((10, 10, 30, 30), (100, 100)) == (5, 5, 35, 35)
    x0, y0, x1, y1 = crop_box((0, 80, 20, 100), (100, 100))  # at a corner: shifted inside
    assert (x0, y0) == (0, 70) and x1 - x0 == y1 - y0 == 30
    assert crop_box((0, 0, 90, 90), (100, 60)) == (15, 0, 75, 60)  # never larger than image


def _item(view: PeopleView, person_id: int):
    for i in range(view.list.count()):
        if view.list.item(i).data(Qt.ItemDataRole.UserRole) == person_id:
            return view.list.item(i)
    return None


def test_name_merge_and_search_from_the_people_screen(qtbot, tmp_path, model_dir):  # noqa: F811
    photos = copy_subset(tmp_path / "photos", SUBSET)
    lib = Library.open(resolve_library(tmp_path / "library"), **TEST_MODEL)
    Indexer(lib).run([str(tmp_path / "photos")])
    faces_pass.run(lib, workers=0, files=installed(model_dir))
    view = PeopleView(lib)
    qtbot.addWidget(view)
    view.refresh()
    assert view.list.count() == 2
    assert all(not view.list.item(i).icon().isNull() for i in range(2))  # face thumbnails
    elton_path = str(photos["Elton John"][0])
    elton = next(p.id for p in view.people.values()
                 if elton_path in {f["path"] for f in p.faces})
    mindy = next(i for i in view.people if i != elton)

    view.select(elton)
    assert view.faces.count() == 3
    view.name_edit.setText("Anna")
    qtbot.mouseClick(view.name_btn, Qt.MouseButton.LeftButton)
    assert _item(view, elton).text().startswith("Anna")

    _item(view, elton).setSelected(True)
    _item(view, mindy).setSelected(True)
    qtbot.mouseClick(view.merge_btn, Qt.MouseButton.LeftButton)
    assert view.list.count() == 1 and view.people[elton].count == 6

    view.faces.item(0).setSelected(True)
    taken = view.faces.item(0).data(Qt.ItemDataRole.UserRole)
    qtbot.mouseClick(view.not_btn, Qt.MouseButton.LeftButton)
    assert view.people[elton].count == 5

    with qtbot.waitSignal(view.search_requested) as asked:
        qtbot.mouseClick(view.show_btn, Qt.MouseButton.LeftButton)
    assert asked.args == ['person:"Anna"']
    found = {r.path for r in Searcher(lib).search(asked.args[0], limit=50).results}
    everyone = {str(p) for ps in photos.values() for p in ps}
    assert found == everyone - {taken}


def test_people_screen_in_the_window_names_and_shows_their_photos(qtbot, tmp_path, model_dir,  # noqa: F811
                                                                  make_window):
    """From the sidebar: People -> name a person -> Show photos: the Photos screen searches
    `person:NAME` in the search field and the grid holds exactly their photos."""
    from .conftest import settle

    photos = copy_subset(tmp_path / "photos", SUBSET)
    lib = Library.open(resolve_library(tmp_path / "library"), **TEST_MODEL)
    Indexer(lib).run([str(tmp_path / "photos")])
    faces_pass.run(lib, workers=0, files=installed(model_dir))
    win = make_window(lib)
    win.sidebar.select_screen("people")
    view = win.screen_pages["people"]
    assert win.screens.currentWidget() is view
    qtbot.waitUntil(lambda: view.list.count() == 2, timeout=30_000)
    elton_path = str(photos["Elton John"][0])
    elton = next(p.id for p in view.people.values()
                 if elton_path in {f["path"] for f in p.faces})
    view.select(elton)
    view.name_edit.setText("Elton")
    qtbot.mouseClick(view.name_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _item(view, elton).text().startswith("Elton"), timeout=30_000)
    qtbot.mouseClick(view.show_btn, Qt.MouseButton.LeftButton)
    assert win.screens.currentWidget() is not view
    assert win.search_flow.widgets.search.text() == 'person:"Elton"'
    settle(qtbot, win)
    shown = {r.path for r in win.results.results()}
    assert shown == {str(p) for p in photos["Elton John"]}
