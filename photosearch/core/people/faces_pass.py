"""The faces pass: a later, opt-in indexing pass that finds and describes faces.

It runs after the CLIP pass, at lower CPU priority, so search never waits for it. It is
resumable: every photo it looks at gets a face_scans row (also when no face was found or the
file could not be read), committed with its faces, so a killed pass loses at most the photos
in flight and a re-run never redoes one. One bad file costs that file only.

dlib holds the GIL while it works (measured on the shared 2-core box: a pure-Python thread
kept 16-24% of its speed beside a thread running the face analysis, against 56% beside a
GIL-releasing numpy thread), so the pass runs in worker processes (spawned, not forked:
safe beside Qt and torch), each loading the models once; the app's GUI thread and the CLIP
pass never wait on it. `workers=0` runs it in the calling thread (tests, scripts).

How many processes work (docs/benchmarks.md, "People (faces): pass speed"): one per core
(up to MAX_DEFAULT_WORKERS) while no CLIP pass runs, none while one does (`clip_busy`:
the pass waits, and photos in the workers finish), so the faces pass takes the idle cores
without slowing indexing. The background worker keeps
its processes between passes (`WorkerPool`): a watcher batch of one photo would otherwise
pay ~1 s of process start and model load.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass

from .. import imaging
from ..catalog import Catalog
from ..library import Library
from . import assign
from .analyze import FaceAnalyzer, FoundFace
from .detect import DetectorConfig
from .face_index import index_path, open_index
from .models import MODEL_ID, ModelFiles, model_files
from .store import FaceStore

log = logging.getLogger(__name__)

NICE = 10  # below the CLIP pass's decode threads (nice 5) and the GUI
# One worker process per core when nothing else indexes (each holds ~100 MB resident, see
# docs/benchmarks.md), but never more than this by default; one while a CLIP pass runs.
MAX_DEFAULT_WORKERS = 4
PAUSE_POLL_S = 0.5  # how often a pass paused beside a CLIP pass asks again
# Set by a frozen build's entry point (installer/launcher.py) right after
# multiprocessing.freeze_support(): spawned workers then start the pass, not the app.
FREEZE_SUPPORT_ENV = "PHOTOSEARCH_FREEZE_SUPPORT"


@dataclass
class FacesProgress:
    done: int
    total: int
    faces: int


@dataclass
class FacesReport:
    photos: int = 0
    faces: int = 0
    problems: int = 0
    matched: int = 0
    new_people: int = 0
    named_from_xmp: int = 0  # faces named by MWG regions in existing sidecars
    cancelled: bool = False
    seconds: float = 0.0
    error: str | None = None  # the pass could not run (e.g. the face models are missing)


def settings_of(lib: Library) -> dict:
    return dict(getattr(lib.settings, "people", None) or {})


def enabled(lib: Library) -> bool:
    return bool(settings_of(lib).get("enabled"))


def detector_config(lib: Library) -> DetectorConfig:
    return DetectorConfig(kind=str(settings_of(lib).get("detector", "hog")))


def default_workers(lib: Library) -> int:
    """Most worker processes: the setting, else one per core up to MAX_DEFAULT_WORKERS (at
    least one). A frozen (installer) build runs the pass in-process (0) unless its entry
    point called multiprocessing.freeze_support() and said so (FREEZE_SUPPORT_ENV)."""
    frozen_ok = not getattr(sys, "frozen", False) or os.environ.get(FREEZE_SUPPORT_ENV) == "1"
    if not frozen_ok:
        return 0
    n = settings_of(lib).get("workers")
    if isinstance(n, int) and n > 0:
        return n
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def workers_now(most: int, clip_busy: bool) -> int:
    """How many photos the worker processes may hold at once: all `most` while no CLIP pass
    runs, none while one does. With one worker beside it the CLIP pass still ran 18-21%
    slower (docs/benchmarks.md, "People (faces): pass speed"): the faces pass waits
    instead, so photos become searchable first and faces follow. Checked before each
    photo is handed out, so a CLIP pass starting mid-pass takes effect within one photo
    per worker."""
    return 0 if clip_busy else most


class WorkerPool:
    """Worker processes kept from one pass to the next: each spawned process imports the
    pass and loads the models once (~1 s CPU, docs/benchmarks.md), which would otherwise be
    paid again by every watcher batch of a few photos. The background worker keeps one
    while people is on and closes it after a quiet minute; `run` without one starts and
    ends its own. Processes start only when a photo finds none idle. Not thread-safe: one
    coordinating thread uses it."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._key: tuple | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def executor(self, workers: int, config: DetectorConfig,
                 files: ModelFiles) -> ProcessPoolExecutor:
        """The pool for these settings; a pool made for others is closed first."""
        key = (workers, config, files)
        if self._pool is not None and self._key != key:
            self.close()
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(config, files))
            self._key = key
        return self._pool

    def close(self) -> None:
        """End the processes (photos in them finish first); the next pass starts new ones."""
        pool, self._pool, self._key = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def run(lib: Library, *, catalog: Catalog | None = None, workers: int | None = None,
        config: DetectorConfig | None = None, cancel: threading.Event | None = None,
        progress: Callable[[FacesProgress], None] | None = None,
        files: ModelFiles | None = None,
        clip_busy: Callable[[], bool] | None = None,
        pool: WorkerPool | None = None) -> FacesReport:
    """Scan every photo not scanned yet, then group the new faces. Call it from a worker
    thread with that thread's own `catalog` connection. Raises FaceModelsUnavailable.

    `workers`: the most worker processes (None: `default_workers`; 0: this thread).
    `clip_busy`: says whether a CLIP pass is running now (the app's indexing run); while it
    does, the pass hands out no photo and waits (see workers_now).
    `pool`: worker processes to use and leave running (the background worker's); without
    one the pass starts its own and ends them when done."""
    start = time.monotonic()
    store = FaceStore(catalog or lib.catalog)
    config = config or detector_config(lib)
    files = files or model_files()
    workers = default_workers(lib) if workers is None else workers
    cancel = cancel or threading.Event()
    report = FacesReport()
    total = store.pending_count(MODEL_ID)
    tick = progress or (lambda p: None)
    if total:
        if workers <= 0:
            _run_inline(store, config, files, cancel, report, lambda: tick(
                FacesProgress(report.photos, total, report.faces)))
        else:
            own = pool is None
            pool = pool or WorkerPool()
            try:
                with _niced():  # processes spawned from this thread start niced
                    _run_pool(pool.executor(workers, config, files), workers, store,
                              config.id, clip_busy, cancel, report, lambda: tick(
                                  FacesProgress(report.photos, total, report.faces)))
            except BaseException:
                pool.close()  # a broken pool (a worker died) is not used again
                raise
            finally:
                if own:
                    pool.close()
    report.cancelled = cancel.is_set()
    index = open_index(store, lib.paths.index_dir, MODEL_ID)
    if not report.cancelled:
        grouped = assign.update(store, index, MODEL_ID)
        report.matched, report.new_people = grouped.matched, grouped.new_people
    if index.dirty and not lib.readonly:
        index.save(index_path(lib.paths.index_dir, MODEL_ID))
    report.seconds = time.monotonic() - start
    return report


