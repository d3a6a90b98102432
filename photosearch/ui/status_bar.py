"""Status bar widgets: indexing progress (done/total, rate, ETA) with pause/resume/cancel,
library counts, and the problems count that opens the problems list."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .workers import IndexStatus


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s left"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s left"
    return f"{seconds // 3600}h {(seconds % 3600) // 60:02d}m left"


def describe(status: IndexStatus, paused: bool = False) -> str:
    if status.phase == "scanning":
        return "Looking for new and changed photos…"
    if status.phase == "done":
        return f"Indexed {status.done:,} files"
    parts = [f"Indexing {status.done:,} / {status.total:,}"]
    if paused:
        parts.append("paused")
    elif status.rate:
        parts.append(f"{status.rate:.1f} photos/s")
        if status.eta_s is not None:
            parts.append(format_eta(status.eta_s))
    return " · ".join(parts)


class IndexProgress(QWidget):
    pause_toggled = Signal(bool)  # True: pause
    cancel_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.setCheckable(True)
        self.pause_btn.toggled.connect(self._pause_toggled)
        self.cancel_btn = QPushButton("Stop")
        self.cancel_btn.setToolTip("Stop indexing after the current batch (it resumes next time)")
        self.cancel_btn.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.bar, self.pause_btn, self.cancel_btn):
            layout.addWidget(w)
        layout.addStretch(1)
        self.last: IndexStatus | None = None
        self.set_running(False)

    def _pause_toggled(self, paused: bool) -> None:
        self.pause_btn.setText("Resume" if paused else "Pause")
        self.pause_toggled.emit(paused)
        if self.last:
            self.label.setText(describe(self.last, paused))

    def set_running(self, running: bool) -> None:
        for w in (self.bar, self.pause_btn, self.cancel_btn):
            w.setVisible(running)
        if running:
            self.pause_btn.blockSignals(True)
            self.pause_btn.setChecked(False)
            self.pause_btn.setText("Pause")
            self.pause_btn.blockSignals(False)
            self.bar.setRange(0, 0)  # busy until the first count arrives
            self.label.setText("Starting…")

    def update_status(self, status: IndexStatus) -> None:
        self.last = status
        if status.total > 0:
            self.bar.setRange(0, status.total)
            self.bar.setValue(status.done)
        else:
            self.bar.setRange(0, 0)
        self.label.setText(describe(status, self.pause_btn.isChecked()))

    def show_message(self, text: str) -> None:
        self.label.setText(text)


class ProblemsButton(QPushButton):
    """'3 problems': files that could not be indexed; hidden when there are none."""

    def set_count(self, n: int) -> None:
        self.setText(f"⚠ {n:,} problem{'s' if n != 1 else ''}")
        self.setToolTip("Files that could not be indexed, and why")
        self.setVisible(n > 0)
        self.count = n
