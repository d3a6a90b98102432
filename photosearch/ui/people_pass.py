"""The faces pass (people) in the app: a background thread, woken after each indexing run
and each watcher batch with new photos, like the text pass (text_pass.py).

`PeoplePassController.apply(enabled)` follows the Settings switch "Find people in photos":
on starts core `FacesWorker` (its own thread and catalog connection; the face analysis runs
in worker processes at lower CPU priority, never on the GUI thread) and looks at what is
pending; off cancels it between photos (what was found is kept; deleting it is `forget`,
a People-screen / CLI action with confirmation). Progress and the end of a pass reach the
GUI thread through the Runner's bridge and are shown in the status bar.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from ..core.people import faces_pass
from ..core.people.background import FacesWorker
from ..core.people.faces_pass import FacesProgress, FacesReport
from .workers import Runner


def describe_progress(p: FacesProgress) -> str:
    return f"Finding people in photos: {p.done} of {p.total} ({p.faces} faces)"


def describe_report(r: FacesReport) -> str:
    if r.error:
        return f"People not looked for: {r.error}"
    if r.cancelled:
        return f"Finding people stopped after {r.photos} photos"
    return f"Looked for people in {r.photos} photos: {r.faces} faces" + (
        f", {r.problems} could not be read" if r.problems else "")


class PeoplePassController(QObject):
    message = Signal(str, int)  # status-bar text, timeout in ms (0: until replaced)
    finished = Signal(object)  # core FacesReport

    def __init__(self, lib: Any, runner: Runner, parent: QObject | None = None, *,
                 workers: int | None = None) -> None:
        super().__init__(parent)
        self.lib, self.runner = lib, runner
        self.workers = workers  # None: the pass's default (tests may use 0: in-process)
        self.worker: FacesWorker | None = None
        self.last_progress: FacesProgress | None = None

    @property
    def enabled(self) -> bool:
        return faces_pass.enabled(self.lib)

    def apply(self, enabled: bool) -> None:
        """Follow the switch (the caller has put it into lib.settings)."""
        if enabled:
            self.poke()
        else:
            self.stop(timeout=0)  # cancels between photos; the GUI does not wait

    def poke(self) -> None:
        """Indexing finished (or people was turned on): look at what is new, if on."""
        if not self.enabled:
            return
        if self.worker is None:
            self.worker = FacesWorker(self.lib, on_progress=self._progress_any_thread,
                                      on_done=self._done_any_thread,
                                      workers=self.workers).start()
        self.worker.poke()

    def watch_event(self, event: Any) -> None:
        """The folder watcher applied a batch with new photos: find their faces too."""
        if event.kind in ("changed", "reconciled") and event.added:
            self.poke()

    def stop(self, timeout: float | None = 10.0) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(timeout)
            self.message.emit("Finding people in photos: off", 5000)

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.running

    # -- from the faces thread -------------------------------------------------------------
    def _progress_any_thread(self, p: FacesProgress) -> None:
        self.runner.bridge.post(self._progress, p)

    def _done_any_thread(self, r: FacesReport) -> None:
        self.runner.bridge.post(self._done, r)

    # -- GUI thread -----------------------------------------------------------------------
    def _progress(self, p: FacesProgress) -> None:
        self.last_progress = p
        self.message.emit(describe_progress(p), 0)

    def _done(self, r: FacesReport) -> None:
        if r.photos or r.error or r.cancelled:
            self.message.emit(describe_report(r), 8000)
        self.finished.emit(r)
