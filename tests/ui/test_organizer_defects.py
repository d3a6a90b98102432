"""Issue 11's defects, each driven through the real widgets: these failed before the fix."""

from __future__ import annotations

import shutil

from tests.ui.conftest import index_now


def _dupes_view(qtbot, window):
    window.show_screen("duplicates")
    view = window.screen_pages["duplicates"]
    qtbot.waitUntil(lambda: view.find_btn.isEnabled() and bool(view.groups), timeout=30_000)
    return view


def _item(view, path):
    return next(view.items.item(i) for i in range(view.items.count())
                if view.items.item(i).data(256) == path)


def _group_of(view, path):
    return next(g for g in view.groups
                if path in {p for it in g.items for p in (it.path, *it.copies)})


def test_chosen_keeper_survives_not_duplicates_on_another_group(qtbot, window, photos):
    green_copy = photos[1].parent / "green_copy.png"
    red_copy = photos[0].parent / "red_copy.jpg"
    shutil.copy2(photos[1], green_copy)
    shutil.copy2(photos[0], red_copy)
    index_now(qtbot, window, [photos[0].parent])
    view = _dupes_view(qtbot, window)
    green = _group_of(view, str(photos[1]))
    view.list.setCurrentRow(view.groups.index(green))
    suggested = view.keepers[green.id]
    mine = str(green_copy) if suggested != str(green_copy) else str(photos[1])
    view.items.setCurrentItem(_item(view, mine))
    view.keep_btn.click()  # "Keep this one instead"
    _item(view, suggested).setCheckState(_item(view, suggested).checkState().Checked)
    red = _group_of(view, str(photos[0]))
    view.list.setCurrentRow(view.groups.index(red))
    view.not_dupes_btn.click()
    qtbot.waitUntil(lambda: view.find_btn.isEnabled()
                    and not any(g.id == red.id for g in view.groups), timeout=30_000)
    green_now = _group_of(view, str(photos[1]))
    assert view.current is not None and view.current.id == green_now.id  # selection stayed
    assert view.keepers[green_now.id] == mine
    assert _item(view, mine).text().startswith("KEEP")
    plan = view.plan()
    assert [(e.keeper.path, [p for p, _h in e.trash]) for e in plan.entries] == \
        [(mine, [suggested])]


def _luma(c) -> float:
    return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()


def test_dark_theme_check_boxes_are_visible(qtbot, window):
    from PySide6.QtWidgets import QApplication

    from photosearch.ui import theme

    app = QApplication.instance()
    theme.apply(app, "dark")
    try:
        box = window.filters.after_on  # the date filter's "From" check box
        window.filters.show()
        bg = _luma(box.palette().window().color())
        for checked in (False, True):
            box.setChecked(checked)
            img = box.grab().toImage()
            side = min(img.height(), 20)
            contrast = max(abs(_luma(img.pixelColor(x, y)) - bg)
                           for x in range(side) for y in range(img.height()))
            assert contrast > 100, (checked, contrast)
        # the tick itself: the indicator's centre differs clearly between off and on
        lumas = []
        for checked in (False, True):
            box.setChecked(checked)
            img = box.grab().toImage()
            ind = box.style().subElementRect(box.style().SubElement.SE_CheckBoxIndicator,
                                             _opt(box), box)
            c = ind.center()
            lumas.append(max(_luma(img.pixelColor(c.x() + dx, c.y() + dy))
                             for dx in (-2, -1, 0, 1, 2) for dy in (-2, -1, 0, 1, 2)))
        assert lumas[1] - lumas[0] > 100
    finally:
        theme.apply(app, "system")


def _opt(box):
    from PySide6.QtWidgets import QStyleOptionButton

    opt = QStyleOptionButton()
    box.initStyleOption(opt)
    return opt


