"""The grid model: paging with canFetchMore/fetchMore, stale pages, thumbnails off the GUI
thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from photosearch.core.search import Result
from photosearch.ui.results_model import ResultsModel, ThumbStateRole
from photosearch.ui.thumbnails import ThumbnailCache
from photosearch.ui.workers import Runner
from tests.conftest import make_image


def fake_results(n: int, path: str = "/nonexistent/x.jpg") -> list[Result]:
    return [Result(f"{path}{i}", f"{i:064x}", 1.0 - i / 1000, None, 10, 10, "jpeg", None,
                   i < 5, [f"{path}{i}"]) for i in range(n)]


@pytest.fixture
def runner(qtbot):
    r = Runner()
    yield r
    r.wait()


def test_pages_load_as_the_view_asks_for_more(qtbot, runner, tmp_path):
    data = fake_results(250)
    calls = []

    def fetch(offset, limit):
        calls.append((offset, limit, threading.current_thread() is threading.main_thread()))
        return data[offset:offset + limit]

    model = ResultsModel(runner, ThumbnailCache(tmp_path / "thumbs"), page_size=100)
    model.set_source(fetch)
    qtbot.waitUntil(lambda: model.rowCount() == 100)
    assert model.canFetchMore()
    model.fetchMore()
    assert not model.canFetchMore()  # one request in flight at a time
    qtbot.waitUntil(lambda: model.rowCount() == 200)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 250)
    assert model.exhausted and not model.canFetchMore()
    assert [c[:2] for c in calls] == [(0, 100), (100, 100), (200, 100)]
    assert not any(on_gui for *_x, on_gui in calls), "pages must be fetched off the GUI thread"
    assert [r.path for r in model.results()] == [r.path for r in data]
    assert model.data(model.index(3), Qt.ItemDataRole.DisplayRole) == "x.jpg3"


def test_a_new_query_drops_the_old_querys_late_pages(qtbot, runner, tmp_path):
    release = threading.Event()

    def slow(offset, limit):
        release.wait(10)
        return fake_results(3, "/old/")

    model = ResultsModel(runner, ThumbnailCache(tmp_path / "thumbs"), page_size=100)
    model.set_source(slow)
    model.set_source(lambda offset, limit: fake_results(2, "/new/"))
    release.set()
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 2)
    qtbot.wait(100)  # the old page arrives (queued after) and must be ignored
    assert [r.path for r in model.results()] == ["/new/0", "/new/1"]


def test_failed_fetch_is_reported_and_stops_paging(qtbot, runner, tmp_path):
    def broken(offset, limit):
        raise RuntimeError("index unreadable")

    model = ResultsModel(runner, ThumbnailCache(tmp_path / "thumbs"))
    with qtbot.waitSignal(model.fetch_failed) as blocker:
        model.set_source(broken)
    assert blocker.args == ["index unreadable"]
    assert not model.canFetchMore() and model.rowCount() == 0


def test_thumbnails_decode_off_the_gui_thread_into_the_disk_cache(qtbot, runner, tmp_path):
    photo = make_image(tmp_path / "p.jpg", size=(800, 400))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a jpeg")
    cache = ThumbnailCache(tmp_path / "thumbs", size=128)
    threads = []
    original = cache.load
    cache.load = lambda h, p: (threads.append(threading.current_thread()), original(h, p))[1]
    results = [Result(str(photo), "a" * 64, None, None, 800, 400, "jpeg", None, True, []),
               Result(str(bad), "b" * 64, None, None, 1, 1, "jpeg", None, True, [])]
    model = ResultsModel(runner, cache)
    model.set_source(lambda offset, limit: results if offset == 0 else [])
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    for row in (0, 1):
        model.data(model.index(row), Qt.ItemDataRole.DecorationRole)  # what painting asks
    qtbot.waitUntil(lambda: model.thumbnails_pending() == 0)
    assert model.data(model.index(0), ThumbStateRole) == "ready"
    assert model.data(model.index(1), ThumbStateRole) == "failed"
    pix = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
    assert (pix.width(), pix.height()) == (128, 64)  # fits the box, aspect kept
    assert cache.path_for("a" * 64).is_file()
    assert threads and all(t is not threading.main_thread() for t in threads)
    # a second model (next session) reads the disk cache instead of decoding again
    photo.unlink()
    model2 = ResultsModel(runner, ThumbnailCache(tmp_path / "thumbs", size=128))
    model2.set_source(lambda offset, limit: results[:1] if offset == 0 else [])
    qtbot.waitUntil(lambda: model2.rowCount() == 1)
    model2.data(model2.index(0), Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: model2.thumbnails_pending() == 0)
    assert model2.data(model2.index(0), ThumbStateRole) == "ready"


def test_thumbnails_follow_exif_orientation(qtbot, runner, tmp_path):
    from PIL import Image

    path = tmp_path / "rotated.jpg"
    img = Image.new("RGB", (200, 100), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    img.save(path, exif=exif)
    image = ThumbnailCache(tmp_path / "thumbs", size=64).load("c" * 64, str(path))
    assert (image.width(), image.height()) == (32, 64)
