"""The REAL OCR model (rapidocr 3.10, bundled PP-OCRv6) on images these tests render: known
words in several fonts, sizes and angles drawn onto real flickr photos from ../shared."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from photosearch.core.text.engine import BUNDLED_MODELS, OcrUnavailable, engine_version
from photosearch.core.text.settings import TextSettings
from photosearch.core.text.store import TextStore
from photosearch.core.text.textpass import run_text_pass
from tests.conftest import FLICKR, REPO, require
from tests.text_render import render

pytest.importorskip("rapidocr", reason="the OCR extra is part of the dev install")

N_TEXT = 14  # includes "Café" (index 12)
N_PLAIN = 3


def _flickr() -> list[Path]:
    return sorted((require(FLICKR) / "Images").glob("*.jpg"))


def _open_lib(root: Path):
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    return Library.open(resolve_library(root), model="test-tiny", pretrained="none")


@pytest.fixture(scope="module")
def ocr_set(tmp_path_factory):
    """14 photos with one known word each, 3 without, indexed (no CLIP) and read once."""
    from photosearch.core.indexer import Indexer

    root = tmp_path_factory.mktemp("ocr")
    photos = _flickr()
    truth = {}
    for i in range(N_TEXT):
        r = render(photos[300 + i], root / "photos" / f"text{i:02}.jpg", i)
        truth[str(r.path)] = r.words[0]
    plain = []
    for i in range(N_PLAIN):
        dst = root / "photos" / f"plain{i}.jpg"
        dst.write_bytes(photos[600 + i].read_bytes())
        plain.append(str(dst))
    lib = _open_lib(root / "lib")
    Indexer(lib, embed=False).run([str(root / "photos")])
    report = run_text_pass(lib)
    yield lib, truth, plain, report
    lib.catalog.close()


def test_pass_reads_every_photo_and_finds_the_words(ocr_set):
    lib, truth, plain, report = ocr_set
    assert report.error is None and report.failed == 0
    assert report.read == N_TEXT + N_PLAIN
    store = TextStore(lib.catalog)
    found = 0
    for path, word in truth.items():
        h = lib.catalog.hash_of(path)
        found += h in {m.hash for m in store.search(word)}
    assert found >= N_TEXT - 1, f"one-word recall {found}/{N_TEXT}"
    # a text-free photo never matches a rendered word
    plain_hashes = {lib.catalog.hash_of(p) for p in plain}
    for word in truth.values():
        assert not plain_hashes & {m.hash for m in store.search(word)}
    # every photo has its record with the engine version, also those without text
    for p in plain:
        rec = store.record(lib.catalog.hash_of(p))
        assert rec is not None and rec.engine == TextSettings().reading_version()
        assert rec.error is None and engine_version() in rec.engine


def test_nothing_is_read_twice(ocr_set):
    lib, *_ = ocr_set
    again = run_text_pass(lib)
    assert (again.read, again.failed) == (0, 0)


def test_search_finds_accented_and_lowercase_queries(ocr_set):
    from photosearch.core.search import Searcher

    lib, truth, *_ = ocr_set
    cafe = next(p for p, w in truth.items() if w == "Café")
    h = lib.catalog.hash_of(cafe)
    page = Searcher(lib).search('text:"cafe"')
    assert h in {r.hash for r in page.results}
    page = Searcher(lib).search("CAFÉ")  # plain query, no CLIP embeddings: text only
    assert page.results and page.results[0].hash == h
    assert any("caf" in t.lower() for t in page.results[0].text_match or [])


def test_boxes_are_in_oriented_full_resolution_pixels(tmp_path):
    """A 2.4x upscaled photo (decoded smaller for OCR) stored rotated with EXIF orientation 6:
    the box must land where the word is in the upright, full-size image."""
    from photosearch.core.indexer import Indexer

    src = _flickr()[350]
    upright = tmp_path / "upright.jpg"
    r = render(src, upright, 3, words=["Lighthouse"], scale=2.4)
    img = Image.open(upright)
    stored = img.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    (tmp_path / "photos").mkdir()
    stored.save(tmp_path / "photos" / "rotated.jpg", "JPEG", quality=92, exif=exif)
    lib = _open_lib(tmp_path / "lib")
    Indexer(lib, embed=False).run([str(tmp_path / "photos")])
    rep = run_text_pass(lib, settings=TextSettings(max_side=1000))
    assert rep.read == 1
    h = lib.catalog.hash_of(str(tmp_path / "photos" / "rotated.jpg"))
    lines = [ln for ln in TextStore(lib.catalog).lines(h) if "lighthouse" in ln.text.lower()]
    assert lines, TextStore(lib.catalog).lines(h)
    xs = [x for x, _ in lines[0].box]
    ys = [y for _, y in lines[0].box]
    x0, y0, x1, y1 = r.boxes[0]
    assert img.width > 1000  # really decoded smaller than stored
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    assert x0 <= cx <= x1 and y0 <= cy <= y1, (lines[0].box, r.boxes[0])
    assert max(xs) - min(xs) > 0.6 * (x1 - x0)
    lib.catalog.close()


def test_cancel_then_resume_and_a_bad_file_does_not_stop_the_pass(tmp_path):
    from photosearch.core.indexer import Indexer

    photos = _flickr()
    for i in range(5):
        render(photos[400 + i], tmp_path / "photos" / f"p{i}.jpg", 20 + i)
    lib = _open_lib(tmp_path / "lib")
    Indexer(lib, embed=False).run([str(tmp_path / "photos")])
    # corrupt one photo after indexing (the catalog knows it, decoding now fails)
    bad = tmp_path / "photos" / "p2.jpg"
    bad.write_bytes(bad.read_bytes()[:300])
    cancel = threading.Event()
    first = run_text_pass(lib, cancel=cancel,
                          progress=lambda p: cancel.set() if p.done >= 2 else None)
    assert first.cancelled and first.read + first.failed == 2
    store = TextStore(lib.catalog)
    done_before = {h: store.record(h) for h in
                   [lib.catalog.hash_of(str(tmp_path / "photos" / f"p{i}.jpg")) for i in range(5)]}
    second = run_text_pass(lib)
    assert not second.cancelled
    assert first.read + second.read == 4 and first.failed + second.failed == 1
    for h, rec in done_before.items():
        if rec is not None:  # read before the cancel: not read again
            assert store.record(h) == rec
    bad_rec = store.record(lib.catalog.hash_of(str(bad)))
    assert bad_rec is not None and bad_rec.error and "truncated" in bad_rec.error
    lib.catalog.close()


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_kill_9_during_the_pass_then_resume(tmp_path):
    from photosearch.core.indexer import Indexer

    photos = _flickr()
    n = 8
    for i in range(n):
        render(photos[450 + i], tmp_path / "photos" / f"k{i}.jpg", 40 + i)
    lib = _open_lib(tmp_path / "lib")
    Indexer(lib, embed=False).run([str(tmp_path / "photos")])
    lib.catalog.close()
    db = tmp_path / "lib" / "catalog.db"
    cmd = [sys.executable, "-m", "photosearch", "--library", str(tmp_path / "lib"),
           "--model", "test-tiny", "--pretrained", "none", "text", "run"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while _count(db, "SELECT COUNT(*) FROM text_photos") < 2:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "the text pass never committed a photo"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    at_kill = _count(db, "SELECT COUNT(*) FROM text_photos")
    assert 2 <= at_kill < n, "the pass finished before the kill"
    # committed state is consistent: every line belongs to a record and is indexed
    assert _count(db, "SELECT COUNT(*) FROM text_lines l WHERE NOT EXISTS "
                      "(SELECT 1 FROM text_photos t WHERE t.hash = l.hash)") == 0
    assert _count(db, "SELECT COUNT(*) FROM text_fts") == _count(
        db, "SELECT COUNT(*) FROM text_lines")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{n - at_kill} photos read" in done.stdout
    assert _count(db, "SELECT COUNT(*) FROM text_photos") == n
    assert _count(db, "SELECT COUNT(*) FROM text_fts") == _count(
        db, "SELECT COUNT(*) FROM text_lines")


def test_qt_starts_in_the_same_process_after_ocr(tmp_path):
    """opencv-python (not headless) would bundle Qt5 and redirect Qt's plugin path."""
    img = tmp_path / "w.jpg"
    render(_flickr()[500], img, 5, words=["Theatre"])
    code = (
        "import sys\n"
        "from photosearch.core.text.textpass import read_photo, make_engine\n"
        "from photosearch.core.text.settings import TextSettings\n"
        "ts = TextSettings()\n"
        f"lines = read_photo(make_engine(ts), {str(img)!r}, ts)\n"
        "assert any('theatre' in l.text.lower() for l in lines), lines\n"
        "import cv2\n"
        "assert 'headless' in cv2.__file__ or not hasattr(cv2, 'QT_VERSION'), cv2.__file__\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication(['t', '-platform', 'offscreen'])\n"
        "w = QLabel('ok'); w.show(); app.processEvents()\n"
        "assert w.isVisible() and app.platformName() == 'offscreen'\n"
        "print('qt-ok')\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0 and "qt-ok" in out.stdout, out.stderr[-2000:]


def test_a_tampered_model_is_refused(monkeypatch):
    from photosearch.core.text import engine

    name, _ = BUNDLED_MODELS["cls"]
    monkeypatch.setitem(engine.BUNDLED_MODELS, "cls", (name, "0" * 64))
    with pytest.raises(OcrUnavailable, match="expected hash"):
        engine.bundled_model_paths()
    with pytest.raises(OcrUnavailable):
        engine.OcrEngine().load()


def test_background_worker_reads_new_photos_when_poked(tmp_path):
    from photosearch.core.indexer import Indexer
    from photosearch.core.text.background import TextWorker

    photos = _flickr()
    for i in range(2):
        render(photos[480 + i], tmp_path / "photos" / f"b{i}.jpg", 60 + i)
    lib = _open_lib(tmp_path / "lib")
    Indexer(lib, embed=False).run([str(tmp_path / "photos")])
    done = threading.Event()
    reports = []
    worker = TextWorker(lib, on_done=lambda r: (reports.append(r), done.set())).start()
    try:
        ts = TextSettings.from_settings(lib.settings)
        ts.enabled = True
        ts.store(lib.settings)
        worker.poke()
        assert done.wait(240), "the worker never finished a pass"
        assert reports[0].read == 2 and reports[0].error is None
        assert TextStore(lib.catalog).pending_count(ts.reading_version()) == 0
    finally:
        worker.stop(timeout=60)
    assert not worker.running
    lib.catalog.close()


def test_clip_prior_hook_skips_unlikely_photos_when_switched_on(fake_library, tmp_path):
    """Off by default; on, with deterministic embeddings (the prompts point at red), the
    blue photo is recorded as skipped and only the red one is read."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.text.prior import PROMPTS
    from tests.conftest import FakeEmbedder, make_image, unit

    lib = fake_library
    lib._embedder = FakeEmbedder(texts={p: unit([1, 0, 0, 0.05, 0, 0, 0, 0]) for p in PROMPTS})
    make_image(tmp_path / "photos" / "red.png", color=(230, 10, 10), size=(200, 120))
    make_image(tmp_path / "photos" / "blue.png", color=(10, 10, 230), size=(200, 120))
    Indexer(lib).run([str(tmp_path / "photos")])
    assert TextSettings().clip_prior is False
    rep = run_text_pass(lib, settings=TextSettings(clip_prior=True, clip_prior_min=0.5))
    assert (rep.read, rep.skipped_prior) == (1, 1)
    store = TextStore(lib.catalog)
    blue = store.record(lib.catalog.hash_of(str(tmp_path / "photos" / "blue.png")))
    assert blue is not None and blue.error is not None and "CLIP prior" in blue.error
