"""The People filter chip: choose a named person in the filter bar and the results are
limited to photos showing them (the same as typing `person:NAME`; combines with words in
the search field). Hidden until someone is named. The names are read on the window's db
thread when the list is about to open, after a faces pass and after the People screen
changed something."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox

from ..core.people.search import person_names
from .workers import Runner

ANYONE = "Anyone"


class PersonCombo(QComboBox):
    """"Anyone" or one named person; `about_to_show` asks for fresh names."""

    about_to_show = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setToolTip("Only photos showing this person (person:NAME; name people on the "
                        "People screen)")
        self.addItem(ANYONE, None)
        # a fixed, small width: long names must not widen the filter row (the window
        # stays usable at 800x600); the list itself shows them in full
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(5)
        self.setVisible(False)  # shown once someone is named (set_names)

    def showPopup(self) -> None:
        self.about_to_show.emit()
        super().showPopup()

    def person(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None

    def set_names(self, names: list[str]) -> None:
        """Offer these names; the chosen one stays chosen (also when it was renamed away, so
        the results never change under the user without a visible chip)."""
        current = self.person()
        keep = [*names, *([current] if current and current not in names else [])]
        self.setVisible(bool(keep))  # no one named yet: nothing to choose, no chip
        if [self.itemData(i) for i in range(1, self.count())] == keep:
            return
        self.blockSignals(True)
        self.clear()
        self.addItem(ANYONE, None)
        for name in keep:
            self.addItem(name, name)
        self.setCurrentIndex(max(0, self.findData(current)) if current else 0)
        self.blockSignals(False)

    def choose(self, name: str | None) -> None:
        """Select a person (None: anyone); emits currentIndexChanged like a user's choice."""
        if name and self.findData(name) < 0:
            self.set_names([*(self.itemData(i) for i in range(1, self.count())), name])
        self.setCurrentIndex(self.findData(name) if name else 0)


class PersonNames(QObject):
    """Keeps a PersonCombo's names in step with the library (read on the db thread)."""

    def __init__(self, lib: Any, runner: Runner, combo: PersonCombo,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lib, self.runner, self.combo = lib, runner, combo
        combo.about_to_show.connect(self.refresh)

    def refresh(self, *_args: Any) -> None:
        self.runner.submit("db", lambda: person_names(self.lib.catalog),
                           on_done=self.combo.set_names)
