"""The labels screen: your labels with counts, their tagged photos, a review queue of
borderline photos (yes / no), and rejected ones. Built on core `tagging.Tagger`.

Every Tagger call runs on the window's db thread (scoring needs the model and the
catalog); this widget only shows answers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.results import Result
from ..core.results import results_for as core_results_for
from . import icons, style
from .app_text import app_error
from .empty_state import EmptyState
from .grid import ResultsGrid
from .label_dialog import LabelDialog
from .label_review_model import LabelReviewModel
from .sidebar_counts import COUNT_ROLE, CountDelegate

TABS = (("confident", "Tagged"), ("borderline", "To review"), ("rejected", "Rejected"))


def results_for(catalog, rows) -> list[Result]:
    """(hash, score, source) rows of a label view as results (photos with a file only)."""
    return core_results_for(catalog, [h for h, _s, _src in rows], [s for _h, s, _src in rows],
                            strong=True)


class LabelsView(QWidget):
    labels_changed = Signal(list)  # [(name, tagged count)]
    views_loaded = Signal(str)  # label name

    def __init__(self, window) -> None:
        super().__init__()
        self.window = window
        self.lib, self.runner = window.lib, window.runner
        self._tagger = None
        self.current: str | None = None
        self.label_dialog: LabelDialog | None = None
        self.labels = QListWidget()
        self.labels.setItemDelegate(CountDelegate(self.labels))
        self.labels.currentItemChanged.connect(
            lambda item, _p: item and self.select(item.data(Qt.ItemDataRole.UserRole)))
        self.new_btn = QPushButton("New label…")
        self.new_btn.clicked.connect(self._ask_new_label)
        self.edit_btn = QPushButton("Edit…")
        self.edit_btn.setToolTip("Change the label's description or its threshold")
        self.edit_btn.clicked.connect(self._ask_edit)
        self.remove_btn = QPushButton("Remove")
        self.remove_btn.clicked.connect(self._remove_current)
        self.apply_btn = QPushButton("Tag library")
        self.apply_btn.setToolTip("Score every photo for every label (after editing labels)")
        self.apply_btn.clicked.connect(lambda: self.apply())
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(style.heading("Labels", "1"))
        ll.addWidget(self.labels, 1)
        ll.addWidget(self.new_btn)  # on its own row: the list stays narrow at 800 px
        row = QHBoxLayout()
        for b in (self.edit_btn, self.remove_btn):
            row.addWidget(b)
        ll.addLayout(row)
        ll.addWidget(self.apply_btn)
        self.header = QLabel("Create a label (e.g. “pets”, “receipts”) to tag your photos.")
        self.header.setWordWrap(True)
        self.tabs = QTabWidget()
        self.models: dict[str, LabelReviewModel] = {}
        self.grids: dict[str, ResultsGrid] = {}
        for key, title in TABS:
            model = LabelReviewModel(self.runner, window.thumbs)
            grid = ResultsGrid()
            grid.set_show_names(True)  # the caption leads with the photo's score
            grid.setModel(model)
            self.models[key], self.grids[key] = model, grid
            self.tabs.addTab(grid, title)
        self.yes_btn = QPushButton("Yes, it is")
        self.no_btn = QPushButton("No, it is not")
        self.search_btn = QPushButton("Show in search")
        self.yes_btn.clicked.connect(lambda: self.review_selected(True))
        self.no_btn.clicked.connect(lambda: self.review_selected(False))
        self.search_btn.clicked.connect(self._show_in_search)
        style.set_kind(self.new_btn, "primary")
        style.set_kind(self.yes_btn, "primary")
        style.set_kind(self.remove_btn, "danger")  # removes the label and its decisions
        self.status = style.muted(QLabel(""))
        self.status.setWordWrap(True)  # long messages wrap; they never widen the window
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setContentsMargins(style.SPACE_M, 0, style.SPACE_M, style.SPACE_S)
        actions = QHBoxLayout()
        for b in (self.yes_btn, self.no_btn, self.search_btn):
            actions.addWidget(b)
        actions.addStretch(1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(style.SPACE_M, style.SPACE_M, style.SPACE_M, style.SPACE_S)
        rl.addWidget(style.card(self.header))  # the label, its words and what to do next
        rl.addWidget(self.tabs, 1)
        rl.addLayout(actions)
        self.empty = EmptyState(
            "labels", "No labels yet",
            "Create a label (e.g. “pets”, “receipts”): photos that match it are tagged, "
            "and you can search them with tag:NAME.", "New label…", self._ask_new_label)
        self.pages = QStackedWidget()  # the label's photos, or the empty state
        self.pages.addWidget(right)
        self.pages.addWidget(self.empty)
        pane = QWidget()
        pl = QVBoxLayout(pane)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.pages, 1)
        pl.addWidget(self.status)  # its own full-width line under the buttons: never squeezed
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(pane)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._enable()
        self.refresh()

    # -- worker-side helpers (db thread) -------------------------------------------------
    def tagger(self):
        if self._tagger is None:
            from ..core.tagging import Tagger

            self._tagger = Tagger(self.lib)
        return self._tagger

    def _label_rows(self) -> list[tuple[str, int, str]]:
        store = self.tagger().store
        counts = store.tagged_counts()
        return [(lab.name, counts.get(lab.id, 0), ", ".join(lab.prompts)) for lab in store.all()]

    def _views(self, name: str):
        v = self.tagger().views(name, limit=500)
        cat = self.lib.catalog
        lab = self.tagger().store.get(name)
        return {"confident": results_for(cat, v.confident),
                "borderline": results_for(cat, v.borderline),
                "rejected": results_for(cat, v.rejected), "threshold": lab.threshold,
                "prompts": lab.prompts}

    # -- GUI side ------------------------------------------------------------------------
    def refresh(self) -> None:
        self.runner.submit("db", self._label_rows, on_done=self._labels_arrived,
                           on_error=self._failed)

    def _labels_arrived(self, rows) -> None:
        self.labels.blockSignals(True)
        self.labels.clear()
        for name, tagged, prompts in rows:
            item = QListWidgetItem(icons.icon("tag", "muted"), name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setData(COUNT_ROLE, f"{tagged:,}")  # right-aligned, as in the sidebar
            item.setToolTip(f"prompts: {prompts}")
            self.labels.addItem(item)
            if name == self.current:
                self.labels.setCurrentItem(item)
        self.labels.blockSignals(False)
        self.labels_changed.emit([(n, t) for n, t, _p in rows])
        self.pages.setCurrentWidget(self.pages.widget(0) if rows else self.empty)
        if self.current in [n for n, _t, _p in rows]:
            self.select(self.current)  # counts changed: reload its photos too
        else:
            self.current = None
            if rows:
                self.labels.setCurrentRow(0)
        self._enable()

    def select(self, name: str) -> None:
        self.current = name
        self.header.setText(f"<b>{name}</b>: loading…")
        self._enable()
        self.runner.submit("db", self._views, name,
                           on_done=lambda v, n=name: self._views_arrived(n, v),
                           on_error=self._failed)

    def _views_arrived(self, name: str, views: dict) -> None:
        if name != self.current:
            return
        for key, title in TABS:
            items = views[key]
            self.models[key].threshold = views["threshold"]
            self.models[key].set_source(lambda off, lim, items=items: items[off:off + lim])
            self.tabs.setTabText(self.tabs.indexOf(self.grids[key]), f"{title} ({len(items):,})")
        self.header.setText(f"<b>{name}</b> — prompts: {', '.join(views['prompts'])}; "
                            f"threshold {views['threshold']:.2f}. Review borderline photos "
                            "to teach it: each answer also tunes the threshold.")
        if not views["confident"] and not views["borderline"]:
            self.header.setText(self.header.text() + "<br><b>No photo scores near the "
                                "threshold yet.</b> Lower it with Edit…, describe the label "
                                "with other words, or tag a few photos from the grid "
                                "(Ctrl+T) so it learns what you mean.")
        self.views_loaded.emit(name)

    def add_label(self, name: str, prompts: list[str] | None = None,
                  threshold: float | None = None, examples: list[str] | None = None) -> None:
        def add() -> str:
            lab = self.tagger().store.add(name, prompts or None, threshold=threshold)
            if examples:
                self.tagger().add_examples(lab, list(examples), True)
            self.tagger().apply([lab.name])
            return lab.name

        self.status.setText(f"Creating “{name}” and tagging the library…")
        self.runner.submit("db", add, on_done=self._added, on_error=self._failed)

    def _added(self, name: str) -> None:
        self.current = name
        self.status.setText(f"Label “{name}” created.")
        self.refresh()

    def _ask_new_label(self) -> LabelDialog:
        """One dialog: name, words, examples, and a threshold with a live count."""
        dialog = LabelDialog(self.lib, self.runner, self)
        dialog.accepted.connect(lambda: self.add_label(
            dialog.label_name(), dialog.prompts(), dialog.threshold_value_f(),
            dialog.example_paths()))
        self.label_dialog = dialog
        dialog.open()
        return dialog

    def edit_label(self, prompts: list[str] | None = None,
                   threshold: float | None = None) -> None:
        """Change the current label's prompts and/or threshold (a threshold set here is
        the user's: review answers no longer move it), then re-tag the library."""
        name = self.current
        if not name:
            return

        def edit() -> str:
            store = self.tagger().store
            lab = store.update(store.get(name), prompts=prompts, threshold=threshold,
                               threshold_user=True if threshold is not None else None)
            self.tagger().apply([lab.name])
            return lab.name

        self.status.setText(f"Updating “{name}” and re-tagging…")
        self.runner.submit("db", edit, on_done=lambda n: self._edited(n), on_error=self._failed)

    def _edited(self, name: str) -> None:
        self.status.setText(f"Label “{name}” updated.")
        self.refresh()

    def _ask_edit(self) -> None:
        if not self.current:
            return
        self.runner.submit("db", lambda n=self.current: self.tagger().store.get(n),
                           on_done=self._edit_dialog, on_error=self._failed)

    def _edit_dialog(self, lab) -> None:
        text, ok = QInputDialog.getText(self, f"Edit “{lab.name}”",
                                        "Describe it in a few words, comma-separated:",
                                        text=", ".join(lab.prompts))
        if not ok:
            return
        threshold, ok2 = QInputDialog.getDouble(
            self, f"Edit “{lab.name}”", "Tag photos scoring at least (0.02-0.98):",
            lab.threshold, 0.02, 0.98, 2)
        prompts = [p.strip() for p in text.split(",") if p.strip()] or None
        self.edit_label(prompts, threshold if ok2 and abs(threshold - lab.threshold) > 1e-9
                        else None)

    def _remove_current(self) -> None:
        name = self.current
        if not name or not self.window.confirm(
                f"Remove the label “{name}” and its tags? Photos are not touched."):
            return

        def remove() -> None:
            from ..core.keywords import retract

            store = self.tagger().store
            store.remove(store.get(name))
            retract(self.tagger().lib)  # its keywords leave the sidecars we wrote them into

        self.runner.submit("db", remove, on_done=lambda _r: self.refresh(),
                           on_error=self._failed)

    def apply(self) -> None:
        self.status.setText("Tagging the library…")
        self.runner.submit("db", lambda: self.tagger().apply(), on_done=self._applied,
                           on_error=self._failed)

    def _applied(self, reports) -> None:
        self.status.setText("Tagged: " + ", ".join(f"{r.label} {r.tagged:,}" for r in reports)
                            if reports else "No labels to apply.")
        self.refresh()

    def current_tab(self) -> str:
        return TABS[self.tabs.currentIndex()][0]

    def review_selected(self, accept: bool) -> None:
        key, name = self.current_tab(), self.current
        grid, model = self.grids[key], self.models[key]
        hashes = [model.result_at(r).hash for r in grid.selected_rows()
                  if model.result_at(r) is not None]
        if not name or not hashes:
            self.status.setText("Select photos first.")
            return
        self.review(hashes, accept)

    def review(self, hashes: list[str], accept: bool) -> None:
        """Record yes/no for these photos on the current label (db thread)."""
        name = self.current
        if not name:
            return

        def review() -> None:
            from ..core.keywords import retract

            self.tagger().review(name, hashes, accept)
            if not accept:
                retract(self.tagger().lib)

        self.status.setText("Saving your answer…")
        self.runner.submit("db", review, on_done=lambda _r: self._reviewed(name, len(hashes),
                                                                           accept),
                           on_error=self._failed)

    def _reviewed(self, name: str, n: int, accept: bool) -> None:
        self.status.setText(f"{n} photo(s) marked as {'' if accept else 'not '}“{name}”.")
        self.refresh()

    def _show_in_search(self) -> None:
        if self.current:
            self.window.show_screen("photos")
            self.window.search.set_query(f"tag:{self.current}")

    def _failed(self, exc: Exception) -> None:
        self.status.setText(f"⚠ {app_error(exc)}")

    def _enable(self) -> None:
        has = self.current is not None
        for b in (self.edit_btn, self.remove_btn, self.yes_btn, self.no_btn, self.search_btn):
            b.setEnabled(has)
        if has:
            self.yes_btn.setText(f"Yes, it is “{self.current}”")
            self.no_btn.setText("No, it is not")
