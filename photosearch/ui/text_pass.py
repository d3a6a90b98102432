"""The text pass (OCR) in the app: a background thread, woken after each indexing run.

`TextPassController` is background_pass.py's controller for core `TextWorker`: it follows
the Settings switch "Read text in photos", is poked after indexing and by watcher batches
with new or newly linked photos, and shows progress in the status bar.
"""

from __future__ import annotations

from typing import Any

from ..core.text.background import TextWorker
from ..core.text.settings import TextSettings
from ..core.text.textpass import TextProgress, TextReport
from .app_text import app_error
from .background_pass import BackgroundPassController


class TextPassController(BackgroundPassController):
    off_message = "Reading text in photos: off"

    @property
    def enabled(self) -> bool:
        return TextSettings.from_settings(self.lib.settings).enabled

    def make_worker(self) -> TextWorker:
        return TextWorker(self.lib, on_progress=self._progress_any_thread,
                          on_done=self._done_any_thread)

    def wants(self, event: Any) -> bool:
        return event.kind == "changed" and bool(event.added or event.linked)

    def describe_progress(self, p: TextProgress) -> str:
        return f"Reading text in photos: {p.done} of {p.total} ({p.with_text} with text)"

    def error_text(self, error: str) -> str:
        return f"Text in photos not read: {app_error(error)}"

    def stopped_text(self, r: TextReport) -> str:
        return f"Reading text stopped after {r.read} photos"

    def done_text(self, r: TextReport) -> str | None:
        if not (r.read or r.failed):
            return None
        return f"Read text in {r.read} photos: {r.with_text} with text" + (
            f", {r.failed} could not be read" if r.failed else "")
