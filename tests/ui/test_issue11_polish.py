"""Issue 11 polish: crisp thumbnails on 2x screens, scored label review, in-app wording."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FLICKR, make_image, require

HASH = "ab" * 32


def _long_side(img) -> int:
    return max(img.width(), img.height())


def test_thumbnail_at_dpr2_has_twice_the_pixels(qapp, tmp_path):
    from photosearch.ui.thumbnails import ThumbnailCache

    photo = make_image(tmp_path / "big.jpg", size=(1200, 800))
    for side in (80, 160, 256):
        cache = ThumbnailCache(tmp_path / f"cache{side}", size=side, dpr=2.0)
        assert _long_side(cache.load(HASH, str(photo))) >= 2 * side


def test_real_photo_thumbnail_is_crisp_at_dpr2(qapp, tmp_path):
    from photosearch.ui.thumbnails import ThumbnailCache

    photo = require(FLICKR / "Images" / "1000268201_693b08cb0e.jpg")
    cache = ThumbnailCache(tmp_path / "cache", size=200, dpr=2.0)
    assert _long_side(cache.load(HASH, str(photo))) >= 400


def test_old_1x_cache_entry_is_not_reused_at_2x(qapp, tmp_path):
    from photosearch.ui.thumbnails import ThumbnailCache

    photo = make_image(tmp_path / "big.jpg", size=(1200, 800))
    old = ThumbnailCache(tmp_path / "cache", size=160, dpr=1.0)
    assert _long_side(old.load(HASH, str(photo))) == 160
    new = ThumbnailCache(tmp_path / "cache", size=160, dpr=2.0)
    assert new.path_for(HASH) != old.path_for(HASH)
    assert _long_side(new.load(HASH, str(photo))) == 320


def test_dpr_is_capped(qapp, tmp_path):
    from photosearch.ui.thumbnails import MAX_DPR, ThumbnailCache

    assert ThumbnailCache(tmp_path, size=256, dpr=3.0).size == int(256 * MAX_DPR)
    assert ThumbnailCache(tmp_path, size=256, dpr=0.5).size == 256


def test_window_cache_covers_largest_tile_on_its_screen(window):
    from photosearch.ui.grid import THUMB_MAX

    assert window.thumbs.size >= THUMB_MAX * min(2.0, window.devicePixelRatioF())
    assert Path(window.thumbs.path_for(HASH)).name.endswith(f"-{window.thumbs.size}.jpg")
