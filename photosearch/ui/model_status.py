"""The search model as the window shows it: loading, first-use download, ready or failed.

`ModelStatus` loads the model on the runner's model thread once the window is up (the GUI
never waits on torch), watches the models folder grow while the weights download, and
tells listeners when its state changes. `banner_for` turns that state into the one line
the window's `Banner` shows; the banner says nothing itself about why it changed.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from . import model_info
from .app_text import app_error
from .workers import Runner

DOWNLOAD_POLL_MS = 1000
DOWNLOAD_SHOWN_FROM = 1_000_000  # bytes: smaller growth is not worth a banner
QUERY_GRACE_S = 5.0  # the longest the model load waits for queries queued before it


class ModelStatus(QObject):
    """Owns the model's lifecycle state for the window.

    `status` is idle | loading | ready | failed. `state_changed` fires on every status
    change; `changed` fires whenever anything the banner shows changed (status, error,
    downloaded bytes)."""

    state_changed = Signal(str)  # loading | ready | failed
    changed = Signal()

    def __init__(self, lib: Any, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib = lib
        self.runner = runner
        self.status = "idle"
        self.error: str | None = None
        self.random_weights = False
        self.downloaded = 0
        self._download_base: int | None = None
        self.download_timer = QTimer(self)
        self.download_timer.setInterval(DOWNLOAD_POLL_MS)
        self.download_timer.timeout.connect(self._download_tick)

    def load(self) -> None:
        """Import torch and load the model on the model thread (the window is already up).

        A first use downloads the weights: the models folder is watched meanwhile so the
        banner can say how much has arrived."""
        if self.status in ("loading", "ready"):
            return
        self._download_base = None
        self.downloaded = 0
        self.set_status("loading")
        self.download_timer.start()
        self._download_tick()
        self.runner.submit("model", self._load, on_done=self.loaded, on_error=self.failed)

    def _load(self) -> Any:
        """On the model thread: the torch-free query encoder first (when the model has an
        ONNX export, ~1 s), so the first query is answered without waiting for, or
        competing with, `import torch` (~7 s of CPU on 2 cores); then, once the db thread
        has answered the queries queued before (see _let_queries_finish), the model itself
        (for indexing; no-op extra work when the query encoder already is the model)."""
        self.lib.query_encoder()
        self._let_queries_finish()
        return self.lib.embedder()

    def _let_queries_finish(self) -> None:
        """On the model thread: let the db thread finish what was queued before now (a
        query typed while the window came up: the first thing people do) before the
        model load competes with it for both cores and the GIL. Bounded: a long db job
        only delays the model by QUERY_GRACE_S."""
        if self.runner.closed:
            return
        done = threading.Event()
        self.runner.submit("db", done.set)
        done.wait(QUERY_GRACE_S)

    def _download_tick(self) -> None:
        self.runner.submit("thumbs", folder_bytes, self.lib.paths.models,
                           on_done=self._download_size, on_error=lambda _e: None)

    def _download_size(self, size: int) -> None:
        if self.status != "loading":
            return
        if self._download_base is None:
            self._download_base = size
        grown = size - self._download_base
        if grown > DOWNLOAD_SHOWN_FROM and grown != self.downloaded:
            self.downloaded = grown
            self.changed.emit()

    def set_status(self, status: str) -> None:
        self.status = status
        if status != "loading":
            self.download_timer.stop()
        self.state_changed.emit(status)
        self.changed.emit()

    def loaded(self, embedder: Any) -> None:
        """The model thread has the model (real or random weights)."""
        self.random_weights = bool(getattr(embedder, "random_weights", False))
        self.error = None
        self.set_status("ready")

    def failed(self, exc: BaseException) -> None:
        self.error = app_error(exc)
        self.set_status("failed")

    def index_report(self, report: Any) -> None:
        """An indexing run loads the model too: learn from its report whether that worked."""
        if report.model_error:
            self.failed(RuntimeError(report.model_error))
        elif self.status != "ready" and report.embedded:
            self.set_status("ready")

    def usable(self) -> bool:
        """Whether indexing should try to embed (not after the model failed to load)."""
        return self.status != "failed"


def banner_for(model: ModelStatus, read_only: bool) -> tuple[str, str] | None:
    """The banner's rich text and level (info | warn | error), or None to hide it."""
    if read_only:
        return ("Another photosearch process is indexing this library, so this "
                "window only browses and searches. Close the other one to "
                "index or change folders here.", "warn")
    if model.status == "failed":
        return ("<b>Search is unavailable: the model could not be loaded.</b> "
                f"{html_escape(model.error or '')}<br>Browsing, filters and duplicates keep "
                "working. <a href='settings'>Open Settings</a> to choose a weights file.",
                "error")
    if model.status == "loading" and model.downloaded:
        settings = model.lib.settings
        expected = model_info.download_mb(settings.model, settings.pretrained)
        of = f" of about {expected:,} MB" if expected else ""
        return (f"Downloading the search model (first use only): "
                f"{model.downloaded / 1e6:,.0f} MB{of}… browsing works now.", "info")
    if model.status == "loading":
        return ("Loading the search model in the background… browsing works now.", "info")
    if model.random_weights:
        return ("This library uses a model with <b>random weights</b> (a test "
                "model): search results are meaningless.", "warn")
    return None


class Banner(QLabel):
    """The strip above the results that explains why search is limited (styled by level)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setOpenExternalLinks(False)
        self.hide()

    def show_message(self, html: str, level: str = "info") -> None:
        self.setText(html)
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    def show_state(self, message: tuple[str, str] | None) -> None:
        """Show `banner_for`'s answer, or hide the banner when there is nothing to say."""
        if message is None:
            self.hide()
        else:
            self.show_message(*message)


def folder_bytes(folder: str | os.PathLike[str]) -> int:
    """Total size of the files under `folder` (worker thread; missing folder: 0)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def html_escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
