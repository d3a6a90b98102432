"""Bridges from the GUI thread to the core engine: every disk, model and index call runs here.

The GUI thread never waits on the catalog, the model or the vector index. Work is
submitted to thread pools owned by one `Runner`; results come back to the GUI thread
through a queued signal on a QObject that lives there, so callbacks always run on the GUI
thread. Three pools keep slow work from starving quick work:

- `db`: one thread for the app's own reads and small writes (searches, folders, counts);
- `model`: one thread, loads the CLIP model in the background (imports torch);
- `thumbs`: a few threads decoding thumbnails (no catalog access).

Indexing runs on its own pool through `IndexingController`. Each pool thread gets its own
catalog connection from `Library.catalog`, so a long batch commit never delays a search.
Pool threads never expire, so the set of connections stays small and fixed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, QThreadPool, Signal

from .app_text import app_error

log = logging.getLogger(__name__)

Callback = Callable[[object], None] | None


_DELIVERY = QEvent.Type(QEvent.registerEventType())


class _Delivery(QEvent):
    """One result travelling from a worker thread to the GUI thread."""

    def __init__(self, callback, value) -> None:
        super().__init__(_DELIVERY)
        self.callback, self.value = callback, value


class _Bridge(QObject):
    """Lives on the GUI thread; worker threads post to it, the GUI thread runs the callbacks.

    Worker threads use QCoreApplication.postEvent (thread-safe, delivered in order) rather
    than Signal.emit: PySide6 6.12.0 on Python 3.11 lost a reference to True on every emit
    from a non-GUI thread (and to None on every void call), aborting the interpreter after
    a few thousand calls. pyproject pins PySide6 below 6.12; tests/ui/test_workers.py
    checks that neither path leaks.
    """

    def post(self, callback, value) -> None:  # any thread
        QCoreApplication.postEvent(self, _Delivery(callback, value))

    def customEvent(self, event) -> None:  # GUI thread
        if event.type() == _DELIVERY and event.callback is not None:
            event.callback(event.value)


class _Job(QRunnable):
    def __init__(self, runner: Runner, fn, args, on_done: Callback, on_error: Callback):
        super().__init__()
        self.runner, self.fn, self.args = runner, fn, args
        self.on_done, self.on_error = on_done, on_error

    def run(self) -> None:  # worker thread
        try:
            value = self.fn(*self.args)
        except Exception as exc:  # reported to the GUI, never swallowed
            log.debug("background job %s failed", getattr(self.fn, "__name__", self.fn),
                      exc_info=True)
            self.runner.bridge.post(self.on_error or self.runner.default_error, exc)
            return
        self.runner.bridge.post(self.on_done, value)


class Runner:
    """Thread pools plus the bridge back to the GUI thread; one per main window."""

    def __init__(self, thumb_threads: int = 2) -> None:
        self.bridge = _Bridge()
        self.pools = {name: QThreadPool() for name in ("db", "model", "thumbs", "index")}
        self.pools["db"].setMaxThreadCount(1)
        self.pools["model"].setMaxThreadCount(1)
        self.pools["index"].setMaxThreadCount(1)
        self.pools["thumbs"].setMaxThreadCount(max(1, thumb_threads))
        for pool in self.pools.values():  # each thread keeps its catalog connection
            pool.setExpiryTimeout(-1)
        self.default_error: Callable[[Exception], None] = lambda exc: log.error("%s", exc)
        self.closed = False

    def submit(self, pool: str, fn, *args, on_done: Callback = None,
               on_error: Callback = None) -> None:
        if self.closed:  # shutting down: the library is about to close under any new job
            return
        self.pools[pool].start(_Job(self, fn, args, on_done, on_error))

    def close(self, msecs: int = 30_000) -> bool:
        """Accept no more jobs and wait for the running ones; False if one is still busy."""
        self.closed = True
        return self.wait(msecs)

    def emit(self, callback, value) -> None:
        """From a worker thread: run `callback(value)` on the GUI thread."""
        self.bridge.post(callback, value)

    def clear_pending(self, pool: str) -> None:
        """Drop queued (not yet started) jobs, e.g. thumbnails scrolled out of view."""
        self.pools[pool].clear()

    def wait(self, msecs: int = 30_000) -> bool:
        ok = True
        for pool in self.pools.values():
            pool.clear()
        for pool in self.pools.values():
            ok = pool.waitForDone(msecs) and ok
        return ok


@dataclass
class IndexStatus:
    """What the status bar shows about a run."""

    phase: str
    done: int
    total: int
    embedded: int
    problems: int
    rate: float | None  # files per second
    eta_s: float | None


class RateMeter:
    """Files per second over a sliding window, and the ETA it implies."""

    def __init__(self, window_s: float = 10.0) -> None:
        self.window_s = window_s
        self.samples: list[tuple[float, int]] = []

    def add(self, done: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window_s:
            self.samples.pop(0)

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 and d1 > d0 else None

    def eta(self, done: int, total: int) -> float | None:
        r = self.rate()
        return (total - done) / r if r and total >= done else None


class IndexingController(QObject):
    """Runs `Indexer` on a worker thread with progress, pause/resume and cancel."""

    progress = Signal(object)  # IndexStatus
    finished = Signal(object)  # core IndexReport
    failed = Signal(str)
    running_changed = Signal(bool)

    PROGRESS_INTERVAL_S = 0.1  # at most ~10 GUI updates a second, however fast files go

    def __init__(self, lib, runner: Runner, watcher: LiveWatcher | None = None) -> None:
        super().__init__()
        self.lib = lib
        self.runner = runner
        self.watcher = watcher  # stopped during a run, restarted after it
        self.cancel_event = threading.Event()
        self.pause_event = threading.Event()
        self.running = False
        self._meter = RateMeter()
        self._last_emit = 0.0

    @property
    def paused(self) -> bool:
        return self.pause_event.is_set()

    def start(self, roots: list[str] | None = None, embed: bool = True,
              retry_problems: bool = False) -> bool:
        """Start a run (all registered folders by default); False if one is running.
        `retry_problems`: read known-bad files again even if unchanged (Retry button)."""
        if self.running:
            return False
        self.cancel_event.clear()
        self.pause_event.clear()
        self._meter = RateMeter()
        self.running = True
        self.running_changed.emit(True)
        if self.watcher is not None:
            self.runner.submit("index", self.watcher._stop)  # same pool: runs first
        self.runner.submit("index", self._run, roots, embed, retry_problems,
                           on_done=self._done, on_error=self._error)
        return True

    def pause(self) -> None:
        self.pause_event.set()

    def resume(self) -> None:
        self.pause_event.clear()

    def cancel(self) -> None:
        self.cancel_event.set()
        self.pause_event.clear()

    # -- worker thread ------------------------------------------------------------------
    def _run(self, roots, embed: bool, retry_problems: bool = False):
        from ..core.indexer import Indexer

        indexer = Indexer(self.lib, progress=self._on_progress, cancel=self.cancel_event,
                          paused=self.pause_event, embed=embed, retry_problems=retry_problems)
        return indexer.run(roots)

    def _on_progress(self, p) -> None:
        now = time.monotonic()
        if p.phase == "indexing":
            self._meter.add(p.done, now)
        if p.phase == "indexing" and now - self._last_emit < self.PROGRESS_INTERVAL_S \
                and p.done < p.total:
            return
        self._last_emit = now
        status = IndexStatus(p.phase, p.done, p.total, p.embedded, p.problems,
                             self._meter.rate(), self._meter.eta(p.done, p.total))
        self.runner.emit(self.progress.emit, status)

    # -- GUI thread ---------------------------------------------------------------------
    def _done(self, report) -> None:
        self.running = False
        self.running_changed.emit(False)
        self.finished.emit(report)
        self._resume_watching()

    def _resume_watching(self) -> None:
        if self.watcher is not None and self.watcher.wanted:
            self.watcher.start()

    def _error(self, exc: Exception) -> None:
        self.running = False
        self.running_changed.emit(False)
        self._resume_watching()
        log.error("indexing failed: %s", exc, exc_info=exc)
        self.failed.emit(f"Indexing stopped: {app_error(exc)}")


class LiveWatcher(QObject):
    """Follows the library's folders between indexing runs (core `LibraryWatcher`).

    The watcher and `IndexingController` never write at the same time: a run stops the
    watcher first and starts it again when done. Starting and stopping (which joins the
    watcher's threads) happen on the `index` pool, never on the GUI thread. Watch events
    arrive on the GUI thread as `event`.
    """

    event = Signal(object)  # core WatchEvent

    def __init__(self, lib, runner: Runner, embed: bool = True) -> None:
        super().__init__()
        self.lib, self.runner, self.embed = lib, runner, embed
        self._watcher = None
        self.wanted = False

    @property
    def running(self) -> bool:
        return self._watcher is not None

    @property
    def busy(self) -> bool:
        """The watcher is indexing a batch now (any thread may ask)."""
        w = self._watcher
        return w is not None and w.busy

    def start(self) -> None:
        self.wanted = True
        self.runner.submit("index", self._start, on_error=self._failed)

    def stop(self, then=None) -> None:
        """Stop (after the batch in flight); `then` runs on the GUI thread afterwards."""
        self.runner.submit("index", self._stop, on_done=lambda _r: then and then(),
                           on_error=self._failed)

    def stop_now(self) -> None:
        """At shutdown: stop and wait (the window is closing anyway)."""
        self.wanted = False
        self._stop()

    def _start(self) -> None:  # index pool
        if self._watcher is not None or not self.wanted:
            return
        from ..core.watcher import LibraryWatcher

        self._watcher = LibraryWatcher(
            self.lib, embed=self.embed,
            on_event=lambda e: self.runner.emit(self.event.emit, e)).start()

    def _stop(self) -> None:  # index pool
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop(timeout=30)

    def _failed(self, exc: Exception) -> None:
        log.error("folder watching failed: %s", exc, exc_info=exc)
        from ..core.watcher import WatchEvent

        self.event.emit(WatchEvent("error", message=f"folder watching stopped: {app_error(exc)}"))
