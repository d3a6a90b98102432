"""Where file dialogs start: the user's Pictures folder, else home (never the working
directory the app happened to be started from)."""

from __future__ import annotations

import os
from pathlib import Path


def start_dir() -> str:
    home = Path.home()
    try:
        from platformdirs import user_pictures_dir

        pictures = Path(user_pictures_dir())
    except Exception:  # noqa: BLE001 - no platformdirs answer: home
        pictures = home / "Pictures"
    return str(pictures if pictures.is_dir() else home) if home.is_dir() else os.getcwd()


def home_dir() -> str:
    home = Path.home()
    return str(home) if home.is_dir() else os.getcwd()