def _store(store: FaceStore, detector: str, h: str, faces: list[FoundFace] | None,
           error: str | None, report: FacesReport, paths: list[str] | None = None) -> None:
    ids = store.record_scan(h, MODEL_ID, detector, faces or [], error)
    report.photos += 1
    if error:
        report.problems += 1
        log.info("faces pass: %s: %s", h, error)
    else:
        report.faces += len(faces or [])
        if ids and faces and paths:
            report.named_from_xmp += _names_from_sidecars(store, h, ids, faces, paths)


def _names_from_sidecars(store: FaceStore, h: str, ids: list[int], faces: list[FoundFace],
                         paths: list[str]) -> int:
    """Faces that a sidecar's MWG regions name (digiKam, Lightroom, our own export) join
    that named person as confirmed faces. Returns how many."""
    from .xmp_regions import match_regions, sidecar_regions

    info = store.catalog.photo(h)
    if info is None or not info.width or not info.height:
        return 0
    for path in paths:
        regions = sidecar_regions(path)
        if not regions:
            continue
        named = match_regions(regions, [f.box for f in faces], (info.width, info.height))
        with store.transaction():
            for i, name in named.items():
                people = store.people_named(name)
                person = people[0] if people else store.new_person(name)
                store.assign([ids[i]], person, confirmed=True)
        return len(named)
    return 0


