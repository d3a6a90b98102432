"""Find similar: from the context menu, the preview, a dropped file and the clipboard."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from tests.conftest import make_image
from tests.ui.conftest import PHOTOS, index_now, names, settle


def _similar_shown(win, excluded: str) -> None:
    assert win.similar_bar.isVisible()
    assert excluded not in names(win)
    assert len(names(win)) == len(PHOTOS) - 1


def test_context_menu_find_similar_excludes_the_photo_itself(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    row = names(window).index("green.png")
    rect = window.grid.visualRect(window.results.index(row))
    window.grid.customContextMenuRequested.emit(rect.center())
    menu = window.photo_actions.context_menu
    action = next(a for a in menu.actions() if a.text() == "Find similar")
    menu.close()
    action.trigger()
    settle(qtbot, window)
    _similar_shown(window, "green.png")
    assert window.search_flow.request.similar_to.endswith("green.png")
    assert all(r.score is not None for r in window.results.results())
    window.search_flow.clear_similar()
    settle(qtbot, window)
    assert not window.similar_bar.isVisible() and len(names(window)) == len(PHOTOS)


def test_preview_button_and_shortcut(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.grid.setCurrentIndex(window.results.index(0))
    first = names(window)[0]
    window.preview.buttons["similar"].click()
    settle(qtbot, window)
    _similar_shown(window, first)
    typed = []
    window.search.query_changed.connect(typed.append)
    window.search.set_query("back to words")  # typing leaves "similar" mode
    settle(qtbot, window)
    assert typed == ["back to words"] and not window.similar_bar.isVisible()


def test_dropping_an_outside_image_finds_similar(qtbot, window, photos, tmp_path):
    index_now(qtbot, window, [photos[0].parent])
    outside = make_image(tmp_path / "elsewhere" / "query.png", color=(200, 40, 40))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(outside))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    settle(qtbot, window)
    assert window.search_flow.request.similar_to == str(outside)
    assert len(names(window)) == len(PHOTOS)  # an outside file excludes nothing


def test_pasting_an_image_file_into_the_search_field(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photos[2]))])
    QGuiApplication.clipboard().setMimeData(mime)
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    _similar_shown(window, photos[2].name)
    assert window.search.text() == ""  # the path was not typed into the field


def test_pasting_pixels_saves_them_and_finds_similar(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.blue)
    with qtbot.waitSignal(window.results_changed, timeout=20_000):
        window.search_flow.find_similar_to_image(image)
    settle(qtbot, window)
    assert window.search_flow.request.similar_to.endswith(".png")
    assert str(window.lib.paths.cache) in window.search_flow.request.similar_to
    assert len(names(window)) == len(PHOTOS)


def test_space_opens_the_viewer_and_arrows_step(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.results.index(0))
    window.menus.act_view.trigger()
    viewer = window.photo_actions.viewer
    assert viewer.isVisible() and viewer.path == window.results.result_at(0).path
    qtbot.waitUntil(lambda: viewer._pixmap is not None)
    viewer.step.emit(1)
    assert viewer.path == window.results.result_at(1).path
    assert window.grid.current_row() == 1
    viewer.close()
    QApplication.processEvents()


def test_copy_path_puts_selected_paths_on_the_clipboard(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.grid.setCurrentIndex(window.results.index(1))
    window.photo_actions.copy_selected()
    assert QGuiApplication.clipboard().text() == window.results.result_at(1).path
