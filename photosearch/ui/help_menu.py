"""The Help menu: keyboard shortcuts, About (versions of the app, Qt, torch, the model and
its device), and the log folder (for a bug report)."""

from __future__ import annotations

import html
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from .. import __version__ as app_version


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions(lib: Any) -> list[tuple[str, str]]:
    """What About shows. torch's version is read from its package metadata: asking never
    imports torch on the GUI thread."""
    torch = sys.modules.get("torch")
    emb = getattr(lib, "_embedder", None)
    device = getattr(emb, "device", None) or lib.settings.device
    return [("photosearch", app_version), ("Qt", qVersion()), ("PySide6", pyside_version),
            ("torch", getattr(torch, "__version__", None) or _installed("torch")),
            ("Python", sys.version.split()[0]),
            ("model", f"{lib.settings.model} ({lib.settings.pretrained})"),
            ("device", str(device)), ("library", str(lib.paths.root))]


def log_folder() -> Path:
    from ..core.paths import log_dir

    return Path(os.environ.get("PHOTOSEARCH_LOG_DIR") or log_dir())


class HelpMenu:
    """Adds Help ▸ Keyboard shortcuts / Open log folder / About to `window`."""

    def __init__(self, window: QMainWindow, lib: Any) -> None:
        self.window, self.lib = window, lib
        self.dialog: QMessageBox | None = None
        menu = window.menuBar().addMenu("&Help")
        self.act_shortcuts = QAction("Keyboard shortcuts", window)
        self.act_shortcuts.setShortcut(QKeySequence("F1"))
        self.act_shortcuts.triggered.connect(self.show_shortcuts)
        self.act_logs = QAction("Open log folder", window)
        self.act_logs.triggered.connect(self.open_logs)
        self.act_about = QAction("About photosearch", window)
        self.act_about.triggered.connect(self.show_about)
        for a in (self.act_shortcuts, self.act_logs, self.act_about):
            window.addAction(a)
            menu.addAction(a)

    def shortcuts(self) -> list[tuple[str, str]]:
        """(shortcut, action) for every action of the window and its children."""
        seen, out = set(), []
        for a in self.window.findChildren(QAction):
            keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            text = a.text().replace("&", "")
            if keys and (keys, text) not in seen:
                seen.add((keys, text))
                out.append((keys, text))
        return sorted(out, key=lambda kv: kv[1].lower())

    def _show(self, title: str, rich: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, title, rich,
                          QMessageBox.StandardButton.Close, self.window)
        box.setTextFormat(box.textFormat().RichText)
        self.dialog = box
        box.open()
        return box

    def show_shortcuts(self) -> QMessageBox:
        rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>&nbsp;{html.escape(t)}</td>"
                       "</tr>" for k, t in self.shortcuts())
        return self._show("Keyboard shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> QMessageBox:
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>&nbsp;{html.escape(v)}</td></tr>"
                       for k, v in versions(self.lib))
        return self._show("About photosearch",
                          "<b>photosearch</b>: find your photos by what is in them.<br>"
                          f"<table>{rows}</table>")

    def open_logs(self) -> bool:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
