"""An empty screen's message (issue 17), like the Photos grid's: an icon, one line of what is
missing, one line of what to do, and a primary button when there is an action.

Screens put an `EmptyState` in place of their content (a `QStackedWidget` page, or shown
beside it) and call `show_state` / `hide` as their data arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from . import icons, style

ICON_SIDE = 48


class EmptyState(QWidget):
    """Icon, title, hint and an optional primary action, centred."""

    def __init__(self, icon_key: str, title: str, hint: str, action: str | None = None,
                 on_action: Callable[[], object] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.icon_key = icon_key
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = style.heading(title, "2")
        self.hint = style.muted(QLabel(hint))
        for label in (self.title, self.hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.button = QPushButton(action or "")
        style.set_kind(self.button, "primary")
        self.button.setAutoDefault(False)
        self.button.setVisible(bool(action))
        self._on_action = on_action
        self.button.clicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.SPACE_L, style.SPACE_L, style.SPACE_L, style.SPACE_L)
        layout.setSpacing(style.SPACE_M)
        layout.addStretch(1)
        layout.addWidget(self.icon)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self._tint()

    def _tint(self) -> None:
        self.icon.setPixmap(icons.icon(self.icon_key, "muted").pixmap(ICON_SIDE, ICON_SIDE))

    def _clicked(self) -> None:
        if self._on_action is not None:
            self._on_action()

    def show_state(self, icon_key: str | None = None, title: str | None = None,
                   hint: str | None = None, action: str | None = None,
                   on_action: Callable[[], object] | None = None) -> None:
        """Change what it says (None keeps a part) and show it."""
        if icon_key is not None:
            self.icon_key = icon_key
        if title is not None:
            self.title.setText(title)
        if hint is not None:
            self.hint.setText(hint)
        if action is not None:
            self.button.setText(action)
            self.button.setVisible(bool(action))
        if on_action is not None:
            self._on_action = on_action
        self._tint()  # the palette may have changed since it was built
        self.show()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._tint()
        super().showEvent(event)
