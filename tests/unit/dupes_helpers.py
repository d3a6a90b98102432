"""Constructed photo sets for the duplicate tests: textured images whose perceptual hashes
are independent per seed, tinted so FakeEmbedder (mean colour) tells tints apart."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from PIL import Image

RED = (1.0, 0.35, 0.3)
GREEN = (0.3, 1.0, 0.35)
SEPIA = (0.95, 0.8, 0.6)


def texture(seed: int, tint=SEPIA, size=(320, 240)) -> Image.Image:
    """Smooth random blobs: a distinct structure per seed (unlike a plain gradient)."""
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.uniform(0, 255, (6, 8)).astype(np.uint8), "L")
    grey = np.asarray(small.resize(size, Image.Resampling.BICUBIC), dtype=np.float32)
    rgb = np.clip(grey[:, :, None] * np.array(tint, dtype=np.float32)[None, None, :], 0, 255)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def save(img: Image.Image, path: Path, mtime: float | None = None, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, **kw)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def checksums(root: Path) -> dict[str, str]:
    return {str(p): digest(p) for p in sorted(Path(root).rglob("*")) if p.is_file()}


