"""The text pass's bookkeeping without the OCR model: parallel workers, which photos a
settings change sends back to be read, cancel. Engines here are fakes that "read" a line
derived from the photo's pixels, so what must be stored is known."""

from __future__ import annotations

import threading

import numpy as np

from photosearch.core.text.engine import OcrLine
from photosearch.core.text.settings import TextSettings
from photosearch.core.text.store import TextStore
from photosearch.core.text.textpass import run_text_pass
from tests.conftest import make_image

COLOURS = [(220, 20, 20), (20, 220, 20), (20, 20, 220), (220, 220, 20), (20, 220, 220),
           (220, 20, 220), (120, 60, 30)]


class FakeEngine:
    """Reads one line naming the photo's mean colour (and its reading generation)."""

    def __init__(self, generation: str = "A"):
        self.generation = generation
        self.calls: list[int] = []  # ids of the threads that read
        self.barrier: threading.Barrier | None = None

    def load(self):
        return self

    def read(self, rgb: np.ndarray) -> list[OcrLine]:
        self.calls.append(threading.get_ident())
        if self.barrier is not None:  # first reads: both workers in read() at once
            barrier, self.barrier = self.barrier, None
            barrier.wait(timeout=30)  # a pass reading one photo at a time breaks it
        r, g, b = (int(v) // 10 for v in rgb.reshape(-1, 3).mean(axis=0))
        box = ((0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0))
        return [OcrLine(f"COLOUR {r} {g} {b} {self.generation}", 0.9, box)]


def _library(fake_library, tmp_path, n: int | None = None):
    from photosearch.core.indexer import Indexer

    for i, colour in enumerate(COLOURS[:n or len(COLOURS)]):
        make_image(tmp_path / "photos" / f"p{i}.png", color=colour)
    Indexer(fake_library).run([str(tmp_path / "photos")])
    return fake_library


def _stored(lib) -> dict[str, list[str]]:
    """Every photo's stored lines: text, score and box."""
    store = TextStore(lib.catalog)
    hashes = [r[0] for r in lib.catalog.conn.execute("SELECT hash FROM photos ORDER BY hash")]
    return {h: [f"{ln.text}|{ln.score:.3f}|{ln.box}" for ln in store.lines(h)] for h in hashes}


def test_two_workers_read_at_once_and_store_what_one_worker_stores(fake_library, tmp_path):
    lib = _library(fake_library, tmp_path)
    ts = TextSettings(nice=0, workers=2)
    a, b = FakeEngine(), FakeEngine()
    a.barrier = b.barrier = threading.Barrier(2)
    report = run_text_pass(lib, settings=ts, engines=[a, b])
    assert (report.read, report.failed, report.error) == (len(COLOURS), 0, None)
    assert a.calls and b.calls and len(a.calls) + len(b.calls) == len(COLOURS)
    parallel = _stored(lib)
    TextStore(lib.catalog).forget()
    report = run_text_pass(lib, settings=TextSettings(nice=0, workers=1),
                           engines=[FakeEngine()])
    assert report.read == len(COLOURS)
    assert _stored(lib) == parallel
    assert all(len(lines) == 1 for lines in parallel.values())


def test_changed_reading_settings_read_the_library_again(fake_library, tmp_path):
    """A user who changes how text is read (detector size, box threshold, decode size,
    fragment filter) expects the library read that way: every photo is pending again and
    the pass re-reads it; until then the old text still answers searches. Speed knobs
    (workers, threads, priority) send nothing back."""
    lib = _library(fake_library, tmp_path, n=3)
    store = TextStore(lib.catalog)
    ts = TextSettings(nice=0)
    run_text_pass(lib, settings=ts, engines=[FakeEngine("A")])
    assert store.pending_count(ts.reading_version()) == 0
    for faster in (TextSettings(nice=5, workers=1, threads=2), TextSettings(nice=0)):
        assert store.pending_count(faster.reading_version()) == 0
        assert run_text_pass(lib, settings=faster, engines=[FakeEngine("X")]).read == 0
    changed = [TextSettings(det_side=1280), TextSettings(det_upscale=False),
               TextSettings(box_thresh=0.5), TextSettings(max_side=2400),
               TextSettings(min_chars=3)]
    assert len({c.reading_version() for c in [ts, *changed]}) == len(changed) + 1
    new = TextSettings(nice=0, det_side=1280)
    assert store.pending_count(new.reading_version()) == 3
    assert len(store.search("colour")) == 3 and store.search("a")  # old text serves
    cancel = threading.Event()
    first = run_text_pass(lib, settings=new, engines=[FakeEngine("B")], cancel=cancel,
                          progress=lambda p: cancel.set())
    assert first.cancelled and first.read == 1
    assert store.pending_count(new.reading_version()) == 2
    assert len(store.search("colour")) == 3  # re-read and not yet re-read photos both found
    second = run_text_pass(lib, settings=new, engines=[FakeEngine("B")])
    assert second.read == 2 and store.pending_count(new.reading_version()) == 0
    hashes = list(_stored(lib))
    assert all(store.record(h).engine == new.reading_version() for h in hashes)
    assert all(lines[0].split("|")[0].endswith(" B") for lines in _stored(lib).values())


def test_cancel_stops_between_photos_with_two_workers(fake_library, tmp_path):
    lib = _library(fake_library, tmp_path)
    cancel = threading.Event()
    seen = []
    report = run_text_pass(lib, settings=TextSettings(nice=0, workers=2),
                           engines=[FakeEngine(), FakeEngine()], cancel=cancel,
                           progress=lambda p: (seen.append(p.done), p.done >= 3 and cancel.set()))
    assert report.cancelled and report.read == 3 and seen == [1, 2, 3]
    assert TextStore(lib.catalog).counts()["read"] == 3  # photos in flight were dropped
    rest = run_text_pass(lib, settings=TextSettings(nice=0, workers=2),
                         engines=[FakeEngine(), FakeEngine()])
    assert rest.read == len(COLOURS) - 3
