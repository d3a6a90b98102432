"""The People filter chip: choosing a person in the filter bar limits the grid to photos
showing them (as `person:NAME` does) and combines with words in the search field. Faces
found by the REAL dlib models in REAL photos (../shared/data/faces)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QToolButton

from photosearch.core.indexer import Indexer
from photosearch.core.library import Library
from photosearch.core.paths import resolve_library
from photosearch.core.people import faces_pass, ops
from photosearch.core.people.models import installed
from tests.conftest import TEST_MODEL
from tests.ui.conftest import settle
from tests.unit.people_helpers import copy_subset, model_dir  # noqa: F401

pytest.importorskip("dlib", reason="the people extra is part of the dev install")

SUBSET = {
    "Elton John": ["Elton_John/1.jpg", "Elton_John/2.jpg", "Elton_John/5.jpg"],
    "Mindy Kaling": ["Mindy_Kaling/1.jpg", "Mindy_Kaling/2.jpg", "Mindy_Kaling/3.jpg"],
}


def _shown(win) -> set[str]:
    return {r.path for r in win.results.results()}


def test_person_chip_limits_the_grid_and_combines_with_words(qtbot, tmp_path, model_dir,  # noqa: F811
                                                             make_window):
    photos = copy_subset(tmp_path / "photos", SUBSET)
    lib = Library.open(resolve_library(tmp_path / "library"), **TEST_MODEL)
    Indexer(lib).run([str(tmp_path / "photos")])
    faces_pass.run(lib, workers=0, files=installed(model_dir))
    people = ops.people(lib)
    assert len(people) == 2
    by_photo = {f["path"]: p.id for p in people for f in p.faces}
    ops.name(lib, by_photo[str(photos["Elton John"][0])], "Anna")
    ops.name(lib, by_photo[str(photos["Mindy Kaling"][0])], "Bea Smith")
    win = make_window(lib)
    settle(qtbot, win)
    combo = win.filters.person
    assert combo.currentText() == "Anyone"
    qtbot.waitUntil(lambda: combo.count() == 3, timeout=30_000)  # names read at start
    assert combo.isVisible()
    assert [combo.itemText(i) for i in range(combo.count())] == ["Anyone", "Anna", "Bea Smith"]

    combo.setCurrentIndex(combo.findText("Bea Smith"))  # as a user's choice
    settle(qtbot, win)
    assert _shown(win) == {str(p) for p in photos["Mindy Kaling"]}
    assert win.search_flow.request.filters.people == ["Bea Smith"]
    chips = [w.text() for w in win.filters.findChildren(QToolButton) if w.objectName() == "chip"]
    assert "person: Bea Smith  ✕" in chips

    # with words in the search field (CLIP text search): only that person's photos remain
    win.search.set_query("a person on a beach")
    settle(qtbot, win)
    assert win.search_flow.request.text == "a person on a beach"
    assert _shown(win) == {str(p) for p in photos["Mindy Kaling"]}
    combo.setCurrentIndex(combo.findText("Anna"))
    settle(qtbot, win)
    assert _shown(win) == {str(p) for p in photos["Elton John"]}
    win.search.set_query("a person on a beach -person:Anna")  # typed filters combine too
    settle(qtbot, win)
    assert _shown(win) == set()

    # the chip's ✕ clears the person: everyone matching the words again
    chip = next(w for w in win.filters.findChildren(QToolButton)
                if w.objectName() == "chip" and w.text().startswith("person: Anna"))
    chip.click()
    settle(qtbot, win)
    assert combo.currentText() == "Anyone"
    assert _shown(win) == {str(p) for p in photos["Mindy Kaling"]}  # not Anna, typed


def test_names_follow_the_library_and_a_chosen_name_stays(qtbot):
    from photosearch.ui.person_chip import PersonCombo

    combo = PersonCombo()
    qtbot.addWidget(combo)
    combo.set_names([])
    assert combo.isHidden()  # no one named: no chip
    combo.set_names(["Anna", "Bob"])
    assert not combo.isHidden()
    combo.setCurrentIndex(combo.findText("Bob"))
    combo.set_names(["Anna"])  # Bob renamed meanwhile: still shown, still chosen
    assert combo.person() == "Bob"
    assert [combo.itemText(i) for i in range(combo.count())] == ["Anyone", "Anna", "Bob"]
    combo.choose(None)
    combo.set_names(["Anna"])
    assert combo.count() == 2 and combo.person() is None
