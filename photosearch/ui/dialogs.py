"""The window's dialogs: problems (files that could not be indexed), settings, first run.

Each dialog's data is read on the window's db thread and the dialog opens (non-modal,
`open()`) when it arrives; what the user chose leaves as a signal or is saved on a worker.
The last dialog of each kind stays reachable (`problems_dialog`, `settings_dialog`,
`first_run_dialog`) so tests and scripts can drive it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from . import icons, theme
from .app_text import app_error
from .problems_dialog import ProblemsDialog
from .workers import Runner


class WindowDialogs(QObject):
    """Opens the window's dialogs and applies their answers.

    - `settings_applied`: settings that change results (thresholds, excludes) were applied
      live: re-run the request.
    - `folders_chosen(paths)`: the first-run dialog's folders, to add and index.
    - `message(text, ms)`: a status-bar line."""

    settings_applied = Signal()
    ocr_switched = Signal(bool)  # the "Read text in photos" switch changed: start / stop
    people_switched = Signal(bool)  # the "Find people in photos" switch changed
    folders_chosen = Signal(list)
    retry_problems = Signal()  # the problems dialog's Retry: index, re-reading problem files
    message = Signal(str, int)

    def __init__(self, *, lib: Any, runner: Runner, host: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib = lib
        self.runner = runner
        self.host = host
        self.problems_dialog: ProblemsDialog | None = None
        self.settings_dialog: QWidget | None = None
        self.first_run_dialog: QWidget | None = None

    # == problems ========================================================================
    def open_problems(self) -> None:
        self.runner.submit("db", self.lib.catalog.problems, on_done=self._show_problems)

    def _show_problems(self, problems: list[dict]) -> None:
        self.problems_dialog = ProblemsDialog(problems, self.host)
        self.problems_dialog.retry_requested.connect(self.retry_problems)
        self.problems_dialog.open()

    # == settings ========================================================================
    def open_settings(self) -> None:
        from ..core.config import Settings

        self.runner.submit("db", Settings.load, self.lib.paths.settings,
                           on_done=self._show_settings)

    def _show_settings(self, saved: Any) -> None:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(saved, self.host)
        dialog.accepted.connect(lambda: self.apply_settings(saved, dialog.result_settings()))
        self.settings_dialog = dialog
        from ..core.text.estimate import ocr_estimate
        from ..core.text.settings import TextSettings

        self.runner.submit("db", lambda: ocr_estimate(self.lib.catalog,
                                                      TextSettings.from_settings(saved)),
                           on_done=dialog.set_ocr_estimate,
                           on_error=lambda exc: dialog.set_ocr_estimate(
                               f"Not available: {app_error(exc)}"))
        from .opt_ins import people_estimate_job

        self.runner.submit("db", people_estimate_job(self.lib), on_done=dialog.set_people_estimate,
                           on_error=lambda e: dialog.set_people_estimate(
                               f"Not available: {app_error(e)}"))
        dialog.open()

    def apply_settings(self, old: Any, new: Any) -> None:
        """Save (worker thread) and apply what can change live: theme, thresholds, excludes."""
        from .settings_dialog import SettingsDialog

        self.runner.submit("db", new.save, self.lib.paths.settings)
        s = self.lib.settings
        s.theme, s.strong_match, s.exclude = new.theme, new.strong_match, list(new.exclude)
        was_on = bool((s.text or {}).get("enabled"))
        text_changed = dict(s.text or {}) != dict(new.text)
        s.text = dict(new.text)
        people_was_on = bool((s.people or {}).get("enabled"))
        s.people = dict(new.people)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # always, while a window exists
            theme.apply(app, new.theme)
            icons.decorate(self.host)  # re-tint for the new palette
        if SettingsDialog.needs_restart(old, new):
            self.message.emit("Model changes apply when photosearch restarts.", 8000)
        self.settings_applied.emit()
        text_on = bool(new.text.get("enabled"))
        if text_on != was_on or (text_on and text_changed):
            # on, or a reading setting changed: the pass re-reads what it now finds pending
            self.ocr_switched.emit(text_on)
        if bool(new.people.get("enabled")) != people_was_on:
            self.people_switched.emit(bool(new.people.get("enabled")))

    # == first run =======================================================================
    def first_run(self) -> None:
        """A library without folders: suggest some and how search will work."""
        from .first_run import FirstRunDialog

        dialog = FirstRunDialog(self.lib.settings.model, self.lib.settings.pretrained,
                                parent=self.host)
        dialog.accepted.connect(lambda: self._first_run_done(dialog))
        self.first_run_dialog = dialog
        dialog.open()

    def _first_run_done(self, dialog: Any) -> None:
        if dialog.pretrained != self.lib.settings.pretrained:
            self._use_weights_file(dialog.pretrained)
        from .opt_ins import apply_opt_ins

        apply_opt_ins(self, dialog.opt_ins.people_on(), dialog.opt_ins.ocr_on())
        self.folders_chosen.emit(dialog.chosen_folders())

    def _use_weights_file(self, pretrained: str) -> None:
        from dataclasses import replace

        from ..core.config import Settings

        def save() -> None:
            saved = Settings.load(self.lib.paths.settings)
            replace(saved, pretrained=pretrained).save(self.lib.paths.settings)

        self.runner.submit("db", save)
        self.message.emit("The weights file will be used from the next start.", 8000)
