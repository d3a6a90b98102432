"""The text pass in the background: one thread, woken after indexing, while OCR is on.

    worker = TextWorker(library, on_done=callback)   # no Qt here: the app bridges
    worker.start()
    worker.poke()        # after a CLIP pass or a watcher batch: read what is new
    worker.stop()        # cancels between photos; what was read is kept

The thread uses its own catalog connection (Library hands one out per thread), runs at
lower CPU priority (textpass lowers the calling thread's), and never holds up indexing or
search: the CLIP pass goes first because the owner pokes it only after a batch is
committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .settings import TextSettings
from .textpass import TextProgress, TextReport, run_text_pass

log = logging.getLogger(__name__)


class TextWorker:
    def __init__(self, library, *, on_progress: Callable[[TextProgress], None] | None = None,
                 on_done: Callable[[TextReport], None] | None = None):
        self.lib = library
        self.on_progress = on_progress
        self.on_done = on_done
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: TextReport | None = None

    def start(self) -> TextWorker:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="text-pass", daemon=True)
            self._thread.start()
        return self

    def poke(self) -> None:
        """Read pending photos soon (no-op while OCR is off)."""
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
                settings = TextSettings.from_settings(self.lib.settings)
                if not settings.enabled:
                    continue
                try:  # self.lib.catalog: this thread's own connection
                    report = run_text_pass(self.lib, cancel=self._cancel,
                                           progress=self.on_progress, settings=settings)
                except Exception:  # noqa: BLE001 - the worker must outlive one bad pass
                    log.exception("text pass failed")
                    continue
                self.last_report = report
                if self.on_done:
                    self.on_done(report)
        finally:
            self.lib.close_thread_catalog()
