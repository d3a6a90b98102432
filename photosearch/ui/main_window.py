"""The main window: search field, filter chips, results grid, preview, sidebar, status bar.

Everything that touches the catalog, the model, the index or photo files is submitted to
the window's `Runner`; the methods here only arrange widgets and react to answers.
"""

from __future__ import annotations

import logging
import os
import uuid

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import desktop, model_info, theme
from .filters import FilterBar
from .grid import ResultsGrid
from .preview import PreviewPane, Viewer
from .problems_dialog import ProblemsDialog
from .results_model import ResultsModel
from .search_bar import SearchField, image_files
from .search_service import SearchRequest, SearchService
from .sidebar import Sidebar, folder_statuses
from .status_bar import IndexProgress, ProblemsButton
from .thumbnails import ThumbnailCache
from .workers import IndexingController, LiveWatcher, Runner

log = logging.getLogger(__name__)

REFRESH_WHILE_INDEXING_MS = 3000


def app_state() -> QSettings:
    """Window geometry and view choices (not library settings: those live in the library)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     "photosearch", "photosearch-app")


class MainWindow(QMainWindow):
    window_shown = Signal()
    results_changed = Signal(int)  # rows loaded
    model_state = Signal(str)  # loading | ready | failed
    folders_changed = Signal(list)

    def __init__(self, lib, *, load_model: bool = True, first_run: bool = True,
                 state: QSettings | None = None, read_only: bool = False,
                 watch: bool = False) -> None:
        super().__init__()
        self.lib = lib
        self.runner = Runner()
        self.runner.default_error = self._background_error
        self.service = SearchService(lib)
        self.thumbs = ThumbnailCache(lib.paths.thumbnails, max_pixels=lib.settings.max_pixels)
        self.results = ResultsModel(self.runner, self.thumbs)
        self.live = LiveWatcher(lib, self.runner)
        self.live.wanted = watch and not read_only  # follow the folders between runs
        self.indexing = IndexingController(lib, self.runner, watcher=self.live)
        self.request = SearchRequest()
        self.state = state or app_state()
        self.load_model_on_show = load_model
        self.first_run_enabled = first_run and not read_only
        self.read_only = read_only
        self.model_status = "idle"
        self.model_error: str | None = None
        self.random_weights = False
        self.browse_total: int | None = None
        self.fetch_error: str | None = None
        self.counts: dict = {}
        self.first_run_dialog = None
        self.problems_dialog = None
        self.settings_dialog = None
        self._shown = False
        self._closed = False
        self.clean_shutdown = True
        self._after_indexing: list = []
        self._reindex_pending = False
        self.setWindowTitle("photosearch")
        self.setAcceptDrops(True)
        self._build()
        self._actions()
        self._connect()
        self._restore_state()

    # == layout ==========================================================================
    def _build(self) -> None:
        self.search = SearchField()
        self.filters = FilterBar()
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setOpenExternalLinks(False)
        self.banner.linkActivated.connect(self._banner_link)
        self.banner.hide()
        self.similar_bar = QWidget()
        self.similar_label = QLabel()
        clear_similar = QPushButton("Back to search")
        clear_similar.clicked.connect(self.clear_similar)
        sb = QHBoxLayout(self.similar_bar)
        sb.setContentsMargins(0, 0, 0, 0)
        sb.addWidget(self.similar_label, 1)
        sb.addWidget(clear_similar)
        self.similar_bar.hide()
        self.count_label = QLabel("")
        self.sort = QComboBox()
        self.sort.addItem("Sort: relevance", "relevance")
        self.sort.addItem("Sort: date", "date")
        info = QHBoxLayout()
        info.addWidget(self.count_label, 1)
        info.addWidget(self.sort)
        self.grid = ResultsGrid()
        self.grid.setModel(self.results)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        center = QWidget()
        cl = QVBoxLayout(center)
        cl.setContentsMargins(6, 6, 6, 0)
        for w in (self.search, self.filters, self.banner, self.similar_bar):
            cl.addWidget(w)
        cl.addLayout(info)
        cl.addWidget(self.empty_label)
        cl.addWidget(self.grid, 1)
        self.preview = PreviewPane(self.lib, self.runner)
        photos = QSplitter(Qt.Orientation.Horizontal)
        photos.addWidget(center)
        photos.addWidget(self.preview)
        photos.setStretchFactor(0, 3)
        photos.setStretchFactor(1, 1)
        self.photos_splitter = photos
        self.screens = QStackedWidget()
        self.screens.addWidget(photos)
        self.screen_pages = {"photos": photos}
        self.sidebar = Sidebar()
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.sidebar)
        outer.addWidget(self.screens)
        outer.setStretchFactor(1, 1)
        outer.setSizes([230, 1100])
        self.outer_splitter = outer
        self.setCentralWidget(outer)
        self.progress = IndexProgress()
        self.library_label = QLabel("")
        self.problems_button = ProblemsButton()
        self.problems_button.set_count(0)
        status = self.statusBar()
        status.addWidget(self.progress, 1)
        status.addPermanentWidget(self.library_label)
        status.addPermanentWidget(self.problems_button)
        self.viewer: Viewer | None = None
        self.resize(1280, 820)

    def _actions(self) -> None:
        def act(text, shortcut, slot, context=Qt.ShortcutContext.WindowShortcut):
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(context)
            a.triggered.connect(slot)
            self.addAction(a)
            return a

        wc = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.act_find = act("Search", "Ctrl+F", self.focus_search)
        self.act_view = act("View full size", "Space", self.view_current, wc)
        self.act_open = act("Open", "Return", self.open_current, wc)
        self.act_copy = act("Copy path", "Ctrl+C", self.copy_selected, wc)
        self.act_similar = act("Find similar", "Ctrl+Shift+F", self.similar_to_current)
        self.act_paste = act("Find similar to pasted image", "Ctrl+V", self.paste_image, wc)
        for a in (self.act_view, self.act_open, self.act_copy, self.act_paste):
            self.removeAction(a)
            self.grid.addAction(a)
        self.act_add = act("Add folder…", "Ctrl+O", self.add_folder_dialog)
        self.act_index = act("Index now", "F5", self.start_indexing)
        self.act_settings = act("Settings…", "Ctrl+,", self.open_settings)
        self.act_quit = act("Quit", "Ctrl+Q", self.close)
        for i, key in enumerate(("photos", "labels", "duplicates"), start=1):
            act(f"Show {key}", f"Ctrl+{i}", lambda _c=False, k=key: self.sidebar.select_screen(k))
        menu = self.menuBar()
        file_menu = menu.addMenu("&Library")
        for a in (self.act_add, self.act_index, self.act_settings, self.act_quit):
            file_menu.addAction(a)
        photo_menu = menu.addMenu("&Photo")
        for a in (self.act_find, self.act_view, self.act_open, self.act_copy, self.act_similar,
                  self.act_paste):
            photo_menu.addAction(a)

    def _connect(self) -> None:
        self.search.query_changed.connect(self.set_query)
        self.search.image_given.connect(self.find_similar)
        self.search.image_data_given.connect(self.find_similar_to_image)
        self.filters.changed.connect(self._filters_changed)
        self.sort.currentIndexChanged.connect(self._sort_changed)
        self.results.page_loaded.connect(self._page_loaded)
        self.results.fetch_failed.connect(self._fetch_failed)
        self.results.loading_changed.connect(lambda _l: self._update_count())
        self.grid.selectionModel().currentChanged.connect(
            lambda cur, _prev: self.preview.show_result(self.results.result_at(cur.row())))
        self.grid.doubleClicked.connect(lambda idx: self._open_row(idx.row()))
        self.grid.context_requested.connect(self._context_menu)
        self.preview.find_similar.connect(self.find_similar)
        self.preview.open_requested.connect(desktop.open_file)
        self.preview.reveal_requested.connect(desktop.reveal)
        self.preview.copy_requested.connect(lambda p: desktop.copy_paths([p]))
        self.sidebar.add_folder.connect(self.add_folder_dialog)
        self.sidebar.remove_folder.connect(self.remove_folder)
        self.sidebar.index_now.connect(self.start_indexing)
        self.sidebar.exclude_folder.connect(self.exclude_dialog)
        self.sidebar.folder_clicked.connect(self._folder_clicked)
        self.sidebar.screen_requested.connect(self.show_screen)
        self.progress.pause_toggled.connect(
            lambda p: self.indexing.pause() if p else self.indexing.resume())
        self.progress.cancel_requested.connect(self.indexing.cancel)
        self.problems_button.clicked.connect(self.open_problems)
        self.indexing.progress.connect(self._index_progress)
        self.indexing.finished.connect(self._index_finished)
        self.indexing.failed.connect(self._index_failed)
        self.indexing.running_changed.connect(self._index_running)
        self.live.event.connect(self._watch_event)
        self._download_timer = QTimer(self)
        self._download_timer.setInterval(1000)
        self._download_timer.timeout.connect(self._download_tick)
        self.downloaded = 0
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_WHILE_INDEXING_MS)
        self._refresh_timer.timeout.connect(self._refresh_while_indexing)

    # == start-up ========================================================================
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.window_shown.emit()
            QTimer.singleShot(0, self._after_shown)

    def _after_shown(self) -> None:
        if self.load_model_on_show:
            self.load_model()
        self.refresh_library()
        self.run_request()
        self.runner.submit("db", self.lib.catalog.folders, on_done=self._folders_at_start)
        if self.read_only:
            for a in (self.act_add, self.act_index):
                a.setEnabled(False)
            for b in (self.sidebar.add_btn, self.sidebar.remove_btn, self.sidebar.index_btn,
                      self.sidebar.exclude_btn):
                b.setEnabled(False)
            self._update_banner()

    def load_model(self) -> None:
        """Import torch and load the model on the model thread (the window is already up).

        A first use downloads the weights: the models folder is watched meanwhile so the
        banner can say how much has arrived."""
        if self.model_status in ("loading", "ready"):
            return
        self._download_base: int | None = None
        self.downloaded = 0
        self._set_model_status("loading")
        self._download_timer.start()
        self._download_tick()
        self.runner.submit("model", self.lib.embedder, on_done=self._model_ready,
                           on_error=self._model_failed)

    def _download_tick(self) -> None:
        self.runner.submit("thumbs", folder_bytes, self.lib.paths.models,
                           on_done=self._download_size, on_error=lambda _e: None)

    def _download_size(self, size: int) -> None:
        if self.model_status != "loading":
            return
        if self._download_base is None:
            self._download_base = size
        grown = size - self._download_base
        if grown > 1_000_000 and grown != self.downloaded:
            self.downloaded = grown
            self._update_banner()

    def _set_model_status(self, status: str) -> None:
        self.model_status = status
        if status != "loading":
            self._download_timer.stop()
        self.model_state.emit(status)
        self._update_banner()

    def _model_ready(self, embedder) -> None:
        self.random_weights = bool(getattr(embedder, "random_weights", False))
        self.model_error = None
        self.service.model_error = None
        self._set_model_status("ready")

    def _model_failed(self, exc: Exception) -> None:
        self.model_error = str(exc)
        self.service.model_error = self.model_error
        self._set_model_status("failed")

    def _update_banner(self) -> None:
        if self.read_only:
            self.show_banner("Another photosearch process is indexing this library, so this "
                             "window only browses and searches. Close the other one to "
                             "index or change folders here.", "warn")
        elif self.model_status == "failed":
            self.show_banner(
                "<b>Search is unavailable: the model could not be loaded.</b> "
                f"{_html(self.model_error or '')}<br>Browsing, filters and duplicates keep "
                "working. <a href='settings'>Open Settings</a> to choose a weights file.",
                "error")
        elif self.model_status == "loading" and self.downloaded:
            expected = model_info.download_mb(self.lib.settings.model,
                                              self.lib.settings.pretrained)
            of = f" of about {expected:,} MB" if expected else ""
            self.show_banner(f"Downloading the search model (first use only): "
                             f"{self.downloaded / 1e6:,.0f} MB{of}… browsing works now.",
                             "info")
        elif self.model_status == "loading":
            self.show_banner("Loading the search model in the background… browsing works now.",
                             "info")
        elif self.random_weights:
            self.show_banner("This library uses a model with <b>random weights</b> (a test "
                             "model): search results are meaningless.", "warn")
        else:
            self.banner.hide()

    def show_banner(self, html: str, level: str = "info") -> None:
        self.banner.setText(html)
        self.banner.setProperty("level", level)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()

    def _banner_link(self, link: str) -> None:
        if link == "settings":
            self.open_settings()

    # == searching =======================================================================
    def focus_search(self) -> None:
        self.show_screen("photos")
        self.search.setFocus()
        self.search.selectAll()

    def set_query(self, text: str) -> None:
        self.request.text = text
        self.request.similar_to = None
        self.similar_bar.hide()
        self.run_request()

    def _filters_changed(self) -> None:
        self.request.filters = self.filters.filters()
        self.run_request()

    def _sort_changed(self) -> None:
        self.request.sort = self.sort.currentData()
        self.run_request()

    def _folder_clicked(self, path: str) -> None:
        index = self.filters.folder.findData(path)
        if index >= 0:
            self.filters.folder.setCurrentIndex(index)

    def run_request(self) -> None:
        """Show the current request's results (first page now, more on scroll)."""
        self.browse_total = None
        self.fetch_error = None
        self.empty_label.hide()
        self.results.set_source(self.service.fetcher(self.request))
        self.preview.show_result(None)
        req = self.request
        self.runner.submit("db", self.service.count, req,
                           on_done=lambda n, r=req: self._count_arrived(r, n),
                           on_error=lambda _e: None)
        self._update_count()

    def _count_arrived(self, req: SearchRequest, n: int | None) -> None:
        if req is self.request:
            self.browse_total = n
            self._update_count()

    def _page_loaded(self, rows: int) -> None:
        self._update_count()
        self.results_changed.emit(rows)
        if rows == 0 and self.results.exhausted and not self.fetch_error:
            self._show_empty()
        else:
            self.empty_label.hide()

    def _show_empty(self) -> None:
        if not self.sidebar.folder_paths():
            text = "No photo folders yet. Add one with “Add…” in the sidebar (Ctrl+O)."
        elif self.indexing.running:
            text = "Indexing… photos appear here as they are added."
        elif self.request.text.strip() or self.request.filters.active():
            text = "Nothing matches. Try other words, or remove a filter."
        else:
            text = "No photos found in your folders yet. Press F5 to index them."
        self.empty_label.setText(text)
        self.empty_label.show()

    def _fetch_failed(self, message: str) -> None:
        self.fetch_error = message
        self._update_count()

    def _update_count(self) -> None:
        if self.fetch_error:
            self.count_label.setText(f"⚠ {self.fetch_error}")
            return
        n = self.results.rowCount()
        more = "" if self.results.exhausted else " (more as you scroll)"
        if self.results.loading and n == 0:
            text = "Searching…" if self.request.text.strip() or self.request.similar_to \
                else "Loading…"
        elif self.browse_total is not None:
            text = f"{n:,} of {self.browse_total:,} photos shown"
        else:
            strong = self.results.strong_count()
            text = f"{n:,} results{more} · {strong:,} strong matches"
        self.count_label.setText(text)

    # == find similar ====================================================================
    def find_similar(self, path: str) -> None:
        self.show_screen("photos")
        self.request.similar_to = path
        self.similar_label.setText(f"Photos similar to <b>{_html(os.path.basename(path))}</b>"
                                   f"  <span style='color:gray'>{_html(path)}</span>")
        self.similar_bar.show()
        self.run_request()

    def clear_similar(self) -> None:
        self.request.similar_to = None
        self.similar_bar.hide()
        self.run_request()

    def similar_to_current(self) -> None:
        r = self.results.result_at(self.grid.current_row())
        if r is not None:
            self.find_similar(r.path)

    def find_similar_to_image(self, image: QImage) -> None:
        """Pasted pixels: saved to the cache (worker thread) and searched as a file."""
        target = self.lib.paths.cache / "pasted" / f"{uuid.uuid4().hex}.png"

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

    def dragEnterEvent(self, event) -> None:
        if image_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = image_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.find_similar(files[0])

    # == photo actions ===================================================================
    def _context_menu(self, row: int, global_pos) -> None:
        r = self.results.result_at(row)
        if r is None:
            return
        menu = QMenu(self)
        menu.addAction("Find similar", lambda: self.find_similar(r.path))
        menu.addAction("View full size", self.view_current)
        menu.addAction("Show duplicates of this photo", lambda: self.show_duplicates_of(r.hash))
        menu.addSeparator()
        menu.addAction("Open", lambda: desktop.open_file(r.path))
        menu.addAction("Show in folder", lambda: desktop.reveal(r.path))
        menu.addAction("Copy path", self.copy_selected)
        self.context_menu = menu
        menu.popup(global_pos)

    def show_duplicates_of(self, content_hash: str) -> None:
        fresh = "duplicates" not in self.screen_pages
        self.show_screen("duplicates")
        view = self.screen_pages["duplicates"]
        if hasattr(view, "show_photo"):
            if fresh:  # its first search is already running: focus when it lands
                view.focus_hash = content_hash
            else:
                view.show_photo(content_hash)

    def _open_row(self, row: int) -> None:
        r = self.results.result_at(row)
        if r is not None:
            desktop.open_file(r.path)

    def open_current(self) -> None:
        self._open_row(self.grid.current_row())

    def selected_paths(self) -> list[str]:
        rows = self.grid.selected_rows() or [self.grid.current_row()]
        return [r.path for r in (self.results.result_at(i) for i in rows) if r is not None]

    def copy_selected(self) -> None:
        paths = self.selected_paths()
        if paths:
            desktop.copy_paths(paths)
            self.statusBar().showMessage(f"Copied {len(paths)} path(s)", 3000)

    def view_current(self) -> None:
        r = self.results.result_at(self.grid.current_row())
        if r is None:
            return
        if self.viewer is None:
            self.viewer = Viewer(self.runner, self)
            self.viewer.step.connect(self._viewer_step)
            self.viewer.resize(self.size())
        self.viewer.show_path(r.path)
        self.viewer.show()
        self.viewer.raise_()

    def _viewer_step(self, delta: int) -> None:
        row = self.grid.current_row() + delta
        if 0 <= row < self.results.rowCount():
            self.grid.setCurrentIndex(self.results.index(row))
            self.view_current()

    # == folders =========================================================================
    def refresh_library(self) -> None:
        self.runner.submit("db", folder_statuses, self.lib.catalog, on_done=self._folders_arrived)
        self.runner.submit("db", self.lib.catalog.counts, self.lib.model_id,
                           on_done=self._counts_arrived)

    def _folders_arrived(self, statuses) -> None:
        self.sidebar.set_folders(statuses)
        self.filters.set_folders([s.path for s in statuses])
        self.folders_changed.emit(statuses)

    def _counts_arrived(self, counts: dict) -> None:
        self.counts = counts
        self.library_label.setText(f"{counts['photos']:,} photos · "
                                   f"{counts['embedded']:,} searchable")
        self.problems_button.set_count(counts["problems"])

    def add_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Add a photo folder")
        if path:
            self.add_folders([path])

    def add_folders(self, paths: list[str]) -> None:
        """Register folders (worker thread), then index them."""
        paths = [os.path.abspath(os.path.expanduser(p)) for p in paths]

        def add() -> list[str]:
            for p in paths:
                self.lib.catalog.add_folder(p)
            return paths

        self.runner.submit("db", add, on_done=lambda _p: (self.refresh_library(),
                                                          self.start_indexing()))

    def remove_folder(self, path: str, confirmed: bool = False) -> None:
        if not confirmed and not self.confirm(f"Stop managing {path}?\n\nIts photos leave the library (search, "
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
        lib = self.lib

        def remove() -> int:
            n = lib.catalog.remove_folder(path)
            if lib.embedding_dim() is not None:
                lib.index().reconcile(lib.catalog.live_embedding_ids(lib.model_id),
                                      lambda ids: lib.catalog.iter_embeddings(lib.model_id, ids))
                lib.save_index()
            return n

        def done(n: int) -> None:
            self.statusBar().showMessage(f"Removed {path} ({n:,} files forgotten)", 5000)
            self.refresh_library()
            self.run_request()
            if resume_watching:
                self.live.wanted = True
                if not self.indexing.running:
                    self.live.start()

        self.runner.submit("db", remove, on_done=done)

    def exclude_dialog(self, start: str = "") -> None:
        path = QFileDialog.getExistingDirectory(self, "Exclude a sub-folder from the library",
                                                start)
        if path:
            self.exclude_path(path)

    def exclude_path(self, path: str) -> None:
        """Never index `path` again (saved in the library settings); the next run forgets
        the photos already indexed under it. Files on disk are untouched."""
        from ..core.config import Settings

        path = os.path.abspath(os.path.expanduser(path))

        def save() -> None:
            saved = Settings.load(self.lib.paths.settings)
            if path not in saved.exclude:
                saved.exclude.append(path)
                saved.save(self.lib.paths.settings)

        def done(_r) -> None:
            if path not in self.lib.settings.exclude:
                self.lib.settings.exclude.append(path)
            self.statusBar().showMessage(f"Excluded {path}; updating the library…", 8000)
            self.start_indexing()

        self.runner.submit("db", save, on_done=done)

    def confirm(self, text: str) -> bool:
        """Ask yes/no (tests replace this)."""
        return QMessageBox.question(self, "photosearch", text) == \
            QMessageBox.StandardButton.Yes

    # == indexing ========================================================================
    def start_indexing(self) -> bool:
        if self.read_only:
            return False
        if self.indexing.running:
            self._reindex_pending = True
            return False
        embed = self.model_status != "failed"
        self.live.embed = embed
        return self.indexing.start(None, embed=embed)

    def _index_running(self, running: bool) -> None:
        self.progress.set_running(running)
        if running:
            self._refresh_timer.start()
        else:
            self._refresh_timer.stop()

    def _index_progress(self, status) -> None:
        self.progress.update_status(status)
        if status.problems and status.problems != self.problems_button.count:
            self.problems_button.set_count(max(status.problems, self.counts.get("problems", 0)))

    def _index_finished(self, report) -> None:
        parts = [f"{report.embedded + report.cataloged:,} new photos"]
        if report.linked:
            parts.append(f"{report.linked:,} moved or copied")
        if report.removed:
            parts.append(f"{report.removed:,} removed")
        if report.problems:
            parts.append(f"{report.problems:,} problems")
        if report.offline_roots:
            parts.append(f"{len(report.offline_roots)} folder(s) offline")
        verb = "Indexing stopped" if report.cancelled else "Indexing done"
        self.progress.show_message(f"{verb}: " + ", ".join(parts))
        if report.model_error:
            self._model_failed(RuntimeError(report.model_error))
        elif self.model_status != "ready" and report.embedded:
            self._set_model_status("ready")
        self.refresh_library()
        self.run_request()
        self._drain_after_indexing()

    def _index_failed(self, message: str) -> None:
        self.progress.show_message(message)
        self.refresh_library()
        self._drain_after_indexing()

    def _drain_after_indexing(self) -> None:
        pending, self._after_indexing = self._after_indexing, []
        for fn in pending:
            fn()
        if self._reindex_pending:
            self._reindex_pending = False
            self.start_indexing()

    def _grid_refreshable(self) -> bool:
        """New photos are shown by re-running the request only while the grid is not yet
        full and nothing is selected: never yank the view from under the user."""
        return (self.results.rowCount() < self.results.page_size and not self.results.loading
                and not self.grid.currentIndex().isValid())

    def _refresh_while_indexing(self) -> None:
        """While indexing, refill a grid that is not full yet (first run: photos appear)."""
        self.refresh_library()
        if self._grid_refreshable():
            self.run_request()

    def _watch_event(self, event) -> None:
        """Changes the folder watcher applied (new, moved, deleted photos; drives)."""
        parts = [f"{n:,} {what}" for n, what in ((event.added, "new"),
                 (event.linked + event.moved, "moved or copied"), (event.removed, "removed"))
                 if n]
        if event.kind in ("changed", "reconciled") and parts:  # live, or caught up at start
            self.statusBar().showMessage("Folders changed: " + ", ".join(parts), 8000)
        elif event.kind in ("offline", "online", "warning", "error") and event.message:
            self.statusBar().showMessage(event.message, 10_000)
        if event.kind in ("changed", "offline", "online", "reconciled"):
            self.refresh_library()
            if self._grid_refreshable():
                self.run_request()

    # == dialogs =========================================================================
    def open_problems(self) -> None:
        self.runner.submit("db", self.lib.catalog.problems, on_done=self._show_problems)

    def _show_problems(self, problems: list[dict]) -> None:
        self.problems_dialog = ProblemsDialog(problems, self)
        self.problems_dialog.open()

    def open_settings(self) -> None:
        from ..core.config import Settings

        self.runner.submit("db", Settings.load, self.lib.paths.settings,
                           on_done=self._show_settings)

    def _show_settings(self, saved) -> None:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(saved, self)
        dialog.accepted.connect(lambda: self.apply_settings(saved, dialog.result_settings()))
        self.settings_dialog = dialog
        dialog.open()

    def apply_settings(self, old, new) -> None:
        """Save (worker thread) and apply what can change live: theme, thresholds, excludes."""
        from .settings_dialog import SettingsDialog

        self.runner.submit("db", new.save, self.lib.paths.settings)
        s = self.lib.settings
        s.theme, s.strong_match, s.exclude = new.theme, new.strong_match, list(new.exclude)
        app = QApplication.instance()
        if app is not None:
            theme.apply(app, new.theme)
        if SettingsDialog.needs_restart(old, new):
            self.statusBar().showMessage("Model changes apply when photosearch restarts.", 8000)
        self.run_request()

    def _folders_at_start(self, folders) -> None:
        """Catch up with changes made while the app was closed, then follow the folders
        live; or, on a library without folders, the first-run flow."""
        if self._closed:
            return
        if folders and self.live.wanted:
            self.start_indexing()
        elif not folders and self.first_run_enabled:
            self._maybe_first_run(folders)

    def _maybe_first_run(self, folders) -> None:
        if folders or self._closed:
            return
        from .first_run import FirstRunDialog

        dialog = FirstRunDialog(self.lib.settings.model, self.lib.settings.pretrained,
                                parent=self)
        dialog.accepted.connect(lambda: self._first_run_done(dialog))
        self.first_run_dialog = dialog
        dialog.open()

    def _first_run_done(self, dialog) -> None:
        if dialog.pretrained != self.lib.settings.pretrained:
            self._use_weights_file(dialog.pretrained)
        self.add_folders(dialog.chosen_folders())

    def _use_weights_file(self, pretrained: str) -> None:
        from dataclasses import replace

        from ..core.config import Settings

        def save() -> None:
            saved = Settings.load(self.lib.paths.settings)
            replace(saved, pretrained=pretrained).save(self.lib.paths.settings)

        self.runner.submit("db", save)
        self.statusBar().showMessage("The weights file will be used from the next start.", 8000)

    # == screens =========================================================================
    def show_screen(self, key: str) -> None:
        page = self.screen_pages.get(key)
        if page is None:
            page = self._make_screen(key)
            self.screen_pages[key] = page
            self.screens.addWidget(page)
        self.screens.setCurrentWidget(page)
        if self.sidebar.nav.currentItem() and \
                self.sidebar.nav.currentItem().data(Qt.ItemDataRole.UserRole) != key:
            self.sidebar.select_screen(key)

    def _make_screen(self, key: str) -> QWidget:
        from .screens import make_screen

        return make_screen(key, self)

    # == errors, state, shutdown =========================================================
    def _background_error(self, exc: Exception) -> None:
        log.error("background task failed: %s", exc, exc_info=exc)
        self.statusBar().showMessage(f"⚠ {exc}", 10_000)

    def _restore_state(self) -> None:
        geometry = self.state.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for key, splitter in (("window/outer", self.outer_splitter),
                              ("window/photos", self.photos_splitter)):
            value = self.state.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        sort = self.state.value("view/sort")
        index = self.sort.findData(sort) if sort else -1
        if index >= 0:
            self.sort.blockSignals(True)
            self.sort.setCurrentIndex(index)
            self.sort.blockSignals(False)
            self.request.sort = sort

    def save_state(self) -> None:
        self.state.setValue("window/geometry", self.saveGeometry())
        self.state.setValue("window/outer", self.outer_splitter.saveState())
        self.state.setValue("window/photos", self.photos_splitter.saveState())
        self.state.setValue("view/sort", self.sort.currentData())
        self.state.sync()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background work (the indexer finishes its batch) and save window state."""
        if self._closed:
            return
        self._closed = True
        self.save_state()
        self._refresh_timer.stop()
        self.indexing.cancel()
        self.live.wanted = False
        # A model load (torch import, a download) cannot be interrupted: give up on it
        # after a while; run_app then exits without waiting for that thread.
        self.clean_shutdown = self.runner.wait(20_000)
        self.live.stop_now()
        # Stopping the watcher can post a last refresh: refuse new jobs, drain again, so
        # no worker still uses the library's connection when run_app closes it.
        self.clean_shutdown = self.runner.close(20_000) and self.clean_shutdown


def folder_bytes(folder) -> int:
    """Total size of the files under `folder` (worker thread; missing folder: 0)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
