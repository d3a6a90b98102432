"""Printing helpers shared by command modules."""

from __future__ import annotations

import json
import sys

from ..core.paths import display_path


def print_json(data) -> None:
    json.dump(json_safe(data), sys.stdout, indent=2, ensure_ascii=False, default=_default)
    sys.stdout.write("\n")


def _default(obj):
    if isinstance(obj, set):
        return sorted(obj)
    if isinstance(obj, str):
        return _text(obj)
    raise TypeError(type(obj).__name__)


def safe(path: str) -> str:
    """A path printable on any terminal (undecodable bytes as \\xNN)."""
    return display_path(path)


def json_safe(value):
    """Recursively make strings (paths with undecodable bytes) encodable as JSON, losslessly.

    A file name that is not valid UTF-8 (Linux allows any bytes) is kept as Python keeps it,
    with the bad bytes as lone surrogates, which JSON cannot carry. Such a string becomes
    text with U+FFFD in place of each bad byte (for display), and the field gains a sibling
    `<field>_bytes`: the exact name as base64, for scripts that open the file. For a list
    of paths the sibling is a list (null for names that are fine). See README, "JSON output".
    """
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out[k] = json_safe(v)
            raw = _raw_bytes(v)
            if raw is not None and isinstance(k, str):
                out[f"{k}_bytes"] = raw
        return out
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def _undecodable(s: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in s)


def _text(s: str) -> str:
    if not _undecodable(s):
        return s
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _b64(s: str) -> str:
    import base64
    import os

    return base64.b64encode(os.fsencode(s)).decode("ascii")


def _raw_bytes(v):
    """base64 of a str (or of each str in a list) holding undecodable bytes, else None."""
    if isinstance(v, str):
        return _b64(v) if _undecodable(v) else None
    if isinstance(v, (list, tuple)) and any(isinstance(x, str) and _undecodable(x) for x in v):
        return [_b64(x) if isinstance(x, str) and _undecodable(x) else None for x in v]
    return None


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
