"""Decoding: every mode to RGB, orientation, EXIF, draft mode, bombs, clear errors."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from photosearch.core import imaging
from photosearch.core.imaging import ImageError, decode_for_model

from ..conftest import FORMATS, require


@pytest.fixture(autouse=True)
def _decoders():
    imaging.setup_decoders()


def save(img: Image.Image, fmt: str, **kw) -> io.BytesIO:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    buf.seek(0)
    return buf


def test_every_shared_format_decodes_to_model_pixels():
    d = require(FORMATS)
    for p in sorted(d.iterdir()):
        if p.suffix == ".txt":
            with pytest.raises(ImageError, match="not an image"):
                decode_for_model(str(p), 64)
            continue
        out = decode_for_model(str(p), 64)
        assert out.pixels.shape == (64, 64, 3) and out.pixels.dtype == np.uint8, p.name
        assert out.width > 0 and len(out.phash) == 16


@pytest.mark.parametrize("mode", ["CMYK", "L", "LA", "RGBA", "P", "I;16", "1"])
def test_modes_convert_to_rgb(mode):
    base = Image.new("RGB", (40, 30), (200, 100, 50))
    img = base.convert(mode) if mode != "I;16" else \
        Image.fromarray(np.full((30, 40), 40000, np.uint16))
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    out = decode_for_model(save(img, fmt), 32, mtime=0)
    assert out.pixels.shape == (32, 32, 3)
    if mode == "I;16":  # 16-bit scaled down, not clipped to white
        assert 150 < out.pixels.mean() < 160


def test_transparent_areas_become_white_not_black():
    img = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    out = decode_for_model(save(img, "PNG"), 16, mtime=0)
    assert out.pixels.min() == 255


def test_exif_orientation_is_applied_and_size_is_upright():
    img = Image.new("RGB", (60, 20), (0, 0, 0))
    img.paste((255, 255, 255), (0, 0, 20, 20))  # white block on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    exif[306] = "2021:07:04 09:30:00"
    exif[271], exif[272] = "Canon", "EOS R5"
    data = save(img, "JPEG", exif=exif.tobytes(), quality=95).getvalue()
    upright = np.asarray(imaging.open_image(io.BytesIO(data)))
    assert upright.shape[:2] == (60, 20)
    assert upright[:15].mean() > 200 and upright[-15:].mean() < 50  # left block now on top
    out = decode_for_model(io.BytesIO(data), 30, mtime=0)
    assert (out.width, out.height) == (20, 60)
    assert out.camera_make == "Canon" and out.camera_model == "EOS R5" and out.has_exif
    assert out.taken_at == imaging.parse_exif_time("2021:07:04 09:30:00")


def test_large_jpegs_decode_in_draft_mode_near_model_size():
    img = Image.new("RGB", (4000, 3000), (10, 120, 200))
    opened = imaging.open_image(save(img, "JPEG"), draft_size=224)
    assert opened.size == (500, 375)  # DCT scaling 1/8, not a full 12 MP decode
    out = decode_for_model(save(img, "JPEG"), 224, mtime=0)
    assert (out.width, out.height) == (4000, 3000)  # metadata keeps the real size


def test_decompression_bomb_is_refused_with_advice():
    imaging.setup_decoders(max_pixels=1000)
    try:
        with pytest.raises(ImageError, match="too large.*max_pixels"):
            decode_for_model(save(Image.new("RGB", (40, 30)), "PNG"), 16, mtime=0)
    finally:
        imaging.setup_decoders()


def test_truncated_file_is_reported_as_truncated():
    data = save(Image.effect_noise((200, 200), 50).convert("RGB"), "JPEG").getvalue()
    with pytest.raises(ImageError, match="truncated"):
        decode_for_model(io.BytesIO(data[: len(data) // 3]), 32, mtime=0)


def test_animated_images_use_the_first_frame():
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    buf.seek(0)
    px = decode_for_model(buf, 16, mtime=0).pixels
    assert px[..., 0].mean() > 200 and px[..., 2].mean() < 50


def test_exif_time_parsing_rejects_garbage():
    assert imaging.parse_exif_time("0000:00:00 00:00:00") is None
    assert imaging.parse_exif_time(None) is None
    assert imaging.parse_exif_time("2020:02:29 23:59:59\x00") is not None
