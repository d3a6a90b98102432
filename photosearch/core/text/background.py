"""The text pass in the background: one thread, woken after indexing, while OCR is on.

    worker = TextWorker(library, on_done=callback)   # no Qt here: the app bridges
    worker.start()
    worker.poke()        # after a CLIP pass or a watcher batch: read what is new
    worker.stop()        # cancels between photos; what was read is kept

The thread is core/background_pass.py's (shared with the faces pass); this says only what
the text pass is. It runs at lower CPU priority (textpass lowers the calling thread's) and
never holds up indexing or search. A pass that raises is logged and reports nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..background_pass import BackgroundPass
from .settings import TextSettings
from .textpass import TextProgress, TextReport, run_text_pass


class TextWorker(BackgroundPass[TextProgress, TextReport]):
    name = "text-pass"

    def enabled(self) -> bool:
        return TextSettings.from_settings(self.lib.settings).enabled

    def run_pass(self, cancel: threading.Event,
                 progress: Callable[[TextProgress], None] | None) -> TextReport:
        return run_text_pass(self.lib, cancel=cancel, progress=progress,
                             settings=TextSettings.from_settings(self.lib.settings))
