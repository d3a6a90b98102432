"""Folders in the sidebar, settings persistence, window state, first run, read-only mode."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtWidgets import QApplication

from photosearch.core.config import Settings
from photosearch.ui.sidebar_counts import COUNT_ROLE
from tests.ui.conftest import PHOTOS, index_now, make_photos, names, settle


def test_add_and_remove_folders(qtbot, window, photos, tmp_path):
    other = make_photos(tmp_path / "trip", [("beach.jpg", (30, 150, 220), 3)])
    index_now(qtbot, window, [photos[0].parent, other[0].parent])
    qtbot.waitUntil(lambda: len(window.sidebar.folder_paths()) == 2)
    tree = window.sidebar.folders
    labels = [(tree.item(i).text(0), tree.item(i).data(0, COUNT_ROLE)) for i in range(2)]
    assert labels == [("photos", "6"), ("trip", "1")]  # the count is drawn right-aligned
    assert len(names(window)) == len(PHOTOS) + 1
    window.sidebar.folders.setCurrentRow(1)
    assert window.sidebar.remove_btn.isEnabled()
    window.sidebar.remove_btn.click()
    qtbot.waitUntil(lambda: window.sidebar.folder_paths() == [str(photos[0].parent)])
    settle(qtbot, window)
    assert "beach.jpg" not in names(window) and len(names(window)) == len(PHOTOS)
    assert other[0].exists()  # nothing on disk is touched
    window.search.set_query("anything")
    settle(qtbot, window)
    assert "beach.jpg" not in names(window)  # and it left the vector index too
    assert window.filters.folder.count() == 2  # "All folders" + the one left


def test_remove_is_not_done_without_confirmation(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.confirm = lambda _text: False
    window.folders.remove_folder(str(photos[0].parent))
    qtbot.wait(200)
    assert window.sidebar.folder_paths() == [str(photos[0].parent)]


def test_offline_folder_keeps_its_photos_and_says_so(qtbot, window, photos, tmp_path):
    index_now(qtbot, window, [photos[0].parent])
    moved = tmp_path / "unplugged"
    shutil.move(str(photos[0].parent), moved)  # the drive goes away
    report = index_now(qtbot, window)
    assert report.offline_roots == [str(photos[0].parent)]
    qtbot.waitUntil(lambda: window.sidebar.folders.item(0).data(0, COUNT_ROLE) == "offline")
    assert "offline" in window.sidebar.folders.item(0).toolTip(0)
    assert len(names(window)) == len(PHOTOS)


def test_settings_dialog_saves_and_applies(qtbot, window, library):
    window.dialogs.open_settings()
    qtbot.waitUntil(lambda: window.dialogs.settings_dialog is not None)
    dialog = window.dialogs.settings_dialog
    dialog.theme.setCurrentText("dark")
    dialog.strong.setValue(0.31)
    dialog.exclude.setPlainText("*.tmp\nPrivate")
    dialog.device.setCurrentText("cpu")
    dialog.accept()
    qtbot.waitUntil(lambda: library.paths.settings.exists())
    saved = json.loads(library.paths.settings.read_text())
    assert saved["theme"] == "dark" and saved["strong_match"] == 0.31
    assert saved["exclude"] == ["*.tmp", "Private"] and saved["device"] == "cpu"
    assert Settings.load(library.paths.settings).exclude == ["*.tmp", "Private"]
    assert library.settings.strong_match == 0.31  # applies live
    from photosearch.ui import style

    assert QApplication.instance().palette().window().color().name() == style.DARK.window
    assert "restarts" in window.statusBar().currentMessage()  # device change needs one
    # the per-run model override (test-tiny) is not written into the saved settings
    assert saved["model"] == Settings().model
    from photosearch.ui import theme

    theme.apply(QApplication.instance(), "system")


def test_settings_dialog_model_notes():
    from photosearch.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    dialog.model.setCurrentText("ViT-L-14")
    assert dialog.pretrained.text() == "laion2b_s32b_b82k"
    assert "1,700 MB" in dialog.note.text()
    dialog.pretrained.setText("none")
    assert "meaningless" in dialog.note.text()
    assert SettingsDialog.needs_restart(Settings(), dialog.result_settings())


def test_window_state_is_restored(qtbot, make_window, library, state, monkeypatch):
    from photosearch.ui.main_window import MainWindow

    win = make_window(library)
    win.outer_splitter.setSizes([300, win.outer_splitter.width() - 300])
    win.sort.setCurrentIndex(win.sort.findData("date"))
    saved_geometry = bytes(win.saveGeometry())
    win.shutdown()
    win.close()
    assert bytes(state.value("window/geometry")) == saved_geometry
    restored = []
    monkeypatch.setattr(MainWindow, "restoreGeometry",
                        lambda self, g: restored.append(bytes(g)) or True)
    again = make_window(library)
    assert again.sort.currentData() == "date" and again.search_flow.request.sort == "date"
    # (the offscreen test screen is 800x600, so the size itself cannot round-trip here)
    assert restored == [saved_geometry]


def test_first_run_suggests_pictures_and_starts_indexing(qtbot, make_window, library,
                                                         tmp_path, monkeypatch):
    pictures = tmp_path / "Pictures"
    make_photos(pictures, [("cat.jpg", (200, 120, 60), 1), ("dog.png", (90, 70, 40), 2)])
    monkeypatch.setattr("platformdirs.user_pictures_dir", lambda: str(pictures))
    win = make_window(library, first_run=True)
    qtbot.waitUntil(lambda: win.dialogs.first_run_dialog is not None
                    and win.dialogs.first_run_dialog.isVisible())
    dialog = win.dialogs.first_run_dialog
    assert dialog.chosen_folders() == [str(pictures)]
    assert "random weights" in dialog.model_label.text()  # the test model says so
    assert dialog.start.isEnabled()
    with qtbot.waitSignal(win.indexing.finished, timeout=60_000) as blocker:
        dialog.accept()
    assert blocker.args[0].embedded == 2
    settle(qtbot, win)
    assert sorted(names(win)) == ["cat.jpg", "dog.png"]


def test_first_run_without_weights_still_browses(qtbot, make_window, tmp_path, monkeypatch):
    """Weights that cannot be had: photos are cataloged, browsing works, search explains."""
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    lib = Library.open(resolve_library(tmp_path / "lib2"), model="test-tiny",
                       pretrained="no-such-weights")
    pictures = tmp_path / "Pictures"
    make_photos(pictures, PHOTOS[:3])
    monkeypatch.setattr("platformdirs.user_pictures_dir", lambda: str(pictures))
    try:
        win = make_window(lib, first_run=True, load_model=True)
        qtbot.waitUntil(lambda: win.model.status == "failed", timeout=30_000)
        assert win.banner.isVisible() and "could not be loaded" in win.banner.text()
        qtbot.waitUntil(lambda: win.dialogs.first_run_dialog is not None)
        dialog = win.dialogs.first_run_dialog
        assert "add a weights file later" in dialog.model_label.text()
        with qtbot.waitSignal(win.indexing.finished, timeout=60_000) as blocker:
            dialog.accept()
        assert blocker.args[0].cataloged == 3 and blocker.args[0].embedded == 0
        settle(qtbot, win)
        assert len(names(win)) == 3  # browsing works without embeddings
        win.search.set_query("a dog")
        settle(qtbot, win)
        # without the model, words match file and folder names, and the grid says so
        assert "the search model is unavailable" in win.count_label.text()
        assert "needs the model" in win.empty_label.text()
        win.shutdown()
    finally:
        lib.close()


def test_weights_file_chosen_at_first_run_is_saved(qtbot, make_window, library, tmp_path):
    import json
    import struct

    weights = tmp_path / "open_clip_model.safetensors"  # a well-formed (tiny) safetensors file
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    weights.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 8)
    win = make_window(library, first_run=True)
    qtbot.waitUntil(lambda: win.dialogs.first_run_dialog is not None)
    dialog = win.dialogs.first_run_dialog
    dialog.set_weights(str(weights))
    assert "local file" in dialog.model_label.text()
    dialog.folders.clear()
    assert not dialog.start.isEnabled()  # nothing to index yet
    dialog.add_folder(str(tmp_path))
    win.indexing.start = lambda *a, **k: False  # this test is about the saved settings
    dialog.accept()
    qtbot.waitUntil(lambda: library.paths.settings.exists())
    assert Settings.load(library.paths.settings).pretrained == str(weights)


def test_read_only_window_does_not_index(qtbot, make_window, library, photos):
    win = make_window(library, read_only=True)
    qtbot.waitUntil(lambda: win.banner.isVisible())
    assert "only browses and searches" in win.banner.text()
    assert not win.folders.start_indexing() and not win.indexing.running
    assert not win.menus.act_add.isEnabled()


@pytest.mark.parametrize("first_run", [True])
def test_no_first_run_when_folders_exist(qtbot, make_window, library, photos, first_run):
    library.catalog.add_folder(str(photos[0].parent))
    win = make_window(library, first_run=first_run)
    qtbot.waitUntil(lambda: win.sidebar.folder_paths() == [str(photos[0].parent)])
    qtbot.wait(100)
    assert win.dialogs.first_run_dialog is None


def test_app_catches_up_at_start_and_then_follows_the_folders(qtbot, make_window, library,
                                                              photos, tmp_path):
    from tests.conftest import make_image

    library.catalog.add_folder(str(photos[0].parent))  # indexed "last session": not yet
    win = make_window(library, watch=True)
    with qtbot.waitSignal(win.indexing.finished, timeout=60_000) as blocker:
        pass  # the start-up catch-up run
    assert blocker.args[0].embedded == len(PHOTOS)
    qtbot.waitUntil(lambda: win.live.running, timeout=20_000)
    with qtbot.waitSignal(win.live.event, timeout=30_000,
                          check_params_cb=lambda e: e.kind in ("changed", "reconciled")
                          and e.added == 1):  # a live event, or the watcher's start-up pass
        make_image(photos[0].parent / "new_one.png", color=(10, 220, 220))
    qtbot.waitUntil(lambda: "new_one.png" in names(win), timeout=20_000)
    assert "Folders changed: 1 new" in win.statusBar().currentMessage()
    # removing a folder stops the watcher first and restarts it after
    win.folders.remove_folder(str(photos[0].parent))
    qtbot.waitUntil(lambda: win.sidebar.folder_paths() == [] and win.live.running,
                    timeout=30_000)
    settle(qtbot, win)
    assert names(win) == []


def test_excluding_a_sub_folder_forgets_its_photos(qtbot, window, library, photos):
    from tests.ui.conftest import make_photos

    private = make_photos(photos[0].parent / "Private", [("secret.jpg", (5, 5, 5), 70)])
    index_now(qtbot, window, [photos[0].parent])
    assert "secret.jpg" in names(window)
    with qtbot.waitSignal(window.indexing.finished, timeout=60_000):
        window.folders.exclude_path(str(private[0].parent))
    settle(qtbot, window)
    assert "secret.jpg" not in names(window) and len(names(window)) == len(PHOTOS)
    assert str(private[0].parent) in Settings.load(library.paths.settings).exclude
    assert private[0].exists()


def test_model_download_progress_shows_in_the_banner(qtbot, make_window, library):
    """First use: while the model loads, bytes arriving in the models folder are shown."""
    import threading
    import time

    release = threading.Event()

    class Loaded:
        random_weights = False

    def fake_embedder():  # stands in for a download into the shared models folder
        time.sleep(1.2)  # after the window measured the folder once
        library.paths.models.mkdir(parents=True, exist_ok=True)
        (library.paths.models / "weights.incomplete").write_bytes(b"\0" * 3_000_000)
        release.wait(20)
        return Loaded()

    library.embedder = fake_embedder
    win = make_window(library, load_model=True)
    qtbot.waitUntil(lambda: "Downloading the search model" in win.banner.text(),
                    timeout=10_000)
    assert "3 MB" in win.banner.text()
    release.set()
    qtbot.waitUntil(lambda: win.model.status == "ready")
    assert not win.banner.isVisible() and not win.model.download_timer.isActive()
