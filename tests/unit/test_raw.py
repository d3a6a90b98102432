"""Camera RAW decoding (core/raw.py) on DNG files the tests write themselves (tests/dng.py):
the embedded preview when it is large enough, demosaic otherwise, orientation, capture time
and camera, the pixel limit, and clear reasons for broken files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from photosearch.core import imaging, raw
from photosearch.core.imaging import ImageError, decode_for_model

from ..dng import jpeg_bytes, write_dng

T_2021 = 1622901782.0  # 2021-06-05 14:03:02 as wall clock in UTC (the EXIF convention)


@pytest.fixture(autouse=True)
def _decoders():
    imaging.setup_decoders()
    yield
    imaging.setup_decoders()


def gradient(w: int = 320, h: int = 240) -> np.ndarray:
    x = np.linspace(0, 255, w)[None, :]
    y = np.linspace(0, 255, h)[:, None]
    return np.stack([np.broadcast_to(x, (h, w)), np.broadcast_to(y, (h, w)),
                     np.full((h, w), 80.0)], axis=2).astype(np.uint8)


GREEN = Image.new("RGB", (300, 225), (20, 200, 40))  # a preview unlike the RAW's pixels


def test_every_raw_extension_is_an_image_name():
    for ext in ("dng", "cr2", "cr3", "nef", "arw", "orf", "rw2", "raf", "pef", "srw"):
        assert imaging.is_image_name(f"IMG_0001.{ext}") and imaging.is_image_name(
            f"IMG_0001.{ext.upper()}")
        assert raw.is_raw_name(f"x.{ext}")
    assert not raw.is_raw_name("x.tif") and not raw.is_raw_name("x.jpg")


def test_a_large_enough_preview_is_used(tmp_path):
    p = write_dng(tmp_path / "a.dng", gradient(), preview=jpeg_bytes(GREEN))
    with open(p, "rb") as fh:  # as the indexer calls it: from the open file
        d = decode_for_model(fh, 64)
    assert d.format == "dng" and (d.width, d.height) == (320, 240)  # the sensor's size
    r, g, b = d.pixels.reshape(-1, 3).mean(axis=0)
    assert g > 150 and r < 60 and b < 80  # the green preview, not the gradient RAW
    assert (d.camera_make, d.camera_model, d.taken_at, d.has_exif) == \
        ("Testcam", "Model X", T_2021, True)


def test_a_preview_smaller_than_needed_is_replaced_by_a_demosaic(tmp_path):
    small = GREEN.resize((80, 60))
    p = write_dng(tmp_path / "a.dng", gradient(), preview=jpeg_bytes(small))
    d = decode_for_model(str(p), 128)
    r, g, b = d.pixels.reshape(-1, 3).mean(axis=0)
    assert not (g > 150 and r < 60)  # not the green preview
    # the demosaiced gradient: red grows left to right, green top to bottom
    px = d.pixels.astype(int)
    assert px[:, -8:, 0].mean() > px[:, :8, 0].mean() + 60
    assert px[-8:, :, 1].mean() > px[:8, :, 1].mean() + 60
    assert d.camera_model == "Model X" and d.taken_at == T_2021


def test_a_dng_without_preview_is_demosaiced_and_keeps_its_metadata(tmp_path):
    p = write_dng(tmp_path / "a.dng", gradient(), when=None, make="Nikon", model="Z 6")
    d = decode_for_model(str(p), 64, mtime=1_000_000_000.0)
    assert d.pixels.shape == (64, 64, 3) and (d.camera_make, d.camera_model) == ("Nikon", "Z 6")
    assert d.taken_at == imaging.wall_clock_epoch(1_000_000_000.0)  # no time: the mtime


@pytest.mark.parametrize("with_preview", [True, False])
def test_orientation_is_applied_on_both_paths(tmp_path, with_preview):
    preview = jpeg_bytes(Image.fromarray(gradient())) if with_preview else None
    p = write_dng(tmp_path / "r.dng", gradient(), preview=preview, orientation=6)
    img = imaging.open_image(str(p), draft_size=200)
    assert img.size[0] < img.size[1]  # stored landscape, shown portrait
    d = decode_for_model(str(p), 64)
    assert (d.width, d.height) == (240, 320)
    # turned 90 degrees clockwise: red (stored growing rightwards) now grows downwards,
    # green (stored growing downwards) now grows leftwards
    arr = np.asarray(img.convert("RGB")).astype(int)
    assert arr[-10:, :, 0].mean() > arr[:10, :, 0].mean() + 60
    assert arr[:, :10, 1].mean() > arr[:, -10:, 1].mean() + 60


def test_thumbnail_and_full_view_of_a_raw(tmp_path):
    p = write_dng(tmp_path / "a.dng", gradient(), preview=jpeg_bytes(GREEN))
    thumb = imaging.thumbnail(str(p), 128)
    assert thumb.mode == "RGB" and max(thumb.size) == 128
    assert np.asarray(thumb)[..., 1].mean() > 150  # from the preview
    full = imaging.open_image(str(p))  # a full view: larger than the preview -> demosaic
    assert full.size == (320, 240)


def test_the_pixel_limit_applies_before_decoding(tmp_path):
    p = write_dng(tmp_path / "a.dng", gradient())
    imaging.setup_decoders(max_pixels=50_000)
    with pytest.raises(ImageError, match="too large"):
        decode_for_model(str(p), 64)


def test_broken_raw_files_get_a_reason(tmp_path):
    good = write_dng(tmp_path / "good.dng", gradient()).read_bytes()
    (tmp_path / "cut.dng").write_bytes(good[: len(good) // 3])
    (tmp_path / "empty.cr2").write_bytes(b"")
    (tmp_path / "junk.nef").write_bytes(b"II*\x00" + b"not really a tiff" * 20)
    for name, reason in (("junk.nef", "not a RAW file LibRaw can read"),
                         ("cut.dng", "RAW file"), ("empty.cr2", "empty")):
        with pytest.raises(ImageError, match=reason):
            decode_for_model(str(tmp_path / name), 64)


def test_a_renamed_jpeg_or_text_with_a_raw_name_is_read_for_what_it_is(tmp_path):
    (tmp_path / "IMG_1.CR2").write_bytes(jpeg_bytes(GREEN))  # a JPEG named like a RAW
    d = decode_for_model(str(tmp_path / "IMG_1.CR2"), 64)
    assert d.format == "jpeg" and (d.width, d.height) == (300, 225)
    with open(tmp_path / "IMG_1.CR2", "rb") as fh:  # from an open file too (the indexer)
        assert decode_for_model(fh, 64).format == "jpeg"
    (tmp_path / "notes.arw").write_bytes(b"just some text, not a photo\n" * 10)
    with pytest.raises(ImageError, match="not an image"):
        decode_for_model(str(tmp_path / "notes.arw"), 64)
