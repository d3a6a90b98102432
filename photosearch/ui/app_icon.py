"""The app's own icon for its windows (and the About box): the PNGs rendered from
resources/icons/photosearch.svg, found next to the source tree or inside a PyInstaller
bundle (installer/bundle_contents.py ships them), else the themed icon the .deb installs
into the hicolor tree."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_NAME = "photosearch"  # the .desktop file's Icon= and the hicolor file names


def icon_dirs() -> list[Path]:
    """Where resources/icons may be: the source tree, or the bundle's own folder."""
    dirs = [Path(__file__).resolve().parents[2] / "resources" / "icons"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        dirs.insert(0, Path(bundle) / "resources" / "icons")
    return dirs


def app_icon() -> QIcon:
    """Every size found (so each window manager picks a crisp one); may be null only when
    neither the files nor an installed theme icon exist."""
    icon = QIcon()
    for folder in icon_dirs():
        for png in sorted(folder.glob(f"hicolor/*/apps/{ICON_NAME}.png")):
            icon.addFile(str(png))
        flat = folder / f"{ICON_NAME}.png"  # a bundle's single file
        if flat.is_file():
            icon.addFile(str(flat))
        if not icon.isNull():
            return icon
    return QIcon.fromTheme(ICON_NAME)
