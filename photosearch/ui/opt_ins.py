"""The first-run offer of the two opt-in passes, people (faces) and text in photos (OCR),
and what accepting it does. Both are off by default: each checkbox says in one sentence
what it does and that nothing leaves the computer; a feature that cannot run here (its
optional packages are missing) is shown disabled with the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QVBoxLayout, QWidget

from ..core.people.estimate import CPU_SECONDS_PER_PHOTO as FACE_SECONDS
from ..core.people.estimate import available as people_available
from ..core.people.estimate import people_estimate
from ..core.people.faces_pass import default_workers
from ..core.text.engine import available as ocr_available
from ..core.text.settings import CPU_SECONDS_PER_PHOTO as OCR_SECONDS
from ..core.text.settings import TextSettings

PEOPLE_TEXT = ("Finds faces and groups them into people you can name and search for; "
               "the face models run on this computer and nothing leaves it (about "
               f"{FACE_SECONDS:.2f} s per photo, in the background after indexing).")
OCR_TEXT = ("Reads the words in your photos (signs, receipts, screenshots) so you can find "
            "them by those words; the text model runs on this computer and nothing leaves it "
            f"(about {OCR_SECONDS / max(1, TextSettings().workers):.2f} s per photo, "
            "two at a time, in the background after indexing).")


class OptIns(QGroupBox):
    """Two unchecked switches with their one-sentence explanations."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Optional, on this computer only (you can change this in Settings)",
                         parent)
        layout = QVBoxLayout(self)
        self.people = QCheckBox("Find people in photos (faces)")
        self.people_text = QLabel(PEOPLE_TEXT)
        self.ocr = QCheckBox("Read text in photos")
        self.ocr_text = QLabel(OCR_TEXT)
        for box, label, reason in ((self.people, self.people_text, people_available()),
                                   (self.ocr, self.ocr_text, ocr_available())):
            label.setWordWrap(True)
            label.setContentsMargins(22, 0, 0, 4)
            if reason:
                box.setEnabled(False)
                label.setText(f"{label.text()} Not available: {reason}")
            layout.addWidget(box)
            layout.addWidget(label)

    def people_on(self) -> bool:
        return self.people.isEnabled() and self.people.isChecked()

    def ocr_on(self) -> bool:
        return self.ocr.isEnabled() and self.ocr.isChecked()


def people_estimate_job(lib: Any) -> Callable[[], str]:
    """The Settings switch's estimate, to run on the db thread."""
    return lambda: people_estimate(lib.catalog, default_workers(lib))


def apply_opt_ins(dialogs: Any, people: bool, ocr: bool) -> None:
    """Switch on what the first-run dialog's user chose: in memory now (the passes start
    after the first indexing run), saved on the db thread, then the window is told."""
    if not (people or ocr):
        return
    from ..core.config import Settings

    lib = dialogs.lib
    if people:
        lib.settings.people = {**(lib.settings.people or {}), "enabled": True}
    if ocr:
        ts = TextSettings.from_settings(lib.settings)
        ts.enabled = True
        ts.store(lib.settings)
    people_section, text_section = dict(lib.settings.people or {}), dict(lib.settings.text or {})

    def save() -> None:  # what is on disk may hold a weights file chosen in the same dialog
        saved = Settings.load(lib.paths.settings)
        replace(saved, people=people_section, text=text_section).save(lib.paths.settings)

    dialogs.runner.submit("db", save)
    if people:
        dialogs.people_switched.emit(True)
    if ocr:
        dialogs.ocr_switched.emit(True)
