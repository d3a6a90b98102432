"""The photos screen's loop: the search bar, chips and sort order make a request, the grid
shows its answer, the line above the grid counts it or says why it is empty.

`SearchFlow` owns the current `SearchRequest`. Every change (typed words, a filter chip,
the sort order, "find similar" on a photo, a pasted or dropped image) edits the request and
re-runs it; counting and writing pasted pixels run on the window's `Runner`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from .filters import FilterBar
from .grid import ResultsGrid
from .model_status import html_escape
from .preview import PreviewPane
from .results_model import ResultsModel
from .search_bar import SearchField, image_files
from .search_service import SearchRequest, SearchService
from .sidebar import Sidebar
from .thumbnails import load_scaled
from .workers import IndexingController, Runner


@dataclass(frozen=True)
class SearchWidgets:
    """The photos screen's widgets the flow reads and updates (the window lays them out)."""

    search: SearchField
    filters: FilterBar
    sort: QComboBox
    count_label: QLabel
    empty_label: QLabel
    similar_bar: QWidget
    similar_label: QLabel
    grid: ResultsGrid
    preview: PreviewPane
    similar_icon: QLabel | None = None  # the query image on the find-similar chip


class SearchFlow(QObject):
    """Runs the current request into the results model and keeps the count line honest.

    `photos_wanted` asks the window to show the photos screen (find-similar and the search
    shortcut start from any screen); `results_changed` repeats each loaded page's row count
    for whoever waits on results (the smoke test, scripts)."""

    results_changed = Signal(int)  # rows loaded
    photos_wanted = Signal()

    def __init__(self, *, service: SearchService, results: ResultsModel, runner: Runner,
                 widgets: SearchWidgets, sidebar: Sidebar, indexing: IndexingController,
                 paste_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.results = results
        self.runner = runner
        self.widgets = widgets
        self.sidebar = sidebar
        self.indexing = indexing
        self.paste_dir = paste_dir
        self.request = SearchRequest()
        self.browse_total: int | None = None
        self.fetch_error: str | None = None
        w = widgets
        w.search.query_changed.connect(self.set_query)
        w.search.image_given.connect(self.find_similar)
        w.search.image_data_given.connect(self.find_similar_to_image)
        w.filters.changed.connect(self._filters_changed)
        w.sort.currentIndexChanged.connect(self._sort_changed)
        results.page_loaded.connect(self._page_loaded)
        results.fetch_failed.connect(self._fetch_failed)
        results.loading_changed.connect(lambda _l: self._update_count())
        w.grid.selectionModel().currentChanged.connect(
            lambda cur, _prev: w.preview.show_result(results.result_at(cur.row())))
        w.preview.find_similar.connect(self.find_similar)

    # == the request =====================================================================
    def focus_search(self) -> None:
        self.photos_wanted.emit()
        self.widgets.search.setFocus()
        self.widgets.search.selectAll()

    def set_query(self, text: str) -> None:
        self.request.text = text
        self.request.similar_to = None
        self.widgets.similar_bar.hide()
        self.run_request()

    def _filters_changed(self) -> None:
        self.request.filters = self.widgets.filters.filters()
        self.run_request()

    def _sort_changed(self) -> None:
        self.request.sort = self.widgets.sort.currentData()
        self.run_request()

    def select_folder(self, path: str) -> None:
        """A folder (or sub-folder) clicked in the sidebar becomes the folder chip."""
        combo = self.widgets.filters.folder
        index = combo.findData(path)
        if index < 0:  # a sub-folder: offered in the chip from now on
            combo.addItem(os.path.basename(path.rstrip(os.sep)) or path, path)
            combo.setItemData(combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        self.photos_wanted.emit()

    def run_request(self) -> None:
        """Show the current request's results (first page now, more on scroll)."""
        self.browse_total = None
        self.fetch_error = None
        self.widgets.search.set_error(None)
        self.widgets.empty_label.hide()
        self.results.set_source(self.service.fetcher(self.request))
        self.widgets.preview.show_result(None)
        req = self.request
        self.runner.submit("db", self.service.count, req,
                           on_done=lambda n, r=req: self._count_arrived(r, n),
                           on_error=lambda _e: None)
        self._update_count()

    def refresh_if_room(self) -> None:
        """The library changed (watcher, indexing): new photos appear where they belong
        and vanished ones leave, in place, so the selection and scroll position stay."""
        self.results.refresh_in_place()
        req = self.request
        self.runner.submit("db", self.service.count, req,
                           on_done=lambda n, r=req: self._count_arrived(r, n),
                           on_error=lambda _e: None)

    # == the count line and the empty state ==============================================
    def _count_arrived(self, req: SearchRequest, n: int | None) -> None:
        if req is self.request:
            self.browse_total = n
            self._update_count()

    def _page_loaded(self, rows: int) -> None:
        self._update_count()
        self.results_changed.emit(rows)
        if rows == 0 and self.results.exhausted and not self.fetch_error:
            self._show_empty()
        elif not self.fetch_error:  # a failed fetch keeps its reason in place of the grid
            self.widgets.empty_label.hide()

    def _show_empty(self) -> None:
        if not self.sidebar.folder_paths():
            text = "No photo folders yet. Add one with “Add…” in the sidebar (Ctrl+O)."
        elif self.indexing.running:
            text = "Indexing… photos appear here as they are added."
        elif self.request.text.strip() and self.service.model_error:
            text = ("No file or folder name contains these words. Searching by what is in "
                    "the photos needs the model (see the message above).")
        elif self.request.text.strip() or self.request.filters.active():
            text = "Nothing matches. Try other words, or remove a filter."
        else:
            text = "No photos found in your folders yet. Press F5 to index them."
        self.widgets.empty_label.setText(text)
        self.widgets.empty_label.show()

    def _fetch_failed(self, message: str) -> None:
        """A query that cannot run (a typo'd filter, a missing image file...): the reason
        in the count line and on the search field (red frame, tooltip), and what to do in
        place of the empty grid."""
        self.fetch_error = message
        self._update_count()
        if self.request.text.strip() and not self.request.similar_to:
            self.widgets.search.set_error(message)
            self.widgets.empty_label.setText(
                "No results because the search could not run: fix what the line above "
                "says, or press Esc to clear the search.")
            self.widgets.empty_label.show()

    def _update_count(self) -> None:
        if self.fetch_error:
            self.widgets.count_label.setText(f"⚠ {self.fetch_error}")
            return
        n = self.results.rowCount()
        more = "" if self.results.exhausted else " (more as you scroll)"
        if self.results.loading and n == 0:
            text = "Searching…" if self.request.text.strip() or self.request.similar_to \
                else "Loading…"
        elif self.browse_total is not None:
            text = f"{n:,} of {self.browse_total:,} photos shown"
            if self.request.text.strip() and self.service.model_error \
                    and not self.request.similar_to:
                text += " · matched by file and folder name (the search model is unavailable)"
        else:
            strong = self.results.strong_count()
            text = f"{n:,} results{more} · {strong:,} strong matches"
            if strong < n:
                text += " · weaker ones after the bar"
            if self.request.sort == "date":
                text += " · by date"
        self.widgets.count_label.setText(text)

    # == find similar ====================================================================
    def find_similar(self, path: str) -> None:
        self.photos_wanted.emit()
        self.request.similar_to = path
        self.request.text = ""  # the words are not applied in this mode: never keep them
        self.widgets.search.set_query("", emit=False)
        self.widgets.similar_label.setText(
            f"Similar to <b>{html_escape(os.path.basename(path))}</b>")
        self.widgets.similar_bar.setToolTip(f"Photos that look like {path}")
        self.widgets.similar_bar.show()
        self.run_request()  # first: a new request clears the pending thumbnail jobs
        icon = self.widgets.similar_icon
        if icon is not None:
            icon.clear()
            self.runner.submit("thumbs", load_scaled, path, 56,
                               on_done=lambda img, p=path: self._chip_image(p, img),
                               on_error=lambda _e: None)

    def _chip_image(self, path: str, image: QImage) -> None:
        if self.request.similar_to == path and self.widgets.similar_icon is not None:
            self.widgets.similar_icon.setPixmap(QPixmap.fromImage(image).scaled(
                28, 28, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))

    def clear_similar(self) -> None:
        self.request.similar_to = None
        self.widgets.similar_bar.hide()
        self.run_request()

    def similar_to_current(self) -> None:
        r = self.results.result_at(self.widgets.grid.current_row())
        if r is not None:
            self.find_similar(r.path)

    def find_similar_to_image(self, image: QImage) -> None:
        """Pasted pixels: saved to the cache (worker thread) and searched as a file."""
        target = self.paste_dir / f"{uuid.uuid4().hex}.png"

        def save() -> str:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not image.save(str(target), "PNG"):
                raise OSError(f"could not write {target}")
            return str(target)

        self.runner.submit("thumbs", save, on_done=self.find_similar)

    def paste_image(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        files = image_files(mime) if mime else []
        if files:
            self.find_similar(files[0])
        elif mime is not None and mime.hasImage():
            self.find_similar_to_image(QImage(mime.imageData()))

    def drop(self, mime: QMimeData, accept: Callable[[], None] | None = None) -> bool:
        """An image file dropped on the window: find photos like it. `accept` (the drop
        event's acceptProposedAction) is called first when the drop is taken."""
        files = image_files(mime)
        if not files:
            return False
        if accept is not None:
            accept()
        self.find_similar(files[0])
        return True
