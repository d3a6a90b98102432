"""A later indexing pass (faces, text) in the app: the controller both passes share.

`apply(enabled)` follows the pass's Settings switch: on starts the pass's core worker
(core/background_pass.py: its own thread and catalog connection, lower CPU priority; never
the GUI thread) and looks at what is pending; off cancels it between photos (what was done
is kept). Indexing runs and watcher batches with new photos poke it. Progress and the end
of a pass reach the GUI thread through the Runner's bridge and are shown in the status bar.

A subclass says what differs: whether the pass is on, how its worker is made, which
watcher events concern it and the status-bar wording.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core.background_pass import BackgroundPass
from .workers import Runner


class BackgroundPassController(QObject):
    message = Signal(str, int)  # status-bar text, timeout in ms (0: until replaced)
    finished = Signal(object)  # the core pass's report

    off_message = ""  # the status bar's line when the switch turns the pass off

    def __init__(self, lib: Any, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib, self.runner = lib, runner
        self.worker: BackgroundPass | None = None
        self.last_progress: Any = None

    # -- what a pass says -------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        raise NotImplementedError

    def make_worker(self) -> BackgroundPass:
        """The pass's core worker, reporting through `_progress_any_thread`/`_done_any_thread`."""
        raise NotImplementedError

    def wants(self, event: Any) -> bool:
        """Does this watcher event bring photos the pass should look at?"""
        raise NotImplementedError

    def describe_progress(self, progress: Any) -> str:
        raise NotImplementedError

    def error_text(self, error: str) -> str:
        """The status bar's line for a pass that could not run."""
        raise NotImplementedError

    def stopped_text(self, report: Any) -> str:
        """... for a pass cancelled between photos."""
        raise NotImplementedError

    def done_text(self, report: Any) -> str | None:
        """... for a finished pass, or None when it had nothing to do."""
        raise NotImplementedError

    def describe_report(self, r: Any) -> str | None:
        """The status bar's line for the end of a pass, or None when there is nothing to say."""
        if r.error:
            return self.error_text(r.error)
        return self.stopped_text(r) if r.cancelled else self.done_text(r)

    # -- the shared behaviour ---------------------------------------------------------------
    def apply(self, enabled: bool) -> None:
        """Follow the switch (the caller has put it into lib.settings)."""
        if enabled:
            self.poke()
        else:
            self.stop(timeout=0)  # cancels between photos; the GUI does not wait

    def poke(self) -> None:
        """Indexing finished (or the pass was turned on): look at what is new, if on."""
        if not self.enabled:
            return
        if self.worker is None:
            self.worker = self.make_worker().start()
        self.worker.poke()

    def watch_event(self, event: Any) -> None:
        """The folder watcher applied a batch: look at its new photos too."""
        if self.wants(event):
            self.poke()

    def stop(self, timeout: float | None = 10.0) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(timeout)
            self.message.emit(self.off_message, 5000)

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.running

    # -- from the pass's thread ---------------------------------------------------------------
    def _progress_any_thread(self, p: Any) -> None:
        self.runner.bridge.post(self._progress, p)

    def _done_any_thread(self, r: Any) -> None:
        self.runner.bridge.post(self._done, r)

    # -- GUI thread -----------------------------------------------------------------------
    def _progress(self, p: Any) -> None:
        self.last_progress = p
        self.message.emit(self.describe_progress(p), 0)

    def _done(self, r: Any) -> None:
        text = self.describe_report(r)
        if text is not None:
            self.message.emit(text, 8000)
        self.finished.emit(r)