def test_long_duplicates_notice_never_widens_the_window(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.resize(1000, 700)
    view = _dupes_view_any(qtbot, window)
    notice = ("Similar shots need embeddings: run 'photosearch index' with a model; "
              "exact and perceptual duplicates work without weights. ") * 6
    view.summary.setText(notice)
    view.status.setText(notice)
    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= 800
    assert window.width() <= 1000
    window.resize(800, 600)
    qtbot.wait(50)
    assert window.width() == 800 and view.undo_btn.isVisible()
    assert view.undo_btn.geometry().right() < view.width()


def _dupes_view_any(qtbot, window):
    window.show_screen("duplicates")
    view = window.screen_pages["duplicates"]
    qtbot.waitUntil(lambda: view.find_btn.isEnabled(), timeout=30_000)
    return view


def test_second_launch_raises_the_running_window(qtbot, window, library):
    from photosearch.ui import instance

    name = instance.server_name(library.paths.root)
    server = instance.InstanceServer(name, window)
    try:
        assert server.listening
        server.activate_requested.connect(lambda: instance.bring_forward(window))
        window.showMinimized()
        qtbot.waitUntil(window.isMinimized, timeout=5000)
        with qtbot.waitSignal(server.activate_requested, timeout=5000):
            assert instance.raise_running(name)  # what a second `photosearch` does
        qtbot.waitUntil(lambda: not window.isMinimized() and window.isVisible(), timeout=5000)
        other = instance.server_name(library.paths.root.parent / "another-library")
        assert other != name and not instance.raise_running(other)  # nobody there: open
    finally:
        server.close()


def test_a_text_file_is_refused_as_weights(qtbot, window, library, tmp_path):
    from photosearch.core.config import Settings

    bogus = tmp_path / "notes.safetensors"
    bogus.write_text("these are my notes, not a model\n" * 100)
    before = Settings.load(library.paths.settings).pretrained
    window.dialogs.open_settings()
    qtbot.waitUntil(lambda: window.dialogs.settings_dialog is not None, timeout=10_000)
    dialog = window.dialogs.settings_dialog
    dialog.pretrained.setText(str(bogus))
    from PySide6.QtWidgets import QDialogButtonBox

    box = dialog.findChild(QDialogButtonBox)
    box.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert "Not saved" in dialog.note.text() and "notes.safetensors" in dialog.note.text()
    window.runner.wait(5000)
    assert Settings.load(library.paths.settings).pretrained == before
    dialog.reject()


def test_file_dialogs_start_in_pictures_or_home(qtbot, window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_PICTURES_DIR", str(home / "Pictures"))
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: asked.append(a[2]) or ""))
    window.menus.act_add.trigger()
    assert asked == [str(home / "Pictures")]


def test_date_sort_keeps_one_weaker_matches_boundary(qtbot, make_window, fake_library,
                                                     tmp_path):
    from photosearch.ui.grid import ThumbDelegate
    from photosearch.ui.results_model import StrongRole
    from tests.ui.conftest import make_photos, settle

    # reddish photos (strong matches for red.jpg) dated between the others
    shots = [("red.jpg", (220, 30, 30), 1), ("red2.jpg", (215, 35, 32), 5),
             ("green.png", (30, 200, 40), 20), ("red3.jpg", (225, 28, 35), 35),
             ("blue.jpg", (30, 40, 220), 50), ("red4.jpg", (210, 32, 30), 65),
             ("grey.png", (120, 120, 120), 80)]
    folder = tmp_path / "shots"
    make_photos(folder, shots)
    win = make_window(fake_library)
    index_now(qtbot, win, [folder])

    def markers() -> tuple[list[bool], int]:
        settle(qtbot, win)
        m = win.results
        flags = [bool(m.index(i).data(StrongRole))
                 for i in range(m.rowCount())]
        drawn = sum(1 for i in range(m.rowCount())
                    if not flags[i] and ThumbDelegate._first_weak(m.index(i)))
        return flags, drawn

    win.search_flow.find_similar(str(folder / "red.jpg"))
    by_relevance, drawn = markers()
    assert drawn == 1 and 1 <= sum(by_relevance) < len(by_relevance)
    win.sort.setCurrentIndex(win.sort.findData("date"))
    by_date, drawn = markers()
    assert drawn == 1  # one boundary, not one per strong/weak change
    assert by_date == sorted(by_date, reverse=True)  # strong first
    assert sum(by_date) == sum(by_relevance)
    dates = [r.taken_at for r in win.results.results() if r.strong]
    assert dates == sorted(dates, reverse=True)  # newest first within the strong ones
    assert "by date" in win.count_label.text()


