"""RAW+JPEG pairs in the app (issue 14): one grid cell per shot with a badge, both files in
the preview, a manual tag on the cell tags both files, Delete moves both files to the trash
and one undo brings both back."""

from __future__ import annotations

from PySide6.QtCore import Qt

from photosearch.core.tagging_store import LabelStore
from tests.raw_pairs import make_pairs
from tests.ui.conftest import index_now, names, settle


def _select(qtbot, window, name: str):
    row = names(window).index(name)
    window.grid.setCurrentIndex(window.results.index(row))
    window.grid.setFocus()
    return window.results.result_at(row)


def test_a_pair_is_one_cell_with_both_files_in_the_preview(qtbot, window, tmp_path):
    f = make_pairs(tmp_path / "photos")
    index_now(qtbot, window, [tmp_path / "photos"])
    assert sorted(names(window)) == ["IMG_0001.JPG", "IMG_0002.JPG", "lone.jpg"]
    assert window.results.rowCount() == 3
    r = _select(qtbot, window, "IMG_0002.JPG")
    assert r.pair == "RAW+JPEG" and r.files == [str(f["dng2"]), str(f["jpg2"])]
    files = window.preview.fields["Files"]
    assert files.text() == "RAW+JPEG: img_0002.dng + IMG_0002.JPG"  # both in Folder
    assert window.preview.fields["Folder"].text() == str(f["jpg2"].parent)
    tip = window.results.data(window.results.index(names(window).index("IMG_0002.JPG")),
                              Qt.ItemDataRole.ToolTipRole)
    assert str(f["dng2"]) in tip
    _select(qtbot, window, "lone.jpg")
    assert window.preview.fields["Files"].text() == "this file"
    assert not window.grid.grab().isNull()  # the badge paints


def test_tag_and_delete_a_pair_act_on_both_files(qtbot, window, tmp_path, library,
                                                  xdg_trash):
    f = make_pairs(tmp_path / "photos")
    index_now(qtbot, window, [tmp_path / "photos"])
    _select(qtbot, window, "IMG_0001.JPG")
    with qtbot.waitSignal(window.photo_actions.tagged, timeout=30_000):
        window.photo_actions.tag_selected_as("keepers")
    store = LabelStore(library.catalog)
    for p in (f["dng1"], f["jpg1"]):
        assert store.tag_names_of(library.catalog.hash_of(str(p))) == ["keepers"]
    window.search.set_query("tag:keepers")
    settle(qtbot, window)
    assert names(window) == ["IMG_0001.JPG"]  # found once
    _select(qtbot, window, "IMG_0001.JPG")
    qtbot.waitUntil(lambda: window.preview.fields["Tags"].text() == "keepers")

    window.search.set_query("")
    settle(qtbot, window)
    _select(qtbot, window, "IMG_0001.JPG")
    asked: list[str] = []
    window.confirm = lambda text: asked.append(text) or True
    with qtbot.waitSignal(window.photo_actions.deleted, timeout=30_000) as blocker:
        qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    assert str(f["dng1"]) in asked[0] and str(f["jpg1"]) in asked[0]
    assert sorted(r.path for r in blocker.args[0].trashed) == \
        sorted([str(f["dng1"]), str(f["jpg1"])])
    assert not f["dng1"].exists() and not f["jpg1"].exists()
    assert sorted(p.name for p in (xdg_trash / "files").iterdir()) == \
        ["IMG_0001.JPG", "IMG_0001.dng"]
    qtbot.waitUntil(lambda: "IMG_0001.JPG" not in names(window), timeout=5000)
    assert len(names(window)) == 2

    with qtbot.waitSignal(window.photo_actions.restored, timeout=30_000) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(blocker.args[0].restored) == 2  # one undo entry, both files
    assert f["dng1"].exists() and f["jpg1"].exists()
    qtbot.waitUntil(lambda: "IMG_0001.JPG" in names(window), timeout=10_000)
    settle(qtbot, window)
    assert sorted(names(window)) == ["IMG_0001.JPG", "IMG_0002.JPG", "lone.jpg"]
    r = window.results.result_at(names(window).index("IMG_0001.JPG"))
    assert r.files == [str(f["dng1"]), str(f["jpg1"])]  # a pair again
