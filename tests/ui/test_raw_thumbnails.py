"""The app's thumbnails and preview images work for RAW files (through core.imaging)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from photosearch.ui.thumbnails import ThumbnailCache, load_scaled

from ..dng import jpeg_bytes, write_dng


def _dng(tmp_path, orientation=1):
    x = np.linspace(0, 255, 320)[None, :]
    rgb = np.stack([np.broadcast_to(x, (240, 320)), np.full((240, 320), 60.0),
                    np.full((240, 320), 60.0)], axis=2).astype(np.uint8)
    return write_dng(tmp_path / "IMG_0001.NEF.dng", rgb, orientation=orientation,
                     preview=jpeg_bytes(Image.fromarray(rgb).resize((300, 225))))


def test_grid_thumbnail_of_a_raw_is_cached_and_upright(qapp, tmp_path):
    cache = ThumbnailCache(tmp_path / "thumbs", size=128)
    img = cache.load("ab" * 16, str(_dng(tmp_path, orientation=6)))
    assert not img.isNull() and (img.width(), img.height()) == (96, 128)  # portrait
    assert cache.path_for("ab" * 16).is_file()
    # turned clockwise: red (growing rightwards as stored) now grows downwards
    top, bottom = img.pixelColor(48, 5).red(), img.pixelColor(48, 122).red()
    assert bottom > top + 100


def test_preview_image_of_a_raw(qapp, tmp_path):
    img = load_scaled(str(_dng(tmp_path)), 200)
    assert (img.width(), img.height()) == (200, 150)