def test_undo_of_a_cleanup_takes_back_the_merged_review_decision(qtbot, window, photos,
                                                                 library):
    import os

    from PIL import Image

    from photosearch.core.tagging import Tagger

    png = photos[0].parent / "red_export.png"
    Image.open(photos[0]).save(png)  # the same photo, other bytes: a "same photo" group
    index_now(qtbot, window, [photos[0].parent])
    view = _dupes_view(qtbot, window)
    group = _group_of(view, str(png))
    assert group.tier == "same" and str(photos[0]) in {it.path for it in group.items}
    keeper = view.keepers[group.id]
    other = str(png) if keeper != str(png) else str(photos[0])
    tagger = Tagger(library)
    tagger.store.add("reds", ["a red photo"], threshold=0.99)
    other_hash = library.catalog.hash_of(other)
    keeper_hash = library.catalog.hash_of(keeper)
    tagger.review("reds", [other_hash], True)  # the copy was confirmed, the keeper not

    def decisions(h):
        return {(src) for lab, _score, src, _m in library.catalog.conn.execute(
            "SELECT label_id, score, source, model_id FROM photo_tags WHERE hash = ?", (h,))}

    before = decisions(keeper_hash)
    assert "confirmed" not in before
    view.list.setCurrentRow(view.groups.index(group))
    item = _item(view, other)
    item.setCheckState(item.checkState().Checked)
    with qtbot.waitSignal(view.resolved, timeout=30_000):
        view.trash_btn.click()
    assert not os.path.exists(other)
    assert "confirmed" in decisions(keeper_hash)  # merged into the keeper
    qtbot.waitUntil(lambda: view.find_btn.isEnabled(), timeout=30_000)
    with qtbot.waitSignal(view.undone, timeout=30_000) as blocker:
        view.undo_btn.click()
    assert len(blocker.args[0].restored) == 1 and os.path.exists(other)
    assert decisions(keeper_hash) == before  # the keeper is as it was
    assert "confirmed" in decisions(other_hash)  # the copy keeps its own decision


def test_live_grid_follows_the_folder_and_keeps_the_selection(qtbot, make_window, library,
                                                              photos):
    import os
    import time

    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QAbstractSlider, QApplication

    from photosearch.ui.grid import THUMB_MAX
    from tests.conftest import make_image
    from tests.ui.conftest import names, settle

    library.catalog.add_folder(str(photos[0].parent))
    win = make_window(library, watch=True)
    with qtbot.waitSignal(win.indexing.finished, timeout=60_000):
        pass  # the start-up catch-up run
    qtbot.waitUntil(lambda: win.live.running, timeout=20_000)
    settle(qtbot, win)
    # a scrolled grid: big tiles in a window above its minimum size (the minimum moves with
    # the status bar's text, and a clamped resize re-laid the grid out after the scroll)
    win.resize(1000, 600)
    win.grid.set_thumb_size(THUMB_MAX)
    row = names(win).index("blue.jpg")
    win.grid.setCurrentIndex(win.results.index(row))
    bar = win.grid.verticalScrollBar()
    # the resize reaches the grid through posted layout requests, and the grid lays out on
    # a zero timer: wait until the tiles and the scroll range fit the viewport as it is
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    qtbot.waitUntil(lambda: win.grid.layout_settled() and bar.maximum() > 0
                    and bar.pageStep() == win.grid.viewport().height())
    # scrolled as a user does (a slider action): that ends the grid's hold on the position
    # of an earlier in-place refresh, which a plain setValue would not
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)
    qtbot.waitUntil(lambda: 0 < bar.value() == bar.maximum())
    # the position the live refresh must keep: the one it finds
    before: list[int] = []
    win.results.about_to_refresh.connect(lambda: before.append(bar.value()))
    # the new file arrives as a change, or in the start-up reconcile when that is still
    # walking the folder (seen on a loaded box): the grid must follow either way
    with qtbot.waitSignal(win.live.event, timeout=30_000,
                          check_params_cb=lambda e: e.kind in ("changed", "reconciled")
                          and e.added == 1):
        new = make_image(photos[0].parent / "new_one.png", color=(10, 220, 220))
        old = time.time() - 10 * 365 * 86400  # dated before the others: appended at the end
        os.utime(new, (old, old))
    qtbot.waitUntil(lambda: "new_one.png" in names(win), timeout=2000)  # within 2 s
    current = win.results.result_at(win.grid.current_row())
    assert current is not None and os.path.basename(current.path) == "blue.jpg"
    assert before and before[-1] > 0  # scrolled down when the rows changed
    qtbot.waitUntil(lambda: bar.value() == before[-1], timeout=1000)  # after the relayout
    with qtbot.waitSignal(win.live.event, timeout=30_000,
                          check_params_cb=lambda e: e.kind == "changed" and e.removed == 1):
        photos[5].unlink()  # grey.png
    qtbot.waitUntil(lambda: "grey.png" not in names(win), timeout=2000)
    current = win.results.result_at(win.grid.current_row())
    assert current is not None and os.path.basename(current.path) == "blue.jpg"
    qtbot.waitUntil(lambda: win.count_label.text().startswith("6 of 6 photos"), timeout=2000)


