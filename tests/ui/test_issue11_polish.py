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


def _label_tab(qtbot, view, key: str):
    qtbot.waitUntil(lambda: not any(m.loading for m in view.models.values()), timeout=30_000)
    model = view.models[key]
    rows = [model.result_at(i) for i in range(model.rowCount())]
    captions = [model.index(i).data(0) for i in range(model.rowCount())]
    tips = [model.index(i).data(3) for i in range(model.rowCount())]  # ToolTipRole
    return rows, captions, tips


def test_label_review_shows_scores_sorted(qtbot, window, photos, library):
    from tests.ui.conftest import index_now

    index_now(qtbot, window, [photos[0].parent])
    window.show_screen("labels")
    view = window.screen_pages["labels"]
    with qtbot.waitSignal(view.views_loaded, timeout=30_000):
        view.add_label("reds", ["a red photo"])
    # the random test model's calibrated scores are all near 0: a low threshold puts every
    # photo in the review band around it, whatever the scores are
    threshold = 0.01
    with qtbot.waitSignal(view.views_loaded, timeout=30_000):
        view.edit_label(["a red photo"], threshold)
    rows, captions, tips = _label_tab(qtbot, view, "borderline")
    assert len(rows) == len(photos)
    distance = [abs(r.score - threshold) for r in rows]
    assert distance == sorted(distance)  # nearest the threshold first
    for r, caption, tip in zip(rows, captions, tips, strict=True):
        assert caption.startswith(f"{r.score:.2f} · ")
        assert f"score {r.score:.3f}" in tip and f"threshold {threshold:.2f}" in tip

    # "yes" to three photos: Tagged lists them highest score first, scores in the captions
    hashes = [library.catalog.hash_of(str(p)) for p in photos[:3]]
    with qtbot.waitSignal(view.views_loaded, timeout=30_000):
        view.review(hashes, True)
    rows, captions, _tips = _label_tab(qtbot, view, "confident")
    assert {r.hash for r in rows} >= set(hashes)
    shown = [r.score for r in rows]
    assert shown == sorted(shown, reverse=True)
    assert all(c.startswith(f"{s:.2f} · ") for s, c in zip(shown, captions, strict=True))


def test_review_caption_and_tooltip_text():
    from photosearch.ui.label_review_model import score_caption, score_tooltip

    assert score_caption(0.734, "cat.jpg") == "0.73 · cat.jpg"
    assert score_caption(None, "cat.jpg") == "cat.jpg"
    tip = score_tooltip("/p/cat.jpg", 0.42, 0.5)
    assert "score 0.420" in tip and "0.080 below the label's threshold 0.50" in tip
    assert "above" in score_tooltip("/p/cat.jpg", 0.61, 0.5)


def test_duplicates_notice_without_embeddings_points_to_the_app(qtbot, window):
    window.show_screen("duplicates")
    view = window.screen_pages["duplicates"]
    view.find_btn.click()
    qtbot.waitUntil(view.find_btn.isEnabled, timeout=30_000)
    text = view.summary.text()
    assert "similar shots' needs the photos indexed" in text and "Index now" in text
    assert "photosearch index" not in text and "Pillow" not in text


def test_cli_keeps_its_command_in_the_same_notice(library):
    from photosearch.core.duplicates import DuplicateFinder

    grouping = DuplicateFinder(library, index_hint="'photosearch index' with a model").find()
    assert any("needs 'photosearch index' with a model" in n for n in grouping.notices)


def test_unreadable_file_reason_names_no_library(tmp_path):
    import pytest

    from photosearch.core.imaging import ImageError, open_image

    bogus = tmp_path / "notes.jpg"
    bogus.write_text("not a photo at all")
    with pytest.raises(ImageError) as err:
        open_image(str(bogus))
    assert "Pillow" not in str(err.value) and "can read" in str(err.value)


def test_changed_file_reason_names_no_command(tmp_path):
    import pytest

    from photosearch.core.trash import ChangedError, verify

    photo = make_image(tmp_path / "a.jpg")
    with pytest.raises(ChangedError) as err:
        verify(str(photo), "0" * 64)
    assert "photosearch" not in str(err.value) and "index the folder again" in str(err.value)
