"""The problems list: files that could not be indexed, and why (from the catalog)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..core.paths import display_path
from .desktop import copy_paths, reveal


class ProblemsDialog(QDialog):
    """Shows rows from `Catalog.problems()` (fetched by the caller on a worker thread).

    *Retry* emits `retry_requested`: the window re-indexes with problems retried (core
    `Indexer(retry_problems=True)`, or `core.problems.retry_problems` for single files)."""

    retry_requested = Signal()

    def __init__(self, problems: list[dict], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Problems")
        self.resize(900, 420)
        self.problems = problems
        intro = QLabel(
            f"{len(problems):,} file{'s' if len(problems) != 1 else ''} could not be indexed. "
            "Everything else was. Fix or replace a file and index again; files that stay "
            "unchanged are not retried unless you press Retry (or change max_pixels / "
            "max_file_bytes in settings, which retries them automatically).")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(problems), 3)
        self.table.setHorizontalHeaderLabels(["File", "Why", "When"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for row, p in enumerate(problems):
            when = datetime.fromtimestamp(p["at"]).strftime("%Y-%m-%d %H:%M") if p.get("at") else ""
            for col, text in enumerate((display_path(p["path"]), p["reason"], when)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy_btn = QPushButton("Copy list")
        copy_btn.clicked.connect(self.copy_all)
        reveal_btn = QPushButton("Show in folder")
        reveal_btn.clicked.connect(self._reveal)
        self.retry_btn = QPushButton("Retry")
        self.retry_btn.setToolTip("Read these files again now, changed or not")
        self.retry_btn.setEnabled(bool(problems))
        self.retry_btn.clicked.connect(self._retry)
        buttons.addButton(self.retry_btn, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy_btn, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(reveal_btn, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def _retry(self) -> None:
        self.retry_requested.emit()
        self.accept()

    def copy_all(self) -> None:
        copy_paths([f"{display_path(p['path'])}\t{p['reason']}" for p in self.problems])

    def _reveal(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.problems):
            reveal(self.problems[row]["path"])
