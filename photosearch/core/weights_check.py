"""Is this file plausibly a weights file? Checked when the user picks one, so a wrong file
(a text file, a truncated download) is refused at once with a reason, instead of the next
start failing to load the model and leaving every photo unsearchable.

Cheap checks only (no torch): a safetensors file must have a well-formed JSON header of
tensors; a PyTorch file (.pt/.pth/.bin) must be a zip archive (torch.save) or a pickle.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile

MAX_HEADER = 100 * 1024 * 1024
MIN_WEIGHTS_BYTES = 1024


def looks_like_file(pretrained: str) -> bool:
    """Whether a 'pretrained' setting names a local file rather than a download tag."""
    return os.sep in pretrained or "/" in pretrained or \
        pretrained.lower().endswith((".safetensors", ".pt", ".pth", ".bin"))


def check_weights_file(path: str) -> str | None:
    """None when `path` looks like a usable weights file, else why not (for the user)."""
    name = os.path.basename(path) or path
    if not os.path.isfile(path):
        return f"{name} does not exist (or is not a file)"
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(8)
            if path.lower().endswith(".safetensors") or _safetensors_length(head, size):
                return _check_safetensors(f, head, size, name)
    except OSError as exc:
        return f"{name} cannot be read: {exc.strerror or exc}"
    if size < MIN_WEIGHTS_BYTES:
        return f"{name} is too small ({size} bytes) to hold model weights"
    if zipfile.is_zipfile(path) or head[:1] == b"\x80":  # torch.save zip, or a pickle
        return None
    return (f"{name} is not a weights file (expected .safetensors, or a PyTorch .pt/.bin "
            "file saved by torch.save)")


def _safetensors_length(head: bytes, size: int) -> int | None:
    if len(head) < 8:
        return None
    (n,) = struct.unpack("<Q", head)
    return n if 2 <= n <= min(size - 8, MAX_HEADER) else None


def _check_safetensors(f, head: bytes, size: int, name: str) -> str | None:
    n = _safetensors_length(head, size)
    bad = f"{name} is not a valid safetensors file (damaged, or not a weights file)"
    if n is None:
        return bad
    try:
        header = json.loads(f.read(n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return bad
    tensors = {k: v for k, v in header.items() if k != "__metadata__"} \
        if isinstance(header, dict) else {}
    if not tensors or not all(isinstance(v, dict) and "data_offsets" in v
                              for v in tensors.values()):
        return bad
    end = max(int(v["data_offsets"][1]) for v in tensors.values())
    if 8 + n + end > size:
        return f"{name} is truncated (an interrupted download?)"
    return None
