"""How many photos the faces pass hands to its worker processes at once: every worker
while no CLIP pass runs, none while it does (the pass waits: faces_pass.workers_now),
asked again before each photo; and the default number of worker processes.

The pool is replaced by one that runs nothing until the pass waits for a result, so the
number of photos in the workers at each moment is exact (no timing, no real processes);
the real process pool is covered by tests/unit/test_people_library.py."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future

import pytest

from photosearch.core.indexer import Indexer
from photosearch.core.library import Library
from photosearch.core.paths import resolve_library
from photosearch.core.people import faces_pass
from photosearch.core.people.models import MODEL_ID, ModelFiles
from photosearch.core.people.store import FaceStore
from tests.conftest import TEST_MODEL, make_image
from tests.unit.people_helpers import model_dir  # noqa: F401


def test_workers_now_is_all_when_idle_and_none_beside_a_clip_pass():
    assert faces_pass.workers_now(2, clip_busy=False) == 2
    assert faces_pass.workers_now(4, clip_busy=False) == 4
    assert faces_pass.workers_now(2, clip_busy=True) == 0
    assert faces_pass.workers_now(1, clip_busy=True) == 0


def test_default_workers_one_per_core_up_to_the_cap_unless_set(monkeypatch):
    class Lib:
        settings = type("S", (), {"people": {"enabled": True}})()

    monkeypatch.setattr(faces_pass.os, "cpu_count", lambda: 2)
    assert faces_pass.default_workers(Lib()) == 2
    monkeypatch.setattr(faces_pass.os, "cpu_count", lambda: 64)
    assert faces_pass.default_workers(Lib()) == faces_pass.MAX_DEFAULT_WORKERS
    monkeypatch.setattr(faces_pass.os, "cpu_count", lambda: None)
    assert faces_pass.default_workers(Lib()) == 1
    Lib.settings.people["workers"] = 3  # the setting wins
    assert faces_pass.default_workers(Lib()) == 3


class _Pool:
    """Stands in for the ProcessPoolExecutor: a submitted photo waits until the pass waits
    for results; then the oldest one is analysed (by _work, in this thread)."""

    def __init__(self, workers, **_kw) -> None:
        self.queued: list[tuple[Future, tuple]] = []
        self.closed = False

    def shutdown(self, wait=True, cancel_futures=False) -> None:
        self.closed = True

    def submit(self, fn, *args) -> Future:
        fut: Future = Future()
        self.queued.append((fut, (fn, args)))
        return fut


class _Analyzer:
    detector_id = "test"

    def analyze(self, path):
        return []  # no face: the photo is still recorded as scanned


@pytest.fixture
def lib_with_photos(tmp_path):
    for i in range(7):
        make_image(tmp_path / "photos" / f"p{i}.jpg", color=(30 * i, 90, 160), size=(96, 64))
    lib = Library.open(resolve_library(tmp_path / "lib"), **TEST_MODEL)
    Indexer(lib, embed=False).run([str(tmp_path / "photos")])
    yield lib
    lib.close()


def _run_counting(monkeypatch, lib, busy_at) -> list[tuple[int, bool]]:
    """Run the pass with 2 workers; busy_at(k) says whether a CLIP pass runs when the pass
    asks for the k-th time. Returns (photos in the workers, busy) at each wait."""
    pools: list[_Pool] = []
    asked = [0]
    seen: list[tuple[int, bool]] = []
    busy_now = [False]
    submitted_while_busy: list[int] = []

    def make_pool(workers, **kw):
        pools.append(_Pool(workers, **kw))
        return pools[-1]

    def clip_busy() -> bool:
        busy_now[0] = busy_at(asked[0])
        asked[0] += 1
        if busy_now[0] and pools:  # nothing new goes to the workers while it runs
            submitted_while_busy.append(len(pools[-1].queued))
        return busy_now[0]

    def fake_wait(futures, return_when):
        assert return_when == FIRST_COMPLETED
        pool = pools[-1]
        waiting = [(f, job) for f, job in pool.queued if not f.done()]
        seen.append((len(waiting), busy_now[0]))
        fut, (fn, args) = waiting[0]
        fut.set_result(fn(*args))
        return {fut}, set(futures) - {fut}

    monkeypatch.setattr(faces_pass, "ProcessPoolExecutor", make_pool)
    monkeypatch.setattr(faces_pass, "wait", fake_wait)
    monkeypatch.setattr(faces_pass, "_worker_analyzer", _Analyzer())
    monkeypatch.setattr(faces_pass, "PAUSE_POLL_S", 0)  # a paused pass asks again at once
    dummy = ModelFiles(*(lib.paths.root / n for n in ("a", "b", "c")))
    report = faces_pass.run(lib, workers=2, files=dummy, clip_busy=clip_busy)
    assert report.photos == 7 and report.problems == 0
    assert len(pools) == 1 and pools[0].closed  # its own pool: ended with the pass
    assert FaceStore(lib.catalog).pending_count(MODEL_ID) == 0
    # between two busy answers in a row, no photo was handed out
    assert all(a == b for a, b in zip(submitted_while_busy, submitted_while_busy[1:]))
    return seen


def test_no_clip_pass_keeps_both_workers_busy(monkeypatch, lib_with_photos):
    seen = _run_counting(monkeypatch, lib_with_photos, lambda k: False)
    assert [n for n, _ in seen] == [2, 2, 2, 2, 2, 2, 1]  # the last photo alone


def test_beside_a_clip_pass_the_pass_waits_then_uses_both_workers(monkeypatch,
                                                                  lib_with_photos):
    asks: list[int] = []

    def busy(k: int) -> bool:
        asks.append(k)
        return k < 5  # a CLIP pass runs for the first five questions, then it is over

    seen = _run_counting(monkeypatch, lib_with_photos, busy)
    assert [n for n, _ in seen] == [2, 2, 2, 2, 2, 2, 1]  # nothing ran while it was busy
    assert all(not b for _, b in seen) and len(asks) > 5


def test_a_clip_pass_starting_mid_pass_takes_effect_at_the_next_photo(monkeypatch,
                                                                      lib_with_photos):
    # asked before each photo is handed out: idle for the first two (both workers get one),
    # then a CLIP pass runs for the next four questions, then it is over
    seen = _run_counting(monkeypatch, lib_with_photos, lambda k: 2 <= k < 6)
    assert seen == [
        (2, True),  # both photos handed out before the CLIP pass started finish
        (1, True),  # and nothing new is handed out beside it
        (2, False), (2, False), (2, False), (2, False),  # it is over: both workers again
        (1, False)]  # the last photo alone


def test_a_kept_pool_serves_the_next_pass_and_ends_only_when_closed(monkeypatch, tmp_path):
    pools: list[_Pool] = []

    def make_pool(workers, **kw):
        pools.append(_Pool(workers, **kw))
        return pools[-1]

    def fake_wait(futures, return_when):
        fut, (fn, args) = next((f, j) for f, j in pools[-1].queued if not f.done())
        fut.set_result(fn(*args))
        return {fut}, set(futures) - {fut}

    monkeypatch.setattr(faces_pass, "ProcessPoolExecutor", make_pool)
    monkeypatch.setattr(faces_pass, "wait", fake_wait)
    monkeypatch.setattr(faces_pass, "_worker_analyzer", _Analyzer())
    lib = Library.open(resolve_library(tmp_path / "lib"), **TEST_MODEL)
    try:
        dummy = ModelFiles(*(tmp_path / n for n in ("a", "b", "c")))
        kept = faces_pass.WorkerPool()
        for batch in range(2):  # two watcher batches of two photos each
            for i in range(2):
                make_image(tmp_path / "photos" / f"b{batch}-{i}.jpg", color=(40 * i, 9, batch))
            Indexer(lib, embed=False).run([str(tmp_path / "photos")])
            report = faces_pass.run(lib, workers=2, files=dummy, pool=kept)
            assert report.photos == 2
        assert len(pools) == 1 and not pools[0].closed and kept.started  # started once
        other = faces_pass.run(lib, workers=1, files=dummy, pool=kept)  # other settings
        assert other.photos == 0 and len(pools) == 1  # nothing to do: no pool needed
        kept.executor(1, faces_pass.detector_config(lib), dummy)
        assert len(pools) == 2 and pools[0].closed  # a pool for other settings replaces it
        kept.close()
        assert pools[1].closed and not kept.started
    finally:
        lib.close()


def test_worker_processes_start_niced_once_not_twice(model_dir):  # noqa: F811
    import os

    from photosearch.core.people.detect import DetectorConfig
    from photosearch.core.people.models import installed

    own = os.getpriority(os.PRIO_PROCESS, 0)
    pool = faces_pass.WorkerPool()
    try:
        with faces_pass._niced():  # as the pass spawns them: from its niced thread
            ex = pool.executor(1, DetectorConfig(), installed(model_dir))
            nice = ex.submit(os.getpriority, os.PRIO_PROCESS, 0).result()
    finally:
        pool.close()
    assert nice == max(own, faces_pass.NICE)  # inherited, and the worker adds nothing
