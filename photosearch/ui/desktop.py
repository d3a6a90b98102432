"""Handing photos to the rest of the desktop: open, show in the file manager, copy the path."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QProcess, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication


def open_file(path: str) -> bool:
    """Open with the user's default image viewer."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def reveal(path: str) -> bool:
    """Show the file in the platform file manager (selected where the platform allows)."""
    if sys.platform == "darwin":
        return QProcess.startDetached("open", ["-R", path])
    if sys.platform.startswith("win"):
        return QProcess.startDetached("explorer", [f"/select,{os.path.normpath(path)}"])
    # freedesktop: the FileManager1 D-Bus interface selects the file (Nautilus, Dolphin,
    # Nemo, Thunar...); without it, open the folder.
    if QProcess.startDetached("dbus-send", [
            "--session", "--dest=org.freedesktop.FileManager1", "--type=method_call",
            "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1.ShowItems",
            f"array:string:{QUrl.fromLocalFile(path).toString()}", "string:"]):
        return True
    return QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))


def copy_paths(paths: list[str]) -> None:
    QGuiApplication.clipboard().setText("\n".join(paths))
