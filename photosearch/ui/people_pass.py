"""The faces pass (people) in the app: a background thread, woken after each indexing run
and each watcher batch with new photos, like the text pass (text_pass.py).

`PeoplePassController` is background_pass.py's controller for core `FacesWorker` (the face
analysis runs in worker processes at lower CPU priority, never on the GUI thread). It
follows the Settings switch "Find people in photos"; off cancels between photos (what was
found is kept; deleting it is `forget`, a People-screen / CLI action with confirmation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from ..core.people import faces_pass
from ..core.people.background import FacesWorker
from ..core.people.faces_pass import FacesProgress, FacesReport
from .background_pass import BackgroundPassController
from .workers import Runner


class PeoplePassController(BackgroundPassController):
    off_message = "Finding people in photos: off"

    def __init__(self, lib: Any, runner: Runner, parent: QObject | None = None, *,
                 workers: int | None = None,
                 clip_busy: Callable[[], bool] | None = None) -> None:
        super().__init__(lib, runner, parent)
        self.workers = workers  # None: the pass's default (tests may use 0: in-process)
        self.clip_busy = clip_busy  # is indexing running? (asked from the faces thread)

    @property
    def enabled(self) -> bool:
        return faces_pass.enabled(self.lib)

    def make_worker(self) -> FacesWorker:
        return FacesWorker(self.lib, on_progress=self._progress_any_thread,
                           on_done=self._done_any_thread, workers=self.workers,
                           clip_busy=self.clip_busy)

    def wants(self, event: Any) -> bool:
        return event.kind in ("changed", "reconciled") and bool(event.added)

    def describe_progress(self, p: FacesProgress) -> str:
        return f"Finding people in photos: {p.done} of {p.total} ({p.faces} faces)"

    def error_text(self, error: str) -> str:
        return f"People not looked for: {error}"

    def stopped_text(self, r: FacesReport) -> str:
        return f"Finding people stopped after {r.photos} photos"

    def done_text(self, r: FacesReport) -> str | None:
        if not r.photos:
            return None
        return f"Looked for people in {r.photos} photos: {r.faces} faces" + (
            f", {r.problems} could not be read" if r.problems else "")