def test_open_without_a_viewer_says_so(qtbot, window, photos, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QDesktopServices

    from tests.ui.conftest import names

    index_now(qtbot, window, [photos[0].parent])
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda _url: False))
    window.grid.setCurrentIndex(window.results.index(names(window).index("red.jpg")))
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)
    assert "No application is set up to open this photo" in \
        window.statusBar().currentMessage()


def test_return_in_a_confirmation_means_no(qtbot, window):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from photosearch.ui.main_window import MainWindow

    seen = []

    def press_return():
        box = QApplication.activeModalWidget()
        seen.append(box)
        if isinstance(box, QMessageBox):
            qtbot.keyClick(box, "\r")

    QTimer.singleShot(300, press_return)
    assert MainWindow.confirm(window, "Move 1 file(s) to the trash?") is False
    assert isinstance(seen[0], QMessageBox)


def test_delete_key_moves_to_trash_and_undo_restores(qtbot, window, photos, xdg_trash):
    from PySide6.QtCore import Qt

    from tests.ui.conftest import names, settle

    index_now(qtbot, window, [photos[0].parent])
    red = photos[0]
    window.grid.setCurrentIndex(window.results.index(names(window).index("red.jpg")))
    window.grid.setFocus()
    asked = []
    window.confirm = lambda text: asked.append(text) or True
    with qtbot.waitSignal(window.photo_actions.deleted, timeout=30_000) as blocker:
        qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    assert "Move 1 photo(s) to the trash" in asked[0] and str(red) in asked[0]
    assert len(blocker.args[0].trashed) == 1 and not red.exists()
    assert (xdg_trash / "files" / "red.jpg").exists()
    qtbot.waitUntil(lambda: "red.jpg" not in names(window), timeout=5000)
    assert "Undo: Ctrl+Z" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.photo_actions.restored, timeout=30_000) as blocker:
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(blocker.args[0].restored) == 1 and red.exists()
    qtbot.waitUntil(lambda: "red.jpg" in names(window), timeout=5000)
    settle(qtbot, window)
    window.confirm = lambda text: False  # declined: nothing moves
    qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    qtbot.wait(100)
    assert all(p.exists() for p in photos)


def test_a_re_embed_is_not_reported_as_new_photos(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    assert window.progress.label.text() == "Indexing done: 6 photos made searchable"
    report = index_now(qtbot, window)  # nothing changed since
    assert report.embedded == 0
    assert window.progress.label.text() == "Indexing done: no changes"
