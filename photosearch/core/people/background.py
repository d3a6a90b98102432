"""The faces pass in the background: one thread, woken after indexing, while people is on.

    worker = FacesWorker(library, on_done=callback)   # no Qt here: the app bridges
    worker.start()
    worker.poke()        # after a CLIP pass or a watcher batch: look at what is new
    worker.stop()        # cancels between photos; what was found is kept

The same shape as the text pass's `TextWorker`: the thread uses its own catalog connection
(Library hands one out per thread) and only coordinates; the face analysis itself runs in
the pass's worker processes at lower CPU priority (faces_pass), so the GUI thread and the
CLIP pass never wait on it. The owner pokes it only after a CLIP batch is committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from . import faces_pass
from .faces_pass import FacesProgress, FacesReport
from .models import FaceModelsUnavailable

log = logging.getLogger(__name__)


class FacesWorker:
    def __init__(self, library, *, on_progress: Callable[[FacesProgress], None] | None = None,
                 on_done: Callable[[FacesReport], None] | None = None,
                 workers: int | None = None):
        self.lib = library
        self.on_progress = on_progress
        self.on_done = on_done
        self.workers = workers  # None: the pass's default (setting, else half the cores)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: FacesReport | None = None

    def start(self) -> FacesWorker:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="faces-pass", daemon=True)
            self._thread.start()
        return self

    def poke(self) -> None:
        """Look at pending photos soon (no-op while people is off)."""
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
                self._wake.wait()
                self._wake.clear()
                if self._stop.is_set():
                    break
                if not faces_pass.enabled(self.lib):
                    continue
                try:  # the pass uses this thread's own catalog connection (lib.catalog)
                    report = faces_pass.run(self.lib, workers=self.workers,
                                            cancel=self._cancel, progress=self.on_progress)
                except FaceModelsUnavailable as exc:
                    report = FacesReport(error=str(exc))
                except Exception as exc:  # noqa: BLE001 - the worker outlives one bad pass
                    log.exception("faces pass failed")
                    report = FacesReport(error=f"faces pass failed: {exc}")
                self.last_report = report
                if self.on_done:
                    self.on_done(report)
        finally:
            self.lib.close_thread_catalog()
