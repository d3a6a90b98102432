"""Ranking, filters, pagination and query arithmetic, on deterministic colour embeddings.

FakeEmbedder maps an image to its mean colour and the words red/green/blue to the colour
axes, so the expected order of every query can be computed independently in the test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photosearch.core import search as search_mod
from photosearch.core.indexer import Indexer
from photosearch.core.query import Filters, QueryError, parse_date
from photosearch.core.search import Searcher

from ..conftest import unit

AXES = {"red": [1, 0, 0, 0, 0, 0, 0, 0], "green": [0, 1, 0, 0, 0, 0, 0, 0],
        "blue": [0, 0, 1, 0, 0, 0, 0, 0]}


def solid(path: Path, rgb, fmt="JPEG", date: str | None = None, camera=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (48, 40), rgb)
    exif = Image.Exif()
    if date:
        exif[306] = date.replace("-", ":") + " 12:00:00"
    if camera:
        exif[271], exif[272] = camera
    kw = {"exif": exif.tobytes()} if (date or camera) and fmt in ("JPEG", "PNG", "WEBP") else {}
    img.save(path, fmt, **({"quality": 100} if fmt == "JPEG" else {}), **kw)
    return path


def expected_vector(rgb) -> np.ndarray:
    v = np.zeros(8, np.float32)
    v[:3] = np.array(rgb) / 255.0
    v[3] = 0.05
    return unit(v)


@pytest.fixture
def colours(tmp_path, fake_library):
    lib = fake_library
    lib.embedder().texts = {k: unit(v) for k, v in AXES.items()}
    d = tmp_path / "photos"
    shades = {
        "red.jpg": (250, 5, 5), "darkred.jpg": (150, 10, 10), "purple.png": (200, 5, 200),
        "green.jpg": (40, 250, 5), "blue.png": (5, 5, 250), "grey.jpg": (128, 128, 128),
    }
    for name, rgb in shades.items():
        solid(d / name, rgb, "PNG" if name.endswith(".png") else "JPEG")
    report = Indexer(lib).run([str(d)])
    assert report.embedded == len(shades)
    return lib, d, shades


def names(page) -> list[str]:
    return [Path(r.path).name for r in page.results]


def test_ranking_follows_similarity(colours):
    lib, _, shades = colours
    page = Searcher(lib).search("red", limit=10)
    q = unit(AXES["red"])
    expected = sorted(shades, key=lambda n: -float(expected_vector(shades[n]) @ q))
    assert names(page) == expected
    assert [r.score for r in page.results] == sorted((r.score for r in page.results), reverse=True)
    assert page.results[0].score == pytest.approx(float(expected_vector(shades["red.jpg"]) @ q),
                                                  abs=0.02)


def ranked(shades: dict, query: np.ndarray) -> list[str]:
    return sorted(shades, key=lambda n: -float(expected_vector(shades[n]) @ unit(query)))


def test_negative_term_pushes_results_away(colours):
    lib, _, shades = colours
    plain = names(Searcher(lib).search("red", limit=10))
    negated = names(Searcher(lib).search('"red" -"blue"', limit=10))
    red, blue = np.array(AXES["red"], np.float32), np.array(AXES["blue"], np.float32)
    assert plain.index("purple.png") < plain.index("green.jpg")
    assert negated.index("purple.png") > negated.index("green.jpg")
    assert negated[-1] == "blue.png"
    assert negated[:2] == ranked(shades, red - blue)[:2]


@pytest.mark.parametrize("query,weights", [
    ('3:"blue" + "red"', {"blue": 3, "red": 1}),
    ('"blue" + 3:"red"', {"blue": 1, "red": 3}),
    ('2:"green" -"red"', {"green": 2, "red": -1}),
])
def test_weights_combine_as_a_weighted_sum(colours, query, weights):
    lib, _, shades = colours
    vec = sum(w * np.array(AXES[k], np.float32) for k, w in weights.items())
    assert names(Searcher(lib).search(query, limit=6)) == ranked(shades, vec)


def test_an_image_path_is_a_query_term(colours):
    lib, d, _ = colours
    assert names(Searcher(lib).search(f'{d / "green.jpg"}', limit=1)) == ["green.jpg"]


def test_terms_that_cancel_out_are_a_clear_error(colours):
    lib, _, _ = colours
    with pytest.raises(QueryError, match="cancel out"):
        Searcher(lib).search('"red" -"red"')


def test_similar_excludes_the_photo_itself(colours):
    lib, d, _ = colours
    page = Searcher(lib).similar(str(d / "red.jpg"), limit=2)
    assert names(page) == ["darkred.jpg", "purple.png"]


def test_strong_flag_separates_the_weak_tail(colours):
    lib, _, _ = colours
    page = Searcher(lib).search("green", limit=10)
    assert page.results[0].strong and names(page)[0] == "green.jpg"
    assert not any(r.strong for r in page.results[1:])


def test_min_score_cuts_off(colours):
    lib, _, _ = colours
    page = Searcher(lib).search("red", limit=10, min_score=0.8)
    assert names(page) == ["red.jpg", "darkred.jpg"]


def test_type_and_folder_filters(colours, tmp_path):
    lib, d, _ = colours
    assert set(names(Searcher(lib).search("red", filters=Filters(types={"png"})))) == \
        {"purple.png", "blue.png"}
    sub = d / "sub"
    solid(sub / "pink.jpg", (250, 120, 120))
    Indexer(lib).run([str(d)])
    page = Searcher(lib).search("red", filters=Filters(folder=str(sub)))
    assert names(page) == ["pink.jpg"]
    assert names(Searcher(lib).search("red type:png", limit=1)) == ["purple.png"]


def test_date_and_camera_filters_use_exif(fake_library, tmp_path):
    lib = fake_library
    lib.embedder().texts = {k: unit(v) for k, v in AXES.items()}
    d = tmp_path / "dated"
    solid(d / "old.jpg", (250, 0, 0), date="2019-06-01", camera=("Canon", "EOS R5"))
    solid(d / "new.jpg", (240, 10, 0), date="2023-03-04", camera=("Apple", "iPhone 13"))
    solid(d / "newer.jpg", (230, 20, 0), date="2024-01-01", camera=("Apple", "iPhone 15"))
    Indexer(lib).run([str(d)])
    s = Searcher(lib)
    assert names(s.search("red", filters=Filters(after=parse_date("2023-01-01")))) == \
        ["new.jpg", "newer.jpg"]
    assert names(s.search("red", filters=Filters(before=parse_date("2023-03-04")))) == ["old.jpg"]
    assert names(s.search("red", filters=Filters(camera="iphone"))) == ["new.jpg", "newer.jpg"]
    assert names(s.search("red camera:canon")) == ["old.jpg"]
    # No search terms: browse, newest first.
    assert names(s.search("after:2020")) == ["newer.jpg", "new.jpg"]


@pytest.fixture
def many(tmp_path, fake_library):
    """60 photos along a red->blue ramp; every fifth one is a PNG."""
    lib = fake_library
    lib.embedder().texts = {k: unit(v) for k, v in AXES.items()}
    d = tmp_path / "ramp"
    ramp = {}
    for i in range(60):
        rgb = (255 - 4 * i, 10, 4 * i)
        name = f"p{i:02d}.{'png' if i % 5 == 0 else 'jpg'}"
        solid(d / name, rgb, "PNG" if i % 5 == 0 else "JPEG")
        ramp[name] = rgb
    Indexer(lib).run([str(d)])
    return lib, ramp


@pytest.mark.parametrize("brute_force_max", [search_mod.BRUTE_FORCE_MAX, 0],
                         ids=["exact-scoring", "hnsw-filtered"])
def test_a_selective_filter_still_returns_full_pages(many, monkeypatch, brute_force_max):
    monkeypatch.setattr(search_mod, "BRUTE_FORCE_MAX", brute_force_max)
    lib, ramp = many
    q = unit(AXES["blue"])
    pngs = sorted((n for n in ramp if n.endswith(".png")),
                  key=lambda n: -float(expected_vector(ramp[n]) @ q))
    s = Searcher(lib)
    f = Filters(types={"png"})
    first = names(s.search("blue", limit=5, offset=0, filters=f))
    second = names(s.search("blue", limit=5, offset=5, filters=f))
    assert first == pngs[:5] and second == pngs[5:10]
    assert len(pngs) == 12
    assert names(s.search("blue", limit=5, offset=10, filters=f)) == pngs[10:]
    assert names(s.search("blue", limit=5, offset=15, filters=f)) == []


def test_pages_tile_the_ranking_without_gaps_or_repeats(many):
    lib, ramp = many
    s = Searcher(lib)
    pages = [names(s.search("red", limit=7, offset=o)) for o in range(0, 63, 7)]
    flat = [n for p in pages for n in p]
    assert len(flat) == 60 and set(flat) == set(ramp)
    assert flat == names(s.search("red", limit=60))


def test_results_follow_a_moved_file_and_drop_a_deleted_one(colours):
    lib, d, _ = colours
    (d / "red.jpg").rename(d / "renamed-red.jpg")
    (d / "green.jpg").unlink()
    report = Indexer(lib).run()
    assert report.linked == 1 and report.embedded == 0
    top = names(Searcher(lib).search("red", limit=10))
    assert top[0] == "renamed-red.jpg" and "green.jpg" not in top


def test_filters_see_new_photos_and_survive_a_purge(fake_library, tmp_path):
    """The filter table is appended as photos arrive and rebuilt when ids may be reused."""
    lib = fake_library
    lib.embedder().texts = {k: unit(v) for k, v in AXES.items()}
    d = tmp_path / "p"
    solid(d / "a.png", (250, 0, 0), "PNG")
    Indexer(lib).run([str(d)])
    s = Searcher(lib)
    assert names(s.search("red", filters=Filters(types={"png"}))) == ["a.png"]
    solid(d / "b.png", (240, 0, 0), "PNG")
    solid(d / "c.jpg", (230, 0, 0))
    Indexer(lib).run()
    assert names(s.search("red", filters=Filters(types={"png"}))) == ["a.png", "b.png"]
    (d / "b.png").unlink()
    Indexer(lib).run()
    lib.catalog.purge_orphans(older_than=9e18)  # grace period over
    solid(d / "d.jpg", (220, 0, 0))  # may take b.png's id
    Indexer(lib).run()
    assert names(s.search("red", filters=Filters(types={"png"}))) == ["a.png"]
    assert names(s.search("red", filters=Filters(types={"jpeg"}))) == ["c.jpg", "d.jpg"]
