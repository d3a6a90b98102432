"""The keeper protects camera originals (issue 16): real EXIF written with Pillow, real
conversions, grouped by the real `dupes` command; the plan never trashes the original."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from photosearch.core.keeper import DEFAULT_RULES, Item, build_rules, choose_keeper

from ..unit.dupes_helpers import texture
from .cli_helpers import cli, cli_json


def _camera_jpeg(path: Path) -> Path:
    exif = Image.Exif()
    exif[271] = "Canon"  # Make
    exif[272] = "Canon EOS 80D"  # Model
    exif[0x8769] = {36867: "2019:05:04 10:00:00"}  # Exif IFD: DateTimeOriginal
    path.parent.mkdir(parents=True, exist_ok=True)
    texture(7, size=(640, 480)).save(path, "JPEG", quality=92, exif=exif.tobytes())
    os.utime(path, (1_557_000_000, 1_557_000_000))
    return path


def _converted(src: Path, dst: Path, fmt: str, size=None, **kw) -> Path:
    img = Image.open(src)
    img = img.resize(size, Image.Resampling.LANCZOS) if size else img.copy()
    img.save(dst, fmt, **kw)  # no exif= : the conversion carries no camera metadata
    os.utime(dst, (1_700_000_000, 1_700_000_000))  # made years later
    return dst


def test_camera_jpeg_is_kept_over_png_tiff_webp_conversions_and_a_resized_copy(
        tmp_path, capsys):
    photos = tmp_path / "photos"
    original = _camera_jpeg(photos / "IMG_0001.JPG")
    _converted(original, photos / "IMG_0001.png", "PNG")
    _converted(original, photos / "IMG_0001.tif", "TIFF")
    _converted(original, photos / "IMG_0001.webp", "WEBP", lossless=True)
    _converted(original, photos / "IMG_0001_small.jpg", "JPEG", size=(320, 240), quality=85)
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", "--no-embed", str(photos))[0] == 0

    groups = cli_json(capsys, lib, "dupes", "--tier", "same")
    assert len(groups) == 1, groups
    group = groups[0]
    assert len(group["items"]) == 5
    assert Path(group["keeper"]).name == "IMG_0001.JPG", group
    assert "camera original" in group["keeper_reason"]
    assert "Canon EOS 80D" in group["keeper_reason"]

    plan = cli_json(capsys, lib, "dupes", "resolve", "--tier", "same", "--dry-run")
    trashed = {Path(p).name for g in plan["plan"]["groups"] for p in g["trash"]}
    assert "IMG_0001.JPG" not in trashed
    assert trashed == {"IMG_0001.png", "IMG_0001.tif", "IMG_0001.webp", "IMG_0001_small.jpg"}
    assert original.exists()


def _item(path: str, fmt: str, **kw) -> Item:
    base = dict(hash=path, size=1000, mtime_ns=0, width=1000, height=800, format=fmt)
    base.update(kw)
    return Item(path=path, **base)  # type: ignore[arg-type]


def keep(items) -> tuple[str, str]:
    k, why = choose_keeper(items, build_rules(DEFAULT_RULES))
    return k.path, why


def test_raw_ranks_above_everything_even_a_larger_camera_jpeg():
    path, why = keep([_item("/a/x.jpg", "jpeg", camera="Canon EOS 80D", width=6000, height=4000),
                      _item("/a/x.cr2", "cr2", width=3000, height=2000)])
    assert path == "/a/x.cr2" and why.startswith("RAW original")


def test_camera_metadata_beats_an_upscaled_or_larger_conversion():
    path, why = keep([_item("/a/x.png", "png", width=4000, height=3000, size=9_000_000),
                      _item("/a/x.jpg", "jpeg", camera="NIKON D750", has_exif=True)])
    assert path == "/a/x.jpg" and "camera original" in why


def test_without_camera_metadata_the_oldest_file_format_wins_over_newer_conversions():
    jpeg = _item("/a/x.jpg", "jpeg", mtime_ns=1, size=100)
    png = _item("/a/x.png", "png", mtime_ns=2, size=900)  # larger, lossless, but newer
    assert keep([jpeg, png])[0] == "/a/x.jpg"
    # ...and a PNG screenshot that was later saved as a JPEG keeps the PNG
    assert keep([_item("/a/s.png", "png", mtime_ns=1), _item("/a/s.jpg", "jpeg", mtime_ns=2)]) \
        [0] == "/a/s.png"


def test_camera_copies_among_themselves_still_use_the_rule_order():
    big = _item("/a/big.jpg", "jpeg", camera="Canon", width=4000, height=3000)
    small = _item("/a/small.jpg", "jpeg", camera="Canon")
    conv = _item("/a/conv.png", "png", width=4000, height=3000)
    path, why = keep([small, conv, big])
    assert path == "/a/big.jpg" and "then highest resolution" in why


def test_without_the_original_rule_the_user_order_is_honoured():
    items = [_item("/a/x.jpg", "jpeg", camera="Canon", size=10),
             _item("/a/x.png", "png", size=99)]
    k, _ = choose_keeper(items, build_rules(["size"]))
    assert k.path == "/a/x.png"
