"""Issue 11: the sidebar lists the labels with counts; photos dragged from the grid and
dropped on a label are tagged (a review decision); clicking a label opens it."""

from __future__ import annotations

from photosearch.ui.sidebar_counts import COUNT_ROLE
from tests.ui.conftest import index_now, names, settle


def _drop(qtbot, target, item, mime) -> bool:
    """Send the drag-enter, drag-move and drop events a real drag sends to the list."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    pos = target.visualItemRect(item).center()
    port = target.viewport()
    move, none = Qt.DropAction.CopyAction, Qt.MouseButton.NoButton
    mods = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, move, mime, none, mods)
    QApplication.sendEvent(port, enter)
    over = QDragMoveEvent(pos, move, mime, none, mods)
    QApplication.sendEvent(port, over)
    drop = QDropEvent(QPointF(pos), move, mime, none, mods)
    QApplication.sendEvent(port, drop)
    return enter.isAccepted() and over.isAccepted() and drop.isAccepted()


def test_drop_photos_from_the_grid_on_a_sidebar_label(qtbot, window, photos, library):
    from photosearch.core.tagging import Tagger

    Tagger(library).store.add("holiday")
    index_now(qtbot, window, [photos[0].parent])
    labels = window.sidebar.labels
    window.reload_sidebar_labels()
    qtbot.waitUntil(lambda: labels.names() == ["holiday"], timeout=30_000)
    assert labels.isVisible() and window.sidebar.labels_heading.isVisible()
    red, blue = names(window).index("red.jpg"), names(window).index("blue.jpg")
    sel = window.grid.selectionModel()
    window.grid.setCurrentIndex(window.results.index(red))
    sel.select(window.results.index(blue), sel.SelectionFlag.Select)
    mime = window.grid.model().mimeData(window.grid.selectedIndexes())  # the grid's drag
    with qtbot.waitSignal(window.photo_actions.tagged, timeout=30_000) as blocker:
        assert _drop(qtbot, labels, labels.item_named("holiday"), mime)
    assert blocker.args[0].photos == 2 and not blocker.args[0].created
    qtbot.waitUntil(lambda: labels.item_named("holiday").data(COUNT_ROLE) == "2",
                    timeout=30_000)
    window.search.set_query("tag:holiday")
    settle(qtbot, window)
    assert sorted(names(window)) == ["blue.jpg", "red.jpg"]
    tagger = Tagger(library)
    rows = tagger.store.tag_rows(tagger.store.get("holiday"), ("confirmed",))
    assert len(rows) == 2  # a review decision: confirmed, it teaches the label

    # a click on the label opens it on the Labels screen, its photos confirmed
    labels.label_clicked.emit("holiday")  # what itemClicked sends
    view = window.screen_pages["labels"]
    assert window.screens.currentWidget() is view
    qtbot.waitUntil(lambda: view.current == "holiday" and
                    view.models["confident"].rowCount() == 2, timeout=30_000)


def test_other_drops_are_refused_and_a_click_opens_the_label(qtbot, window, photos, library):
    from PySide6.QtCore import QMimeData, QUrl

    from photosearch.core.tagging import Tagger
    from photosearch.ui.photo_drag import dragged_photos, photos_mime

    assert dragged_photos(photos_mime(["a", "b", "a"])) == ["a", "b"]
    for name in ("receipts", "pets"):
        Tagger(library).store.add(name)
    labels = window.sidebar.labels
    window.reload_sidebar_labels()
    qtbot.waitUntil(lambda: labels.names() == ["pets", "receipts"], timeout=30_000)
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(photos[0]))])  # a file from outside: not a tag
    dropped = []
    labels.photos_dropped.connect(lambda *a: dropped.append(a))
    assert not _drop(qtbot, labels, labels.item_named("pets"), files)
    assert not labels.drop_on(None, photos_mime(["x"]))
    assert dropped == []
    assert labels.item_named("pets").text() == "pets"
    assert labels.item_named("pets").data(COUNT_ROLE) == "0"
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    item = labels.item_named("receipts")
    QTest.mouseClick(labels.viewport(), Qt.MouseButton.LeftButton,
                     pos=labels.visualItemRect(item).center())
    view = window.screen_pages["labels"]
    assert window.screens.currentWidget() is view
    qtbot.waitUntil(lambda: view.labels.currentItem() is not None and
                    view.labels.currentItem().data(Qt.ItemDataRole.UserRole) == "receipts",
                    timeout=30_000)
    assert view.current == "receipts" and "receipts" in view.header.text()
