"""Fixtures for the app's tests: a main window on a temp library with the tiny test model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import make_image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DAY = 86400.0
# name, colour, days after 2020-01-01 (the file's mtime dates photos without EXIF)
PHOTOS = [
    ("red.jpg", (220, 30, 30), 10), ("green.png", (30, 200, 40), 20),
    ("blue.jpg", (30, 40, 220), 30), ("yellow.png", (230, 210, 30), 40),
    ("purple.jpg", (140, 30, 170), 50), ("grey.png", (120, 120, 120), 60),
]
EPOCH_2020 = 1577836800.0


def make_photos(folder: Path, photos=PHOTOS) -> list[Path]:
    out = []
    for name, color, day in photos:
        path = make_image(folder / name, color=color, size=(96, 64))
        t = EPOCH_2020 + day * DAY
        os.utime(path, (t, t))
        out.append(path)
    return out


@pytest.fixture
def photos(tmp_path) -> list[Path]:
    return make_photos(tmp_path / "photos")


@pytest.fixture
def state(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, state):
    """Build MainWindows that are shut down (threads joined) before their library closes."""
    windows = []

    def make(lib, **kw):
        from photosearch.ui.main_window import MainWindow

        kw.setdefault("load_model", False)
        kw.setdefault("first_run", False)
        kw.setdefault("state", state)
        win = MainWindow(lib, **kw)
        windows.append(win)
        qtbot.addWidget(win)
        win.confirm = lambda _text: True
        win.show()
        qtbot.waitExposed(win)
        return win

    yield make
    for win in windows:
        win.shutdown()


@pytest.fixture
def window(make_window, library):
    return make_window(library)


def settle(qtbot, win, timeout: int = 30_000) -> None:
    """Wait until the grid has its answer for the current request."""
    qtbot.waitUntil(lambda: not win.search.pending() and not win.results.loading,
                    timeout=timeout)


def index_now(qtbot, win, folders=None, timeout: int = 60_000):
    """Add folders (if given) and wait for the indexing run to finish; returns its report."""
    with qtbot.waitSignal(win.indexing.finished, timeout=timeout) as blocker:
        if folders:
            win.folders.add_folders([str(f) for f in folders])
        else:
            assert win.folders.start_indexing()
    settle(qtbot, win)
    return blocker.args[0]


def names(win) -> list[str]:
    return [os.path.basename(r.path) for r in win.results.results()]


def open_settings(qtbot, win, note: str):
    """Open Settings fresh and wait until the estimate in its `note` label (people_note,
    ocr_note) has been computed."""
    win.dialogs.settings_dialog = None
    win.dialogs.open_settings()
    qtbot.waitUntil(lambda: win.dialogs.settings_dialog is not None)
    dialog = win.dialogs.settings_dialog
    qtbot.waitUntil(lambda: getattr(dialog, note).text() != "Estimating…")
    return dialog
