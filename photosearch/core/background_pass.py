"""A later indexing pass in the background: one thread, woken after indexing, while on.

    worker = SomePassWorker(library, on_done=callback)   # no Qt here: the app bridges
    worker.start()
    worker.poke()        # after a CLIP pass or a watcher batch: look at what is new
    worker.stop()        # cancels between photos; what was done is kept

The faces pass (people/background.py) and the text pass (text/background.py) are the same
thread with a different pass inside, so the thread lives here once and each pass says only
what differs: whether it is switched on (`enabled`), how one pass runs (`run_pass`), and
what a pass that raised reports (`failed`). The thread uses its own catalog connection
(Library hands one out per thread) and only coordinates; the owner pokes it only after a
CLIP batch is committed, so search and the CLIP pass go first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

log = logging.getLogger(__name__)

R = TypeVar("R")  # the pass's report
P = TypeVar("P")  # the pass's progress


class BackgroundPass(Generic[P, R]):
    """The thread; subclasses say what the pass is (`name`, `enabled`, `run_pass`)."""

    name = "background-pass"  # the thread's name, and what a failure log line says
    idle_s: float | None = None  # call idle() after this long without a poke (None: never)

    def __init__(self, library: Any, *, on_progress: Callable[[P], None] | None = None,
                 on_done: Callable[[R], None] | None = None):
        self.lib = library
        self.on_progress = on_progress
        self.on_done = on_done
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: R | None = None

    # -- what a pass says -------------------------------------------------------------------
    def enabled(self) -> bool:
        """Is the pass switched on? Read at each wake-up: off makes a poke a no-op."""
        raise NotImplementedError

    def run_pass(self, cancel: threading.Event, progress: Callable[[P], None] | None) -> R:
        """One pass over what is pending, on this thread (self.lib.catalog is its own)."""
        raise NotImplementedError

    def failed(self, exc: Exception) -> R | None:
        """The report of a pass that raised, or None to report nothing (the default)."""
        return None

    def idle(self) -> None:
        """No poke for idle_s seconds (on this thread): let go of what a pass keeps warm."""

    def closing(self) -> None:
        """The thread is ending (on this thread): let go of everything."""

    # -- the thread ---------------------------------------------------------------------------
    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        return self

    def poke(self) -> None:
        """Look at pending photos soon (no-op while the pass is off)."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._cancel.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._wake.wait(self.idle_s):
                    self.idle()
                    self._wake.wait()
                self._wake.clear()
                if self._stop.is_set():
                    break
                if not self.enabled():
                    continue
                try:
                    report: R | None = self.run_pass(self._cancel, self.on_progress)
                except Exception as exc:  # noqa: BLE001 - the worker outlives one bad pass
                    log.exception("%s failed", self.name)
                    report = self.failed(exc)
                if report is None:
                    continue
                self.last_report = report
                if self.on_done:
                    self.on_done(report)
        finally:
            try:
                self.closing()
            finally:
                self.lib.close_thread_catalog()
