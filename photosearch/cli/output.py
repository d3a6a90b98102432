"""Printing helpers shared by command modules."""

from __future__ import annotations

import json
import sys

from ..core.paths import display_path


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=_default)
    sys.stdout.write("\n")


def _default(obj):
    if isinstance(obj, set):
        return sorted(obj)
    if isinstance(obj, str):
        return display_path(obj)
    raise TypeError(type(obj).__name__)


def safe(path: str) -> str:
    """A path printable on any terminal (undecodable bytes as \\xNN)."""
    return display_path(path)


def json_safe(value):
    """Recursively make strings (paths with undecodable bytes) encodable as JSON."""
    if isinstance(value, str):
        return display_path(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


class ProgressBar:
    """A tqdm bar on stderr (silent when stderr is not a terminal)."""

    def __init__(self, desc: str):
        from tqdm import tqdm

        self.bar = tqdm(total=0, desc=desc, unit="photo", file=sys.stderr, disable=None,
                        dynamic_ncols=True)

    def __call__(self, p) -> None:
        if self.bar.disable:
            return
        if p.total != self.bar.total:
            self.bar.total = p.total
        self.bar.n = p.done
        self.bar.set_postfix_str(f"{p.phase}, {p.problems} problems", refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()
