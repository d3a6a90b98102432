"""Issue 11: a damaged catalog in the app offers "Restore from backup" (the core restore the
command line uses) at start-up and from the Library menu; the photos come back."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_MODEL
from tests.ui.conftest import index_now, make_photos, names


@pytest.fixture
def damaged(tmp_path, make_window, qtbot):
    """A library with 6 indexed photos and a backup of that state, whose catalog is then
    truncated to half (a failed copy, a full disk)."""
    from photosearch.core import catalog_safety as safety
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    paths = resolve_library(tmp_path / "library")
    lib = Library.open(paths, **TEST_MODEL)
    win = make_window(lib)
    index_now(qtbot, win, [make_photos(tmp_path / "photos")[0].parent], timeout=180_000)
    assert len(names(win)) == 6
    win.shutdown()
    safety.make_backup(lib.catalog.conn, paths.catalog, "daily")
    lib.close()
    size = paths.catalog.stat().st_size
    with open(paths.catalog, "r+b") as fh:
        fh.truncate(size // 2)
    safety._checked.clear()  # as a new process: the damaged file is checked at open
    return paths


def test_damaged_catalog_at_start_is_restored_from_the_app(damaged, make_window, qtbot):
    from photosearch.core.catalog_safety import CatalogDamaged
    from photosearch.core.library import Library
    from photosearch.ui import catalog_restore

    asked = []

    def open_library():
        return Library.open(damaged, **TEST_MODEL)

    with pytest.raises(CatalogDamaged):  # declined: nothing is touched
        catalog_restore.open_with_restore(open_library, damaged,
                                          lambda text, can: asked.append((text, can)) and False)
    [(text, can)] = asked
    assert can and "Restore from backup" in text and "photos are untouched" in text
    assert "photosearch " not in text and "--" not in text  # app words, no command line
    assert not list(damaged.root.glob("catalog.db.damaged-*"))

    lib, note = catalog_restore.open_with_restore(open_library, damaged, lambda t, c: True)
    try:
        assert note.startswith("Catalog restored from the backup of")
        assert len(list(damaged.root.glob("catalog.db.damaged-*"))) == 1  # kept aside
        win = make_window(lib)
        qtbot.waitUntil(lambda: len(names(win)) == 6, timeout=30_000)
        assert sorted(names(win)) == sorted(["red.jpg", "green.png", "blue.jpg", "yellow.png",
                                             "purple.jpg", "grey.png"])
        win.shutdown()
    finally:
        lib.close()


def test_restore_from_the_library_menu_closes_and_restores(tmp_path, make_window, qtbot):
    from photosearch.core import catalog_safety as safety
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.ui import catalog_restore

    paths = resolve_library(tmp_path / "library")
    lib = Library.open(paths, **TEST_MODEL)
    try:
        win = make_window(lib)
        index_now(qtbot, win, [make_photos(tmp_path / "photos")[0].parent], timeout=180_000)
        safety.make_backup(lib.catalog.conn, paths.catalog, "daily")
        asked = []
        win.ask_restore = lambda text, can: asked.append((text, can)) or True
        menu_texts = [a.text() for m in win.menuBar().actions() for a in m.menu().actions()]
        assert "Restore catalog from backup…" in menu_texts
        win.menus.act_restore.trigger()
        assert asked and asked[0][1] and "newest good backup" in asked[0][0]
        assert win.restart_request == "restore" and not win.isVisible()
    finally:
        lib.close()
    note = catalog_restore.restore_now(paths)  # what run_app does after the window closed
    assert "restored" in note and list(paths.root.glob("catalog.db.damaged-*"))
    lib = Library.open(paths, **TEST_MODEL)
    try:
        win = make_window(lib)
        qtbot.waitUntil(lambda: len(names(win)) == 6, timeout=30_000)
        win.shutdown()
    finally:
        lib.close()
