"""Settings: model and weights, device, strong-match threshold, excluded folders, theme,
reading text in photos (OCR) and finding people (faces), each with its time estimate (the
window starts or stops the pass).

Edits a copy of the library's `Settings`; the caller saves it with `Settings.save` when
the dialog is accepted. Model and device changes apply the next time the app starts (the
running model keeps serving until then), which the dialog says.
"""

from __future__ import annotations

import html
import os
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.config import Settings
from ..core.text.settings import TextSettings
from ..core.weights_check import check_weights_file, looks_like_file
from . import model_info, style
from .file_dialogs import home_dir
from .theme import THEMES

DEVICES = ("auto", "cpu", "cuda", "mps")


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.original = settings
        self.model = QComboBox()
        self.model.setEditable(True)
        for c in model_info.CHOICES:
            self.model.addItem(c.model, c)
        self.model.setCurrentText(settings.model)
        self.pretrained = QLineEdit(settings.pretrained)
        self.pretrained.setToolTip("A pretrained tag (downloaded once), or a local weights file")
        browse = QPushButton("Weights file…")
        browse.clicked.connect(self._pick_weights)
        weights_row = QHBoxLayout()
        weights_row.addWidget(self.pretrained, 1)
        weights_row.addWidget(browse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        if settings.device not in DEVICES:
            self.device.addItem(settings.device)
        self.device.setCurrentText(settings.device)
        self.runtime = QComboBox()  # core/int8_runtime.py: int8 vectors get their own model id
        self.runtime.addItem("standard (default)", "torch")
        self.runtime.addItem("onnx-int8 (int8 image tower; re-embeds every photo)", "onnx-int8")
        self.runtime.setToolTip(
            "Standard: the model's own vectors. On a machine without a GPU photos are read "
            "by ONNX Runtime with 8-bit image weights, checked to agree with the full model "
            "(cosine >= 0.9995).\nonnx-int8: signed 8-bit weights, faster on some CPUs; "
            "its vectors differ more, so they are kept apart and every photo is re-embedded.")
        self.runtime.setCurrentIndex(max(0, self.runtime.findData(settings.runtime)))
        self.strong = QDoubleSpinBox()
        self.strong.setRange(0.0, 1.0)
        self.strong.setSingleStep(0.01)
        self.strong.setDecimals(2)
        self.strong.setSpecialValueText("relative to the best match")
        self.strong.setValue(settings.strong_match)
        self.strong.setToolTip("Score from which a result counts as a strong match; "
                               "0 = close to the best match of each search")
        self.exclude = QPlainTextEdit("\n".join(settings.exclude))
        self.exclude.setToolTip("One pattern per line: folder or file names (wildcards allowed) "
                                "that indexing skips")
        self.theme = QComboBox()
        self.theme.addItems(THEMES)
        self.theme.setCurrentText(settings.theme if settings.theme in THEMES else "system")
        self.ocr = QCheckBox("Read text in photos (OCR)")
        self.ocr.setChecked(TextSettings.from_settings(settings).enabled)
        self.ocr.setToolTip("Find photos by the words in them (signs, receipts, screenshots); "
                            "runs in the background after indexing")
        self.ocr_note = QLabel("Estimating…")
        self.ocr_note.setWordWrap(True)
        self.people = QCheckBox("Find people in photos (faces)")
        self.people.setChecked(bool((settings.people or {}).get("enabled")))
        self.people.setToolTip("Group faces into people you can name and search for "
                               "(person:NAME); runs in the background after indexing, on "
                               "this computer only")
        self.people_note = QLabel("Estimating…")
        self.people_note.setWordWrap(True)
        self.model.currentTextChanged.connect(self._model_changed)
        self.pretrained.textChanged.connect(lambda _t: self._update_note())
        self._build(weights_row)
        self._update_note()

    def _build(self, weights_row) -> None:
        """Grouped sections on the type scale (a card each, a heading, muted notes), in a
        scroll area so the dialog fits an 800x600 screen; Save is the primary action."""
        weights = QWidget()
        weights.setLayout(weights_row)
        weights_row.setContentsMargins(0, 0, 0, 0)
        for note in (self.note, self.ocr_note, self.people_note):
            style.muted(note)
        restart = style.muted(QLabel("Model, weights, device and CPU indexing changes apply "
                                     "the next time photosearch starts; photos are then "
                                     "re-embedded in the background."))
        restart.setWordWrap(True)
        self.exclude.setMinimumHeight(60)
        self.exclude.setMaximumHeight(110)
        sections: list[tuple[str, list[tuple[str, QWidget]]]] = [
            ("Library & model", [("Model", self.model), ("Weights", weights),
                                 ("", self.note), ("Device", self.device)]),
            ("Search", [("Strong match from", self.strong)]),
            ("Indexing", [("CPU indexing", self.runtime), ("", restart),
                          ("Excluded folders", self.exclude)]),
            ("People", [("", self.people), ("", self.people_note)]),
            ("Text in photos", [("", self.ocr), ("", self.ocr_note)]),
            ("Appearance", [("Theme", self.theme)]),
        ]
        body = QWidget()
        body.setObjectName("settingsBody")
        bl = QVBoxLayout(body)
        bl.setContentsMargins(0, 0, style.SPACE_S, 0)
        bl.setSpacing(style.SPACE_L - style.SPACE_S)
        self.sections: dict[str, QFrame] = {}
        for title, rows in sections:
            form_host = QWidget()
            form = QFormLayout(form_host)
            form.setContentsMargins(0, 0, 0, 0)
            form.setHorizontalSpacing(style.SPACE_L)
            form.setVerticalSpacing(style.SPACE_M)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for label, widget in rows:
                if label:
                    form.addRow(label, widget)
                else:
                    form.addRow(widget)
            section = style.section(style.heading(title, "2"), form_host)
            self.sections[title] = section
            bl.addWidget(section)
        bl.addStretch(1)
        self.sections_area = QScrollArea()
        self.sections_area.setObjectName("settingsScroll")
        self.sections_area.setWidgetResizable(True)
        self.sections_area.setFrameShape(QFrame.Shape.NoFrame)
        self.sections_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections_area.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        style.set_kind(buttons.button(QDialogButtonBox.StandardButton.Save), "primary")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.SPACE_L, style.SPACE_L, style.SPACE_L, style.SPACE_L)
        layout.setSpacing(style.SPACE_M)
        layout.addWidget(style.heading("Settings", "1"))
        layout.addWidget(self.sections_area, 1)
        layout.addWidget(buttons)
        self.resize(640, 580)  # fits 800x600; the sections scroll

    def set_ocr_estimate(self, text: str) -> None:
        """What turning OCR on costs (core text.estimate.ocr_estimate, from the db thread)."""
        self.ocr_note.setText(text)
        if text.startswith("Not available") and not self.ocr.isChecked():
            self.ocr.setEnabled(False)

    def set_people_estimate(self, text: str) -> None:
        """What turning people on costs (core people.estimate, from the db thread)."""
        self.people_note.setText(text)
        if text.startswith("Not available") and not self.people.isChecked():
            self.people.setEnabled(False)

    def _model_changed(self, text: str) -> None:
        choice = next((c for c in model_info.CHOICES if c.model == text), None)
        if choice and text != self.original.model:
            self.pretrained.setText(choice.pretrained)
        self._update_note()

    def _update_note(self) -> None:
        self.note.setText(model_info.describe(self.model.currentText().strip(),
                                              self.pretrained.text().strip()))

    def _pick_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a CLIP weights file", home_dir(),
            "Weights (*.safetensors *.bin *.pt *.pth);;All files (*)")
        if path:
            self.pretrained.setText(path)

    def weights_problem(self) -> str | None:
        """Why the chosen weights file cannot be used (None: fine, or a download tag)."""
        pretrained = self.pretrained.text().strip()
        if not pretrained or pretrained == self.original.pretrained \
                or not looks_like_file(pretrained):
            return None
        return check_weights_file(os.path.expanduser(pretrained))

    def accept(self) -> None:
        problem = self.weights_problem()
        if problem:  # refused now, rather than a library that cannot search after restart
            self.note.setText(style.error_html(f"<b>Not saved:</b> {html.escape(problem)}."))
            self.pretrained.setFocus()
            return
        super().accept()

    def result_settings(self) -> Settings:
        """The edited settings (unsaved)."""
        excludes = [ln.strip() for ln in self.exclude.toPlainText().splitlines() if ln.strip()]
        new = replace(self.original,
                  model=self.model.currentText().strip() or self.original.model,
                  pretrained=self.pretrained.text().strip() or self.original.pretrained,
                  device=self.device.currentText(),
                  runtime=self.runtime.currentData(),
                  strong_match=round(self.strong.value(), 4),
                  exclude=excludes,
                  theme=self.theme.currentText())
        ts = TextSettings.from_settings(self.original)
        ts.enabled = self.ocr.isChecked()
        ts.store(new)
        new.people = {**(self.original.people or {}), "enabled": self.people.isChecked()}
        return new

    @staticmethod
    def needs_restart(old: Settings, new: Settings) -> bool:
        return ((old.model, old.pretrained, old.device, old.runtime)
                != (new.model, new.pretrained, new.device, new.runtime))
