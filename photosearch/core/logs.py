"""Logging: a rotating file in the platform log dir, plus terse messages on stderr."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from .paths import log_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup(verbose: bool = False, directory: Path | None = None) -> Path | None:
    """Configure root logging once; returns the log file path (None if it is unwritable)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(console)
    path = None
    try:
        directory = directory or Path(os.environ.get("PHOTOSEARCH_LOG_DIR") or log_dir())
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "photosearch.log"
        fh = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                  encoding="utf-8")
        fh.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(fh)
    except OSError:
        path = None  # a read-only home must not stop the app
    for noisy in ("PIL", "urllib3", "httpx", "huggingface_hub", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
