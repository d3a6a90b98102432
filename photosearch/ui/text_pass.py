"""The text pass (OCR) in the app: a background thread, woken after each indexing run.

`TextPassController.apply(enabled)` follows the Settings switch: on starts core
`TextWorker` (its own thread and catalog connection, lower CPU priority; never the GUI
thread) and reads what is pending; off cancels it between photos (what was read is kept).
Progress and the end of a pass reach the GUI thread through the Runner's bridge and are
shown in the status bar.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core.text.background import TextWorker
from ..core.text.settings import TextSettings
from ..core.text.textpass import TextProgress, TextReport
from .app_text import app_error
from .workers import Runner


def describe_progress(p: TextProgress) -> str:
    return f"Reading text in photos: {p.done} of {p.total} ({p.with_text} with text)"


def describe_report(r: TextReport) -> str:
    if r.error:
        return f"Text in photos not read: {app_error(r.error)}"
    if r.cancelled:
        return f"Reading text stopped after {r.read} photos"
    return f"Read text in {r.read} photos: {r.with_text} with text" + (
        f", {r.failed} could not be read" if r.failed else "")


class TextPassController(QObject):
    message = Signal(str, int)  # status-bar text, timeout in ms (0: until replaced)
    finished = Signal(object)  # core TextReport

    def __init__(self, lib: Any, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib, self.runner = lib, runner
        self.worker: TextWorker | None = None
        self.last_progress: TextProgress | None = None

    @property
    def enabled(self) -> bool:
        return TextSettings.from_settings(self.lib.settings).enabled

    def apply(self, enabled: bool) -> None:
        """Follow the switch (the caller has put it into lib.settings)."""
        if enabled:
            self.poke()
        else:
            self.stop(timeout=0)  # cancels between photos; the GUI does not wait

    def poke(self) -> None:
        """Indexing finished (or OCR was turned on): read what is new, if OCR is on."""
        if not self.enabled:
            return
        if self.worker is None:
            self.worker = TextWorker(self.lib, on_progress=self._progress_any_thread,
                                     on_done=self._done_any_thread).start()
        self.worker.poke()

    def watch_event(self, event: Any) -> None:
        """The folder watcher applied a batch with new photos: read their text too."""
        if event.kind == "changed" and (event.added or event.linked):
            self.poke()

    def stop(self, timeout: float | None = 10.0) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(timeout)
            self.message.emit("Reading text in photos: off", 5000)

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.running

    # -- from the text thread --------------------------------------------------------------
    def _progress_any_thread(self, p: TextProgress) -> None:
        self.runner.bridge.post(self._progress, p)

    def _done_any_thread(self, r: TextReport) -> None:
        self.runner.bridge.post(self._done, r)

    # -- GUI thread -----------------------------------------------------------------------
    def _progress(self, p: TextProgress) -> None:
        self.last_progress = p
        self.message.emit(describe_progress(p), 0)

    def _done(self, r: TextReport) -> None:
        if r.read or r.failed or r.error or r.cancelled:
            self.message.emit(describe_report(r), 8000)
        self.finished.emit(r)
