"""First launch: choose photo folders, see which model will be used (and its download), start.

The platform's Pictures folder is suggested (platformdirs). If the weights cannot be
downloaded later, indexing still catalogs every photo and the main window explains how to
supply a weights file; browsing and duplicates keep working meanwhile.
"""

from __future__ import annotations

import os

import platformdirs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ..core.weights_check import check_weights_file
from . import model_info, style
from .file_dialogs import home_dir, start_dir
from .opt_ins import OptIns


def suggested_folders() -> list[str]:
    """The user's Pictures folder when it exists (the platform's own location)."""
    try:
        pictures = platformdirs.user_pictures_dir()
    except Exception:  # unusual platforms: no suggestion rather than a crash
        return []
    return [pictures] if pictures and os.path.isdir(pictures) else []


class FirstRunDialog(QDialog):
    """Returns the chosen folders and whether the user wants a weights file instead."""

    def __init__(self, model: str, pretrained: str, suggestions: list[str] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to photosearch")
        self.pretrained = pretrained
        self.model = model
        intro = QLabel(
            "<h2>Welcome to photosearch</h2>"
            "<p>Choose the folders that hold your photos. photosearch indexes them on this "
            "computer so you can search them in plain words, find similar photos and clean "
            "up duplicates. Your photos are never modified and nothing leaves this "
            "computer.</p>")
        intro.setWordWrap(True)
        self.folders = QListWidget()
        for path in suggestions if suggestions is not None else suggested_folders():
            self._add(path, suggested=True)
        add = QPushButton("Add folder…")
        add.clicked.connect(self._pick)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_selected)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        weights = QPushButton("Use a weights file instead…")
        weights.setToolTip("For computers without internet: a CLIP weights file downloaded "
                           "elsewhere")
        weights.clicked.connect(self._pick_weights)
        self.opt_ins = OptIns()  # people (faces) and text in photos (OCR), both off
        self.buttons = QDialogButtonBox()
        self.start = self.buttons.addButton("Start indexing",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Later", QDialogButtonBox.ButtonRole.RejectRole)
        style.set_kind(self.start, "primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(style.heading("Photo folders", "2"))
        layout.addWidget(self.folders, 1)
        layout.addLayout(row)
        layout.addWidget(style.heading("Model", "2"))
        layout.addWidget(self.model_label)
        layout.addWidget(weights, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.opt_ins)
        layout.addWidget(self.buttons)
        self.folders.model().rowsInserted.connect(lambda *_: self._update())
        self.folders.model().rowsRemoved.connect(lambda *_: self._update())
        self.resize(640, 640)
        self._update()

    def _add(self, path: str, suggested: bool = False) -> None:
        path = os.path.abspath(path)
        if path in self.chosen_folders():
            return
        item = QListWidgetItem(path + ("   (suggested)" if suggested else ""))
        item.setData(Qt.ItemDataRole.UserRole, path)
        self.folders.addItem(item)

    def add_folder(self, path: str) -> None:
        self._add(path)

    def _pick(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a photo folder", start_dir())
        if path:
            self._add(path)

    def _remove_selected(self) -> None:
        for item in self.folders.selectedItems():
            self.folders.takeItem(self.folders.row(item))

    def _pick_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a CLIP weights file", home_dir(),
            "Weights (*.safetensors *.bin *.pt *.pth);;All files (*)")
        if path:
            self.set_weights(path)

    def set_weights(self, pretrained: str) -> None:
        problem = check_weights_file(pretrained)
        if problem:
            self._update()
            self.model_label.setText(f"Not used: {problem}. " + self.model_label.text())
            return
        self.pretrained = pretrained
        self._update()

    def chosen_folders(self) -> list[str]:
        return [self.folders.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.folders.count())]

    def _update(self) -> None:
        self.model_label.setText(model_info.describe(self.model, self.pretrained) +
                                 " If the download is not possible, photos are still "
                                 "cataloged for browsing and duplicates, and you can add a "
                                 "weights file later in Settings.")
        self.start.setEnabled(bool(self.chosen_folders()))
