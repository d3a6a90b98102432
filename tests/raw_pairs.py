"""Test photos for RAW+JPEG pairs (issue 14): two shots saved as a DNG (tests/dng.py) and a
camera JPEG with the same stem, and a lone JPEG."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from .dng import jpeg_bytes, write_dng
from .unit.dupes_helpers import RED, texture

T0 = 1_600_000_000


def make_pairs(root: Path) -> dict[str, Path]:
    """Two shots as RAW+JPEG (the second with a lower-case RAW name) and a lone JPEG."""
    root.mkdir(parents=True)
    files = {}
    for n, (stem_raw, stem_jpg, seed, when) in enumerate(
            (("IMG_0001", "IMG_0001", 11, "2021:06:05 14:03:02"),
             ("img_0002", "IMG_0002", 13, "2021:06:06 10:00:00"))):
        scene = texture(seed, size=(640, 480))
        exif = Image.Exif()
        exif[271], exif[272] = "Testcam", "Model X"
        exif[0x8769] = {36867: when}
        jpg = root / f"{stem_jpg}.JPG"
        jpg.write_bytes(jpeg_bytes(scene, exif=exif.tobytes()))
        dng = write_dng(root / f"{stem_raw}.dng", np.asarray(scene), when=when,
                        preview=jpeg_bytes(scene.resize((320, 240)), quality=85))
        files[f"jpg{n + 1}"], files[f"dng{n + 1}"] = jpg, dng
    files["lone"] = root / "lone.jpg"
    texture(12, RED).save(files["lone"], quality=90)
    for p in root.iterdir():
        os.utime(p, (T0, T0))
    return files
