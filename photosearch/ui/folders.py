"""Folders and indexing as the window drives them: add, remove, exclude, index now, follow
the watcher, and keep the sidebar, the counts and the status bar's progress in step.

`FoldersCoordinator` submits every catalog change to the window's `Runner` and never
touches widgets outside the status bar's indexing strip; what the rest of the window should
do about a change (re-run the search, refill a grid with room, update the folder list)
leaves as signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from ..core import library_ops
from .app_text import app_error
from .file_dialogs import start_dir
from .sidebar import folder_statuses
from .status_bar import IndexProgress, ProblemsButton
from .workers import IndexingController, LiveWatcher, Runner

REFRESH_WHILE_INDEXING_MS = 3000


class FoldersCoordinator(QObject):
    """The library's folders and the indexing runs over them, for one window.

    - `results_stale`: the library changed under the current request: re-run it.
    - `results_may_grow`: photos arrived: refill the grid if it has room.
    - `folders_changed(statuses)`: the sidebar's folder list (FolderStatus rows).
    - `index_report(report)`: an indexing run ended (before the refresh it causes), so the
      model status can learn whether the model loaded.
    - `first_run_wanted`: the library has no folders and the first-run flow is enabled.
    - `message(text, ms)`: a status-bar line.

    `confirm(text)` asks the user yes/no; `can_embed()` says whether indexing should embed
    (not once the model failed to load)."""

    results_stale = Signal()
    results_may_grow = Signal()
    folders_changed = Signal(list)
    index_report = Signal(object)
    first_run_wanted = Signal()
    message = Signal(str, int)

    def __init__(self, *, lib: Any, runner: Runner, indexing: IndexingController,
                 live: LiveWatcher, progress: IndexProgress, problems_button: ProblemsButton,
                 library_label: QLabel, host: QWidget, confirm: Callable[[str], bool],
                 can_embed: Callable[[], bool], read_only: bool = False,
                 first_run: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib = lib
        self.runner = runner
        self.indexing = indexing
        self.live = live
        self.progress = progress
        self.problems_button = problems_button
        self.library_label = library_label
        self.host = host
        self.confirm = confirm
        self.can_embed = can_embed
        self.read_only = read_only
        self.first_run_enabled = first_run and not read_only
        self.counts: dict = {}
        self.closed = False
        self._after_indexing: list[Callable[[], None]] = []
        self._reindex_pending = False
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_WHILE_INDEXING_MS)
        self.refresh_timer.timeout.connect(self._refresh_while_indexing)
        progress.pause_toggled.connect(lambda p: indexing.pause() if p else indexing.resume())
        progress.cancel_requested.connect(indexing.cancel)
        indexing.progress.connect(self._index_progress)
        indexing.finished.connect(self._index_finished)
        indexing.failed.connect(self._index_failed)
        indexing.running_changed.connect(self._index_running)
        live.event.connect(self._watch_event)

    # == the library's folders ===========================================================
    def refresh(self) -> None:
        """Re-read the folder list and the counts (db thread) into the sidebar/status bar."""
        self.runner.submit("db", folder_statuses, self.lib.catalog,
                           on_done=self.folders_changed.emit)
        self.runner.submit("db", self.lib.catalog.counts, self.lib.model_id,
                           on_done=self._counts_arrived)

    def _counts_arrived(self, counts: dict) -> None:
        self.counts = counts
        self.library_label.setText(f"{counts['photos']:,} photos · "
                                   f"{counts['embedded']:,} searchable")
        self.problems_button.set_count(counts["problems"])

    def check_at_start(self) -> None:
        """Read the folders once the window is up (db thread), then `_folders_at_start`."""
        self.runner.submit("db", self.lib.catalog.folders, on_done=self._folders_at_start)

    def _folders_at_start(self, folders: list) -> None:
        """Catch up with changes made while the app was closed, then follow the folders
        live; or, on a library without folders, the first-run flow."""
        if self.closed:
            return
        if folders and self.live.wanted:
            self.start_indexing()
        elif not folders and self.first_run_enabled:
            self.first_run_wanted.emit()

    def add_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self.host, "Add a photo folder", start_dir())
        if path:
            self.add_folders([path])

    def add_folders(self, paths: list[str]) -> None:
        """Register folders (worker thread), then index them."""
        def added(_paths: object) -> None:
            self.refresh()
            self.start_indexing()

        self.runner.submit("db", library_ops.add_folders, self.lib, list(paths),
                           on_done=added, on_error=self._op_failed)

    def _op_failed(self, exc: Exception) -> None:
        self.message.emit(app_error(exc), 10000)

    def remove_folder(self, path: str, confirmed: bool = False) -> None:
        if not confirmed and not self.confirm(
                f"Stop managing {path}?\n\nIts photos leave the library (search, "
                "tags, duplicates). Nothing on disk is touched."):
            return
        if self.indexing.running:  # the indexer must not write into a vanishing folder
            self._after_indexing.append(lambda: self.remove_folder(path, confirmed=True))
            self.indexing.cancel()
        else:  # the watcher too: stopped (on a worker) before, restarted after
            resume = self.live.wanted
            self.live.wanted = False
            self.live.stop(then=lambda: self.remove_folder_now(path, resume))

    def remove_folder_now(self, path: str, resume_watching: bool = False) -> None:
        def done(n: int) -> None:
            self.message.emit(f"Removed {path} ({n:,} files forgotten)", 5000)
            self.refresh()
            self.results_stale.emit()
            if resume_watching:
                self.live.wanted = True
                if not self.indexing.running:
                    self.live.start()

        def failed(exc: Exception) -> None:
            self._op_failed(exc)
            if resume_watching:
                self.live.wanted = True
                self.live.start()

        self.runner.submit("db", library_ops.remove_folder, self.lib, path, on_done=done,
                           on_error=failed)

    def exclude_dialog(self, start: str = "") -> None:
        path = QFileDialog.getExistingDirectory(self.host, "Exclude a sub-folder from the library",
                                                start or start_dir())
        if path:
            self.exclude_path(path)

    def exclude_path(self, path: str) -> None:
        """Never index `path` again (saved in the library settings); the photos already
        indexed under it leave the library at once. Files on disk are untouched."""
        def done(report: library_ops.ExcludeReport) -> None:
            self.message.emit(f"Excluded {path}: {report.forgotten:,} photos left the "
                              "library (the files are untouched)", 8000)
            self.refresh()
            self.results_stale.emit()
            self.start_indexing()  # a run in flight may have re-added some: it forgets them

        self.runner.submit("db", library_ops.exclude, self.lib, [path], on_done=done,
                           on_error=self._op_failed)

    # == indexing ========================================================================
    def retry_problems(self) -> bool:
        """Index again, reading known-bad files even if unchanged (problems dialog Retry)."""
        if self.read_only or self.indexing.running:
            return False
        return self.indexing.start(None, embed=self.can_embed(), retry_problems=True)

    def start_indexing(self) -> bool:
        if self.read_only:
            return False
        if self.indexing.running:
            self._reindex_pending = True
            return False
        embed = self.can_embed()
        self.live.embed = embed
        return self.indexing.start(None, embed=embed)

    def _index_running(self, running: bool) -> None:
        self.progress.set_running(running)
        if running:
            self.refresh_timer.start()
        else:
            self.refresh_timer.stop()

    def _index_progress(self, status: Any) -> None:
        self.progress.update_status(status)
        if status.problems and status.problems != self.problems_button.count:
            self.problems_button.set_count(max(status.problems, self.counts.get("problems", 0)))

    def _index_finished(self, report: Any) -> None:
        # "embedded" counts new photos and photos re-embedded for a new model alike
        parts = []
        if report.embedded:
            parts.append(f"{report.embedded:,} photos made searchable")
        if report.cataloged:
            parts.append(f"{report.cataloged:,} photos added for browsing (search needs "
                         "the model)")
        if report.linked:
            parts.append(f"{report.linked:,} moved or copied")
        if report.removed:
            parts.append(f"{report.removed:,} removed")
        if report.problems:
            parts.append(f"{report.problems:,} problems")
        if report.offline_roots:
            parts.append(f"{len(report.offline_roots)} folder(s) offline")
        verb = "Indexing stopped" if report.cancelled else "Indexing done"
        self.progress.show_message(f"{verb}: " + (", ".join(parts) or "no changes"))
        self.index_report.emit(report)
        self.refresh()
        self.results_stale.emit()
        self._drain_after_indexing()

    def _index_failed(self, message: str) -> None:
        self.progress.show_message(message)
        self.refresh()
        self._drain_after_indexing()

    def _drain_after_indexing(self) -> None:
        pending, self._after_indexing = self._after_indexing, []
        for fn in pending:
            fn()
        if self._reindex_pending:
            self._reindex_pending = False
            self.start_indexing()

    def _refresh_while_indexing(self) -> None:
        """While indexing, refill a grid that is not full yet (first run: photos appear)."""
        self.refresh()
        self.results_may_grow.emit()

    def _watch_event(self, event: Any) -> None:
        """Changes the folder watcher applied (new, moved, deleted photos; drives)."""
        parts = [f"{n:,} {what}" for n, what in ((event.added, "new"),
                 (event.linked + event.moved, "moved or copied"), (event.removed, "removed"))
                 if n]
        if event.kind in ("changed", "reconciled") and parts:  # live, or caught up at start
            self.message.emit("Folders changed: " + ", ".join(parts), 8000)
        elif event.kind in ("offline", "online", "warning", "error") and event.message:
            self.message.emit(event.message, 10_000)
        if event.kind in ("changed", "offline", "online", "reconciled"):
            self.refresh()
            self.results_may_grow.emit()

    # == shutdown ========================================================================
    def stop(self) -> None:
        """The window is closing: no more refreshes, cancel indexing, stop following."""
        self.closed = True
        self.refresh_timer.stop()
        self.indexing.cancel()
        self.live.wanted = False
