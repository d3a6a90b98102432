"""The REAL OCR model on real text in real photos (not rendered words): a few Flickr8k photos
from ../shared with the clearest signs, labelled by eye in bench/data/real_text_labels.tsv,
are indexed and read with the shipped settings, and their words must be found through
`text:WORD` search (the path `photosearch search text:WORD` takes). The model is
deterministic on a fixed image, so these exact words are found on every run."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import FLICKR, REPO, require

pytest.importorskip("rapidocr", reason="the OCR extra is part of the dev install")

LABELS = REPO / "bench" / "data" / "real_text_labels.tsv"
# the clearest signs of the labelled set; each word must be found in its photo
CLEAR = {
    "1329832826_432538d331.jpg": ["broadway", "rite", "pharmacy"],  # neon pharmacy sign
    "1387461595_2fe6925f73.jpg": ["penzance", "welcomes", "pensans"],  # carved stone
    "1542033433_5453d4c466.jpg": ["pizzeria"],  # shop sign behind traffic
    "1425919702_ddb761aeec.jpg": ["hortons"],  # stadium banners
}
TEXT_FREE = "1012212859_01547e3f17.jpg"


def _labels() -> dict[str, list[str]]:
    out = {}
    for line in LABELS.read_text("utf-8").splitlines():
        if line and not line.startswith("#") and not line.startswith("file\t"):
            name, _split, words = line.split("\t")
            out[name] = [w for w in words.split("|") if w]
    return out


def test_clear_photos_are_labelled_with_these_words():
    labels = _labels()
    for name, words in CLEAR.items():
        assert set(words) <= set(labels[name]), name
    assert labels[TEXT_FREE] == []


@pytest.fixture(scope="module")
def real_lib(tmp_path_factory):
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.core.text.textpass import run_text_pass

    images = require(FLICKR) / "Images"
    root = tmp_path_factory.mktemp("realtext")
    (root / "photos").mkdir()
    for name in [*CLEAR, TEXT_FREE]:
        shutil.copyfile(images / name, root / "photos" / name)
    lib = Library.open(resolve_library(root / "lib"), model="test-tiny", pretrained="none")
    Indexer(lib, embed=False).run([str(root / "photos")])
    report = run_text_pass(lib)
    yield lib, root / "photos", report
    lib.catalog.close()


def test_real_signs_are_found_by_text_search(real_lib):
    from photosearch.core.search import Searcher

    lib, photos, report = real_lib
    assert report.error is None and report.failed == 0 and report.read == len(CLEAR) + 1
    searcher = Searcher(lib)
    for name, words in CLEAR.items():
        h = lib.catalog.hash_of(str(photos / name))
        for word in words:
            hits = [r.hash for r in searcher.search(f"text:{word}", limit=50).results]
            assert h in hits, f"text:{word} did not find {name}"
    # upper case and a word glued to its neighbour in the query still match
    h = lib.catalog.hash_of(str(photos / "1329832826_432538d331.jpg"))
    assert h in [r.hash for r in searcher.search("text:RITEAID", limit=50).results]


def test_text_free_photo_gets_a_record_and_no_lines(real_lib):
    from photosearch.core.text.store import TextStore

    lib, photos, _ = real_lib
    store = TextStore(lib.catalog)
    h = lib.catalog.hash_of(str(photos / TEXT_FREE))
    rec = store.record(h)
    assert rec is not None and rec.error is None and rec.lines == 0
    assert store.lines(h) == []


def test_shipped_detector_setting_is_the_measured_one():
    """bench/bench_text_real.py chose 960 px both ways and a box threshold of 0.3 on real
    photos (dev split); the old 640 px without upscaling missed most words on 500 px
    photos. Two photos are read at once, each engine on one thread."""
    from photosearch.core.text.settings import TextSettings
    from photosearch.core.text.textpass import make_engine

    ts = TextSettings()
    assert (ts.det_side, ts.det_upscale, ts.box_thresh) == (960, True, 0.3)
    assert (ts.workers, ts.threads) == (2, 1)
    opts = make_engine(ts).options
    assert opts.det_upscale is True and opts.box_thresh == 0.3 and opts.threads == 1
    assert make_engine(ts, 1) is not make_engine(ts, 0)  # one engine per worker


def test_two_workers_store_the_same_lines_as_one(real_lib, tmp_path):
    """The shipped pass reads 2 photos at once on 2 engines; reading the same photos one at
    a time stores exactly the same lines, scores and boxes."""
    from dataclasses import replace

    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.core.text.settings import TextSettings
    from photosearch.core.text.store import TextStore
    from photosearch.core.text.textpass import run_text_pass

    lib, photos, _ = real_lib
    assert TextSettings.from_settings(lib.settings).workers == 2  # what the fixture ran
    serial = Library.open(resolve_library(tmp_path / "lib"), model="test-tiny",
                          pretrained="none")
    try:
        Indexer(serial, embed=False).run([str(photos)])
        report = run_text_pass(serial, settings=replace(TextSettings(), workers=1))
        assert report.read == len(CLEAR) + 1
        a, b = TextStore(lib.catalog), TextStore(serial.catalog)
        for name in [*CLEAR, TEXT_FREE]:
            h = lib.catalog.hash_of(str(photos / name))
            assert serial.catalog.hash_of(str(photos / name)) == h
            assert a.lines(h) == b.lines(h), name
            assert a.record(h).engine == b.record(h).engine
        assert sum(len(a.lines(lib.catalog.hash_of(str(photos / n)))) for n in CLEAR) >= 8
    finally:
        serial.catalog.close()


def test_settings_written_with_the_old_default_get_the_new_one():
    """settings.json of an earlier version holds det_side 640 (store() writes every field)
    and no det_upscale: that is the old default, read as today's; a det_side the user set
    next to det_upscale is kept."""
    from types import SimpleNamespace

    from photosearch.core.text.settings import TextSettings

    old = SimpleNamespace(text={"enabled": True, "det_side": 640, "threads": 1})
    ts = TextSettings.from_settings(old)
    assert ts.enabled and (ts.det_side, ts.det_upscale) == (960, True)
    chosen = SimpleNamespace(text={"det_side": 640, "det_upscale": False})
    ts = TextSettings.from_settings(chosen)
    assert (ts.det_side, ts.det_upscale) == (640, False)
    other = SimpleNamespace(text={"det_side": 1280})
    assert TextSettings.from_settings(other).det_side == 1280