def _run_inline(store, config, files, cancel, report, tick) -> None:
    analyzer = FaceAnalyzer(config, files)
    with _niced():
        while not cancel.is_set():
            todo = store.pending_photos(MODEL_ID, limit=64)
            if not todo:
                break
            for h, paths in todo:
                if cancel.is_set():
                    break
                faces, error = _analyze(analyzer, paths)
                _store(store, analyzer.detector_id, h, faces, error, report, paths)
                tick()


def _run_pool(pool: ProcessPoolExecutor, workers: int, store: FaceStore, detector: str,
              clip_busy: Callable[[], bool] | None, cancel, report, tick) -> None:
    """Hand photos to up to `workers` processes, as many at a time as `workers_now` allows
    (asked before each photo). A process is only spawned when a photo finds none idle, so a
    pass that starts beside a CLIP pass starts one process; each loads the models once."""
    in_flight: dict[Future, tuple[str, list[str]]] = {}
    todo: deque[tuple[str, list[str]]] = deque()
    seen: set[str] = set()  # handed out and not recorded yet

    def hand_out() -> bool:
        """Fill the free workers; False once no photo is left to hand out."""
        while not cancel.is_set() and len(in_flight) < workers_now(
                workers, bool(clip_busy and clip_busy())):
            if not todo:
                todo.extend((h, p) for h, p in store.pending_photos(
                    MODEL_ID, limit=64 + len(seen)) if h not in seen)
                if not todo:
                    return False
            h, paths = todo.popleft()
            seen.add(h)
            in_flight[pool.submit(_work, paths)] = (h, paths)
        return True

    more = hand_out()
    while (in_flight or more) and not cancel.is_set():
        if not in_flight:  # paused: a CLIP pass is running
            cancel.wait(PAUSE_POLL_S)
            more = hand_out()
            continue
        finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        results = []
        for fut in finished:
            h, paths = in_flight.pop(fut)
            try:
                faces, error = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker costs this photo
                if cancel.is_set():
                    continue  # stopping: not this photo's fault, it is scanned next time
                faces, error = None, f"face analysis failed: {exc!r}"
            results.append((h, paths, faces, error))
        try:
            more = hand_out()  # the next photos first, so the workers are not idle meanwhile
        finally:  # also when the pool broke: what came back is kept
            for h, paths, faces, error in results:
                _store(store, detector, h, faces, error, report, paths)
                seen.discard(h)
                tick()
    for fut in in_flight:
        fut.cancel()


def _analyze(analyzer: FaceAnalyzer, paths: list[str]
             ) -> tuple[list[FoundFace] | None, str | None]:
    """Faces from the first readable path of a photo, or (None, reason)."""
    error = "no file of this photo is readable"
    for path in paths:
        try:
            return analyzer.analyze(path), None
        except imaging.ImageError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a decoder/model bug costs one photo
            log.exception("face analysis of %s failed", path)
            error = f"unexpected face analysis error: {exc!r}"
    return None, error


_worker_analyzer: FaceAnalyzer | None = None


def _init_worker(config: DetectorConfig, files: ModelFiles) -> None:
    global _worker_analyzer
    import signal

    # Ctrl+C is for the coordinator (it finishes the photos in flight); a worker killed by
    # it would make its photo look unreadable.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if hasattr(os, "setpriority") and os.getpriority(os.PRIO_PROCESS, 0) < NICE:
            os.setpriority(os.PRIO_PROCESS, 0, NICE)  # usually inherited already (_niced)
    except OSError:
        pass
    imaging.setup_decoders()
    _worker_analyzer = FaceAnalyzer(config, files)


def _work(paths: list[str]) -> tuple[list[FoundFace] | None, str | None]:
    assert _worker_analyzer is not None
    return _analyze(_worker_analyzer, paths)


@contextmanager
def _niced(level: int = NICE) -> Iterator[None]:
    """Run the calling thread at nice `level` at least (Linux applies nice per thread, and
    processes it spawns inherit it: the pass's workers then import and load the models
    niced, not at the CLIP pass's priority). Going back may be refused for unprivileged
    users, which leaves this thread niced: it only coordinates the pass."""
    if not hasattr(os, "setpriority"):
        yield
        return
    tid = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, tid)
    try:
        if before < level:
            os.setpriority(os.PRIO_PROCESS, tid, level)
    except OSError:
        pass
    try:
        yield
    finally:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, before)
        except OSError:
            pass
