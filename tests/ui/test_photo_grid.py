"""The photo-first grid (issue 17): uniform cells, view options that persist, date headers
with counts that are never selected, live additions in their day, a visible selection,
and the app icon on the running window."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from photosearch.ui.results_model import ThumbStateRole
from tests.conftest import make_image
from tests.ui.conftest import EPOCH_2020, index_now, names, settle

HOUR, DAY = 3600.0, 86400.0
# three days, newest first: 1 photo on day 30, 2 on day 20, 3 on day 10 (noon-ish, so no
# time zone moves a photo into another day)
DATED = [("a1.jpg", (220, 30, 30), 10, 9), ("a2.png", (30, 200, 40), 10, 11),
         ("a3.jpg", (30, 40, 220), 10, 13), ("b1.png", (230, 210, 30), 20, 10),
         ("b2.jpg", (140, 30, 170), 20, 14), ("c1.png", (120, 120, 120), 30, 12)]


def when(day: int, hour: int) -> float:
    return EPOCH_2020 + day * DAY + hour * HOUR


def make_dated(folder: Path) -> list[Path]:
    out = []
    for name, color, day, hour in DATED:
        path = make_image(folder / name, color=color, size=(96, 64))
        os.utime(path, (when(day, hour), when(day, hour)))
        out.append(path)
    return out


def title(day: int) -> str:
    from photosearch.ui.grid_sections import day_of, day_title

    return day_title(day_of(when(day, 12)))


@pytest.fixture
def window(make_window, fake_library):
    """The real window on a library with the colour-embedding fake model (no torch)."""
    return make_window(fake_library)


def sort_by_date(qtbot, win) -> None:
    win.sort.setCurrentIndex(win.sort.findData("date"))
    settle(qtbot, win)
    qtbot.waitUntil(lambda: win.grid.grouped_by_date())


def cell_sizes(win) -> set:
    return {win.grid.visualRect(win.results.index(i)).size().toTuple()
            for i in range(win.results.rowCount())}


def test_cells_are_uniform_at_two_sizes_and_names_are_an_option(qtbot, window, photos):
    from photosearch.ui import grid_metrics as gm

    index_now(qtbot, window, [photos[0].parent])
    window.resize(1000, 700)
    assert window.results.rowCount() == 6  # wide and tall photos alike
    for side in (120, 200):
        window.thumb_slider.setValue(side)
        sizes = cell_sizes(window)
        assert sizes == {(side + 2 * gm.PAD, side + 2 * gm.PAD)}  # square, no name line
    assert not window.grid.show_names() and not window.menus.act_names.isChecked()
    index = window.results.index(0)
    plain = window.grid.grab(window.grid.visualRect(index).translated(
        window.grid.viewport().pos())).toImage()
    window.menus.act_names.trigger()  # View > Show file names
    assert window.grid.show_names()
    qtbot.waitUntil(lambda: len(cell_sizes(window)) == 1 and
                    next(iter(cell_sizes(window)))[1] > 200 + 2 * gm.PAD)
    rect = window.grid.visualRect(index)
    named = window.grid.grab(rect.translated(window.grid.viewport().pos())).toImage()
    assert named.height() > plain.height()
    # the name line below the photo holds text-coloured pixels now
    text_row = named.height() - gm.PAD - window.grid.fontMetrics().height() // 2
    row_colours = {named.pixelColor(x, text_row).name() for x in range(named.width())}
    assert len(row_colours) > 2
    window.menus.act_names.trigger()
    assert not window.grid.show_names()
    assert cell_sizes(window) == {(200 + 2 * gm.PAD, 200 + 2 * gm.PAD)}


def test_square_crop_and_names_persist_across_a_restart(qtbot, make_window, fake_library, photos):
    win = make_window(fake_library)
    assert not win.grid.square() and not win.menus.act_square.isChecked()
    win.menus.act_square.trigger()  # View > Square thumbnails
    win.menus.act_names.trigger()
    assert win.grid.square() and win.grid.delegate.square
    win.shutdown()  # the window's state is saved
    again = make_window(fake_library)
    assert again.grid.square() and again.menus.act_square.isChecked()
    assert again.grid.show_names() and again.menus.act_names.isChecked()
    again.menus.act_square.trigger()
    again.shutdown()
    third = make_window(fake_library)
    assert not third.grid.square() and third.grid.show_names()


def test_square_crop_fills_the_cell_and_fit_leaves_bands(qtbot, window, photos):
    from photosearch.ui import grid_metrics as gm

    index_now(qtbot, window, [photos[0].parent])
    red = window.results.index(names(window).index("red.jpg"))  # 96x64: wide
    qtbot.waitUntil(lambda: window.results.data(red, ThumbStateRole) == "ready")
    window.grid.viewport().repaint()

    def top_band_is_photo() -> bool:
        rect = window.grid.visualRect(red)
        img = window.grid.viewport().grab(rect).toImage()
        c = img.pixelColor(img.width() // 2, gm.PAD + 2)  # just inside the photo box's top
        return c.red() > 150 and c.green() < 100

    assert not top_band_is_photo()  # aspect-fit: a wide photo leaves a band above it
    window.grid.set_square(True)
    window.grid.viewport().repaint()
    assert top_band_is_photo()  # square crop: the photo reaches the top of the box


def test_date_headers_with_counts_never_take_selection(qtbot, window, tmp_path):
    from PySide6.QtCore import QPoint, Qt

    folder = tmp_path / "dated"
    make_dated(folder)
    index_now(qtbot, window, [folder])
    window.resize(1000, 700)
    assert window.grid.section_headers() == []  # newest first, but not sorted by date
    sort_by_date(qtbot, window)
    assert window.grid.section_headers() == [f"{title(30)} · 1", f"{title(20)} · 2",
                                             f"{title(10)} · 3"]
    assert names(window)[0] == "c1.png"
    grid = window.grid
    g = grid._layout()
    # a click on a header selects nothing and leaves the current photo alone
    grid.setCurrentIndex(window.results.index(0))
    header_point = QPoint(g.left + 5, g.tops[1] + g.header_h // 2 - grid.verticalOffset())
    assert not grid.indexAt(header_point).isValid()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=header_point)
    assert grid.selected_rows() == []
    # Ctrl+A selects the six photos and nothing else
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert grid.selected_rows() == list(range(6))
    assert len(grid.selectionModel().selectedIndexes()) == 6
    # the keyboard steps from the last photo of a day to the next day's first, over the header
    grid.setCurrentIndex(window.results.index(0))
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.current_row() == 1
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.current_row() == 3
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    assert grid.current_row() == 1
    # each photo lies below its own day's header
    for row in range(6):
        s = g.section_of(row)
        assert grid.visualRect(window.results.index(row)).top() + grid.verticalOffset() >= \
            g.tops[s] + g.header_h
    window.sort.setCurrentIndex(window.sort.findData("relevance"))
    settle(qtbot, window)
    assert grid.section_headers() == []


def test_rubber_band_over_two_days_selects_only_their_photos(qtbot, window, tmp_path):
    from PySide6.QtCore import QItemSelectionModel as Sel
    from PySide6.QtCore import QRect

    folder = tmp_path / "dated"
    make_dated(folder)
    index_now(qtbot, window, [folder])
    window.resize(1000, 700)
    sort_by_date(qtbot, window)
    grid, g = window.grid, window.grid._layout()
    band = QRect(0, 0, grid.viewport().width(),
                 g.tops[2] + g.header_h // 2 - grid.verticalOffset())  # ends in a header
    grid.setSelection(band, Sel.SelectionFlag.ClearAndSelect)
    assert grid.selected_rows() == [0, 1, 2]


def test_a_photo_the_watcher_adds_lands_under_its_days_header(qtbot, make_window, fake_library,
                                                             tmp_path):
    folder = tmp_path / "dated"
    make_dated(folder)
    fake_library.catalog.add_folder(str(folder))
    win = make_window(fake_library, watch=True)
    with qtbot.waitSignal(win.indexing.finished, timeout=60_000):
        pass  # the start-up catch-up run
    qtbot.waitUntil(lambda: win.live.running, timeout=20_000)
    settle(qtbot, win)
    sort_by_date(qtbot, win)
    assert win.grid.section_headers()[1] == f"{title(20)} · 2"
    with qtbot.waitSignal(win.live.event, timeout=30_000,
                          check_params_cb=lambda e: e.kind == "changed" and e.added == 1):
        new = make_image(folder / "b3.png", color=(10, 220, 220))
        os.utime(new, (when(20, 18), when(20, 18)))
    qtbot.waitUntil(lambda: "b3.png" in names(win), timeout=5000)
    qtbot.waitUntil(lambda: win.grid.section_headers() == [
        f"{title(30)} · 1", f"{title(20)} · 3", f"{title(10)} · 3"], timeout=5000)
    g = win.grid._layout()
    row = names(win).index("b3.png")
    assert g.section_of(row) == 1 and win.grid.section_headers()[1].startswith(title(20))


def test_selected_cell_looks_different_from_an_unselected_one(qtbot, window, photos):
    from PySide6.QtGui import QColor

    from photosearch.ui import grid_metrics as gm

    index_now(qtbot, window, [photos[0].parent])
    window.resize(1000, 700)
    grid = window.grid
    index = window.results.index(1)
    qtbot.waitUntil(lambda: window.results.data(index, ThumbStateRole) == "ready")
    grid.clearSelection()
    grid.setCurrentIndex(window.results.index(0))  # the current photo is another one
    grid.selectionModel().clearSelection()

    def cell_image():
        grid.viewport().repaint()
        return grid.viewport().grab(grid.visualRect(index)).toImage()

    before = cell_image()
    grid.selectionModel().select(index, grid.selectionModel().SelectionFlag.Select)
    after = cell_image()
    highlight = grid.palette().color(grid.palette().ColorRole.Highlight)

    def distance(a: QColor, b: QColor) -> int:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())

    ring = (before.width() // 2, gm.RING // 2)  # on the ring, above the photo
    assert distance(after.pixelColor(*ring), highlight) < 60
    assert distance(before.pixelColor(*ring), highlight) > 60
    changed = sum(before.pixelColor(x, y) != after.pixelColor(x, y)
                  for x in range(0, before.width(), 4) for y in range(0, before.height(), 4))
    assert changed > 0.3 * (before.width() // 4) * (before.height() // 4)  # ring + tint


def test_running_app_has_its_icon(qtbot, window):
    from PySide6.QtWidgets import QApplication

    from photosearch.ui.app import make_app
    from photosearch.ui.app_icon import ICON_NAME, app_icon

    assert not app_icon().isNull()
    app = make_app()
    assert app is QApplication.instance() and not app.windowIcon().isNull()
    assert not window.windowIcon().isNull()
    sizes = {s.width() for s in app.windowIcon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    assert ICON_NAME == "photosearch"


def test_cells_are_crisp_at_device_pixel_ratio_2(qtbot):
    """A thumbnail stored at 2x (256 px x dpr) lands pixel for pixel on a 2x screen: a
    one-pixel checkerboard survives the paint instead of blurring to grey."""
    from PySide6.QtCore import QModelIndex, QRect, QStringListModel, Qt
    from PySide6.QtGui import QImage, QPainter, QPixmap
    from PySide6.QtWidgets import QStyleOptionViewItem

    from photosearch.ui import grid_metrics as gm
    from photosearch.ui.grid_delegate import ThumbDelegate, cell_size

    side = 100
    board = QImage(2 * side, 2 * side, QImage.Format.Format_RGB32)
    for y in range(board.height()):
        for x in range(board.width()):
            board.setPixel(x, y, 0xFFFFFFFF if (x + y) % 2 else 0xFF000000)
    pixmap = QPixmap.fromImage(board)

    class Model(QStringListModel):
        def data(self, index: QModelIndex, role: int = 0):  # type: ignore[override]
            if role == Qt.ItemDataRole.DecorationRole:
                return pixmap
            return True if role > Qt.ItemDataRole.UserRole else super().data(index, role)

    model = Model(["a.jpg"])
    delegate = ThumbDelegate()
    delegate.thumb = side
    cell = cell_size(side, False, 10)
    out = QImage(2 * cell.width(), 2 * cell.height(), QImage.Format.Format_RGB32)
    out.setDevicePixelRatio(2.0)
    out.fill(0xFF808080)
    painter = QPainter(out)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, cell.width(), cell.height())
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    y = 2 * (gm.PAD + side // 2)
    row = [out.pixelColor(2 * gm.PAD + 20 + i, y).lightness() for i in range(40)]
    assert all(abs(a - b) > 200 for a, b in zip(row, row[1:]))  # black, white, black...


def test_hover_is_subtle_and_unlike_the_selection(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    grid = window.grid
    index = window.results.index(1)
    qtbot.waitUntil(lambda: window.results.data(index, ThumbStateRole) == "ready")
    grid.selectionModel().clearSelection()

    def corner():  # the cell's corner area: background, hover wash or selection ring
        grid.viewport().repaint()
        img = grid.viewport().grab(grid.visualRect(index)).toImage()
        return img.pixelColor(img.width() // 2, 1)

    plain = corner()
    grid._set_hover(index)
    hovered = corner()
    grid._set_hover(window.results.index(0))
    grid.selectionModel().select(index, grid.selectionModel().SelectionFlag.Select)
    selected = corner()
    assert hovered != plain and selected != hovered
    step = abs(hovered.lightness() - plain.lightness())
    assert 0 < step < 60  # a wash, not a ring
