"""Creating a label in one dialog: name, a few describing words, example photos (dropped
in or picked), and a threshold slider that says how many photos the label would tag right
now. Scores are computed on the db thread (core `label_preview`) whenever the words or
examples change (debounced); moving the slider only recounts.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSlider,
    QVBoxLayout,
)

from ..core.label_preview import count_at, draft_scores
from ..core.tagging_store import DEFAULT_THRESHOLD
from . import style
from .app_text import app_error
from .file_dialogs import start_dir
from .search_bar import image_files
from .workers import Runner

RESCORE_MS = 400


class LabelDialog(QDialog):
    """`scored` fires when a fresh count is shown (tests, screenshots)."""

    scored = Signal(int)

    def __init__(self, lib, runner: Runner, parent=None) -> None:
        super().__init__(parent)
        self.lib, self.runner = lib, runner
        self.setWindowTitle("New label")
        self.setAcceptDrops(True)
        self.scores: np.ndarray | None = None
        self._generation = 0
        self.name = QLineEdit()
        self.name.setPlaceholderText("one word, e.g. pets, receipts, my-bike")
        self.words = QLineEdit()
        self.words.setPlaceholderText("describe it: a dog, a cat (optional)")
        self.examples = QListWidget()
        self.examples.setToolTip("Drop example photos here")
        self.examples.setMaximumHeight(90)
        add = QPushButton("Add example photos…")
        add.clicked.connect(self._pick_examples)
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(2, 98)
        self.threshold.setValue(round(DEFAULT_THRESHOLD * 100))
        self.count = QLabel("Type a name or words to see how many photos it would tag.")
        self.count.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create label")
        style.set_kind(self.buttons.button(QDialogButtonBox.StandardButton.Ok), "primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Words", self.words)
        ex = QVBoxLayout()
        ex.addWidget(self.examples)
        ex.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Examples", ex)
        row = QHBoxLayout()
        row.addWidget(self.threshold, 1)
        self.threshold_value = QLabel()
        row.addWidget(self.threshold_value)
        form.addRow("Threshold", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RESCORE_MS)
        self.timer.timeout.connect(self.rescore)
        self.name.textChanged.connect(lambda _t: self._changed())
        self.words.textChanged.connect(lambda _t: self._changed())
        self.threshold.valueChanged.connect(lambda _v: self._recount())
        self._recount()
        self._enable()
        self.resize(520, 380)

    # -- what the user chose ---------------------------------------------------------------
    def label_name(self) -> str:
        return self.name.text().strip()

    def prompts(self) -> list[str]:
        return [w.strip() for w in self.words.text().split(",") if w.strip()]

    def example_paths(self) -> list[str]:
        return [self.examples.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.examples.count())]

    def threshold_value_f(self) -> float:
        return self.threshold.value() / 100

    def add_examples(self, paths: list[str]) -> None:
        have = set(self.example_paths())
        for p in paths:
            if p not in have:
                self.examples.addItem(os.path.basename(p))
                item = self.examples.item(self.examples.count() - 1)
                item.setData(Qt.ItemDataRole.UserRole, p)
                item.setToolTip(p)
        self._changed()

    # -- live count ------------------------------------------------------------------------
    def _changed(self) -> None:
        self._enable()
        if self.label_name() or self.prompts() or self.example_paths():
            self.timer.start()

    def rescore(self) -> None:
        self._generation += 1
        gen = self._generation
        self.count.setText("Counting…")
        self.runner.submit("db", draft_scores, self.lib, self.label_name(), self.prompts(),
                           self.example_paths(),
                           on_done=lambda s, g=gen: self._scores(g, s),
                           on_error=lambda exc: self.count.setText(
                               f"Cannot count yet: {app_error(exc)}"))

    def _scores(self, generation: int, scores: np.ndarray) -> None:
        if generation == self._generation:
            self.scores = scores
            self._recount()
            self.scored.emit(self.tagged_now())

    def tagged_now(self) -> int:
        return count_at(self.scores, self.threshold_value_f()) if self.scores is not None else 0

    def _recount(self) -> None:
        t = self.threshold_value_f()
        self.threshold_value.setText(f"{t:.2f}")
        if self.scores is None:
            return
        n, total = self.tagged_now(), len(self.scores)
        if total == 0:
            self.count.setText("No searchable photos yet: the label tags photos once they "
                               "are indexed with the model.")
        elif n == 0:
            best = float(self.scores.max())
            self.count.setText(f"Would tag <b>no photo</b> of {total:,} now (best score "
                               f"{best:.2f}). Lower the threshold, add words or drop in "
                               "example photos.")
        else:
            self.count.setText(f"Would tag <b>{n:,}</b> of {total:,} photos now.")

    def _enable(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.label_name()))

    # -- examples ----------------------------------------------------------------------------
    def _pick_examples(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Example photos", start_dir(),
                                                "Images (*.jpg *.jpeg *.png *.heic *.webp "
                                                "*.tif *.tiff *.bmp *.gif);;All files (*)")
        if paths:
            self.add_examples(paths)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if image_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = image_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.add_examples(files)
