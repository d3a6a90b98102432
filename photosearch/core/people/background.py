"""The faces pass in the background: one thread, woken after indexing, while people is on.

    worker = FacesWorker(library, on_done=callback)   # no Qt here: the app bridges
    worker.start()
    worker.poke()        # after a CLIP pass or a watcher batch: look at what is new
    worker.stop()        # cancels between photos; what was found is kept

The thread is core/background_pass.py's (shared with the text pass); this says only what
the faces pass is. The face analysis itself runs in the pass's worker processes at lower
CPU priority (faces_pass), so the GUI thread and the CLIP pass never wait on it. The
processes are kept from one pass to the next (watcher batches of a few photos would
otherwise each pay the models' load) and end after IDLE_S without a poke, or at stop.
A pass that cannot run (models missing) or raises reports it as `FacesReport.error`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..background_pass import BackgroundPass
from . import faces_pass
from .faces_pass import FacesProgress, FacesReport, WorkerPool
from .models import FaceModelsUnavailable

IDLE_S = 60.0  # ~100 MB per worker process held while idle; a minute covers watcher bursts


class FacesWorker(BackgroundPass[FacesProgress, FacesReport]):
    name = "faces-pass"
    idle_s = IDLE_S

    def __init__(self, library, *, on_progress: Callable[[FacesProgress], None] | None = None,
                 on_done: Callable[[FacesReport], None] | None = None,
                 workers: int | None = None, clip_busy: Callable[[], bool] | None = None):
        super().__init__(library, on_progress=on_progress, on_done=on_done)
        self.workers = workers  # None: the pass's default (setting, else one per core)
        # Is a CLIP pass running now? Then the faces pass keeps to one worker process
        # (faces_pass.workers_now). Asked from this thread: it must be cheap and thread-safe.
        self.clip_busy = clip_busy
        self.pool = WorkerPool()  # used and closed on this worker's thread only

    def enabled(self) -> bool:
        return faces_pass.enabled(self.lib)

    def run_pass(self, cancel: threading.Event,
                 progress: Callable[[FacesProgress], None] | None) -> FacesReport:
        try:
            return faces_pass.run(self.lib, workers=self.workers, cancel=cancel,
                                  progress=progress, clip_busy=self.clip_busy, pool=self.pool)
        except FaceModelsUnavailable as exc:  # expected: says what to install, no traceback
            return FacesReport(error=str(exc))

    def failed(self, exc: Exception) -> FacesReport:
        return FacesReport(error=f"faces pass failed: {exc}")

    def idle(self) -> None:
        self.pool.close()

    def closing(self) -> None:
        self.pool.close()
