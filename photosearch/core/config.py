"""User settings of a library, persisted as versioned JSON beside the catalog.

Settings are plain data; the CLI's global flags override them for one run without saving.
The file carries a `version`; older files are upgraded step by step (`upgrade_to_N`) when
read, and every value is checked, so a bad file fails with one line naming the key and the
file instead of a crash later. Keys this version does not know (a newer release wrote
them, or the user added them) are kept and written back, never silently dropped.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

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
THEMES = ("system", "light", "dark")
SETTINGS_VERSION = 1


class ConfigError(Exception):
    """A settings problem the user has to fix."""


@dataclass
class Settings:
    model: str = DEFAULT_MODEL
    pretrained: str = DEFAULT_PRETRAINED
    device: str = "auto"
    # how photos are embedded on the CPU: "torch", or "onnx-int8" (core/int8_runtime.py:
    # its vectors get their own model id, so switching re-embeds, like switching model)
    runtime: str = "torch"
    batch_size: int = 0  # 0 = pick from device
    workers: int = 0  # decode threads; 0 = number of CPU cores
    max_pixels: int = 250_000_000  # decompression-bomb guard, per image
    max_file_bytes: int = 1 << 30  # larger files are problems, never read (1 GiB)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    strong_match: float = 0.0  # 0 = relative rule (see search.STRONG_MARGIN)
    theme: str = "system"
    # Days a deleted photo's embedding is kept (a move back or an undo is then free)
    # before `photosearch purge` / the watcher drops it.
    orphan_grace_days: float = 30.0
    # duplicate thresholds and keeper rules; see core/duplicates.DupeSettings for keys
    duplicates: dict[str, Any] = field(default_factory=dict)
    # people (faces), opt-in: {"enabled": bool, "detector": "hog"|"cnn", "workers": int}
    people: dict[str, Any] = field(default_factory=dict)
    # text in photos (OCR), opt-in: see core/text/settings.TextSettings for keys
    text: dict[str, Any] = field(default_factory=dict)
    # keywords in XMP sidecars: {"parent": "photosearch"} (core/keywords.KeywordSettings)
    keywords: dict[str, Any] = field(default_factory=dict)
    # keys this version does not know, kept as they were and saved again
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise ConfigError(f"settings file {path} is unreadable ({exc}); "
                              "fix or delete it") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: object, source: str = "settings") -> Settings:
        """Upgrade and validate what a settings file holds; ConfigError names what is wrong."""
        if not isinstance(data, dict):
            raise ConfigError(f"settings file {source} must hold a JSON object, not "
                              f"{type(data).__name__}; fix or delete it")
        data = upgrade(dict(data), source)
        known = {f.name for f in fields(cls)} - {"extra"}
        values = {k: _check(k, v, f"settings file {source}") for k, v in data.items()
                  if k in known}
        extra = {k: v for k, v in data.items() if k not in known and k != "version"}
        if extra:
            log.warning("%s: keeping unknown settings %s", source, ", ".join(sorted(extra)))
        return cls(**values, extra=extra)

    def with_overrides(self, where: str = "command line", **values: Any) -> Settings:
        """A copy with these values (None = keep), each validated like a saved one."""
        changed = {k: _check(k, v, where) for k, v in values.items() if v is not None}
        return replace(self, **changed)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {"version": SETTINGS_VERSION, **data, **extra}

    def save(self, path: Path) -> None:
        """Write atomically (temp file, then rename): a crash never leaves half a file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2), "utf-8")
        os.replace(tmp, path)


# -- sections: feature settings kept as one object in settings.json ------------------------
def read_section(cls: Any, raw: Any, name: str, accepts: Callable[[Any, Any], bool]) -> Any:
    """The `name` section of settings.json as an instance of the dataclass `cls` (its field
    defaults fill what is not set). `accepts(default, value)` says whether a value fits its
    field; one that does not is a ConfigError naming it. Unknown keys are logged, not used."""
    raw = dict(raw or {})
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        log.warning("ignoring unknown %s settings: %s", name, ", ".join(unknown))
    out = cls()
    for k, v in raw.items():
        if k not in known:
            continue
        default = getattr(out, k)
        if not accepts(default, v):
            raise ConfigError(f"settings {name}.{k} must be like {default!r}, not {v!r}")
        setattr(out, k, v)
    return out


# -- upgrades: upgrade_to_N turns a version N-1 dict into a version N dict -----------------
def upgrade_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """0.1.0 wrote no version; its keys are all still valid."""
    return data


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: upgrade_to_1}


def upgrade(data: dict[str, Any], source: str) -> dict[str, Any]:
    version = data.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise ConfigError(f"settings file {source}: 'version' must be a whole number "
                          f"(found {version!r})")
    if version > SETTINGS_VERSION:
        raise ConfigError(f"settings file {source} was written by a newer photosearch "
                          f"(version {version}); upgrade photosearch to use it")
    for target in range(version + 1, SETTINGS_VERSION + 1):
        data = UPGRADES[target](data)
        data["version"] = target
    return data


# -- validation ------------------------------------------------------------------------------
def _check(key: str, value: Any, where: str) -> Any:
    """The value if it is valid for `key`, else ConfigError naming where, key and rule."""
    rule, ok = _RULES[key]
    if not ok(value):
        raise ConfigError(f"{where}: '{key}' must be {rule} (found {value!r})")
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float)) and math.isfinite(v)


def _is_device(v: Any) -> bool:
    return isinstance(v, str) and (v in ("auto", "cpu", "cuda", "mps") or
                                   v.startswith("cuda:") and v[5:].isdigit())


_RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "model": ("a model name", lambda v: isinstance(v, str) and bool(v.strip())),
    "pretrained": ("a weights tag or file", lambda v: isinstance(v, str) and bool(v.strip())),
    "device": ("auto, cpu, cuda, cuda:N or mps", _is_device),
    "runtime": ("torch or onnx-int8", lambda v: v in ("torch", "onnx-int8")),
    "batch_size": ("a whole number, 0 or more", lambda v: _is_int(v) and v >= 0),
    "workers": ("a whole number, 0 or more", lambda v: _is_int(v) and v >= 0),
    "max_pixels": ("a whole number above 0", lambda v: _is_int(v) and v > 0),
    "max_file_bytes": ("a whole number of bytes above 0", lambda v: _is_int(v) and v > 0),
    "exclude": ("a list of folder paths or name patterns",
                lambda v: isinstance(v, list) and all(isinstance(i, str) and i for i in v)),
    "strong_match": ("a number from 0 to 1", lambda v: _is_number(v) and 0 <= v <= 1),
    "theme": (", ".join(THEMES), lambda v: v in THEMES),
    "orphan_grace_days": ("a number of days, 0 or more", lambda v: _is_number(v) and v >= 0),
    "duplicates": ("an object of duplicate settings", lambda v: isinstance(v, dict)),
    "people": ("an object of people (faces) settings", lambda v: isinstance(v, dict)),
    "text": ("an object of text-in-photos (OCR) settings", lambda v: isinstance(v, dict)),
    "keywords": ("an object of keyword (XMP) settings", lambda v: isinstance(v, dict)),
}
