"""User settings of a library, persisted as JSON beside the catalog.

Settings are plain data; the CLI's global flags override them for one run without saving.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

DEFAULT_MODEL = "ViT-B-32"
DEFAULT_PRETRAINED = "laion2b_s34b_b79k"
DEFAULT_EXCLUDES = [
    ".*",  # hidden files and folders, which also covers .git and .Trash-1000
    "@eaDir",  # Synology thumbnails
    "node_modules",
    "$RECYCLE.BIN",
    "System Volume Information",
    "*.part",
    "*.crdownload",
    "*.tmp",
    "*~",
    "Thumbs.db",
    "#recycle",  # Synology/QNAP recycle bins
    "#snapshot",
    "lost+found",
]


@dataclass
class Settings:
    model: str = DEFAULT_MODEL
    pretrained: str = DEFAULT_PRETRAINED
    device: str = "auto"
    batch_size: int = 0  # 0 = pick from device
    workers: int = 0  # decode processes; 0 = number of CPU cores
    max_pixels: int = 250_000_000  # decompression-bomb guard, per image
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    strong_match: float = 0.0  # 0 = relative rule (see search.mark_strong)
    theme: str = "system"
    # Days a deleted photo's embedding is kept (a move back or an undo is then free)
    # before `photosearch purge` / the watcher drops it.
    orphan_grace_days: float = 30.0
    # duplicate thresholds and keeper rules; see core/duplicates.DupeSettings for keys
    duplicates: dict = field(default_factory=dict)
    # text in photos (OCR): on/off and speed knobs; see core/text/settings.TextSettings
    text: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Settings":
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise ConfigError(f"settings file {path} is unreadable ({exc}); fix or delete it") from exc
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), "utf-8")
        os.replace(tmp, path)


class ConfigError(Exception):
    """A settings problem the user has to fix."""
