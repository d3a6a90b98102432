"""Duplicate tiers on constructed cases: exact, same photo, similar shots, decisions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photosearch.core.duplicates import (
    DupeSettings,
    DuplicateFinder,
    forget_not_duplicates,
    mark_not_duplicates,
)
from photosearch.core.indexer import Indexer
from photosearch.core.library import Library

from .dupes_helpers import GREEN, RED, SEPIA, save, texture

T0 = 1_600_000_000.0


def _index(lib, root: Path, embed: bool = True) -> None:
    report = Indexer(lib, embed=embed).run([str(root)])
    assert report.problems == 0


@pytest.fixture
def same_set(tmp_path):
    """One original (PNG) with three re-encoded copies, and an unrelated photo."""
    root = tmp_path / "photos"
    orig = texture(1, SEPIA)
    save(orig, root / "orig.png", T0)
    save(orig, root / "copies" / "q60.jpg", T0 + 5000, quality=60)
    save(orig.resize((160, 120)), root / "copies" / "half.jpg", T0 + 6000, quality=85)
    save(orig, root / "copies" / "conv.webp", T0 + 7000, quality=80)
    save(texture(2, SEPIA), root / "other.jpg", T0 + 100_000, quality=90)
    return root


def _names(group) -> list[str]:
    return [Path(it.path).name for it in group.items]


def test_exact_tier_groups_identical_files_and_keeps_the_oldest(fake_library, tmp_path):
    root = tmp_path / "photos"
    a = save(texture(5), root / "a" / "img.jpg", T0 + 50, quality=90)
    b = root / "b" / "img.jpg"  # same name elsewhere: only age separates them
    b.parent.mkdir(parents=True)
    shutil.copyfile(a, b)
    import os
    os.utime(b, (T0, T0))  # the copy is older on disk: it is the keeper
    save(texture(6), root / "c.jpg", T0, quality=90)
    _index(fake_library, root)
    groups = DuplicateFinder(fake_library).find().groups
    assert len(groups["exact"]) == 1
    g = groups["exact"][0]
    assert g.keeper.path == str(b) and [it.path for it in g.others] == [str(a)]
    assert "identical content" in g.reason and g.auto_select
    assert "identical copies" in g.keeper_reason
    assert groups["same"] == []  # one photo, not two: exact copies never show as "same"


def test_same_tier_groups_reencoded_copies_and_prefers_the_png_original(fake_library, same_set):
    _index(fake_library, same_set)
    groups = DuplicateFinder(fake_library).find().groups
    assert groups["exact"] == []
    assert len(groups["same"]) == 1
    g = groups["same"][0]
    assert sorted(_names(g)) == ["conv.webp", "half.jpg", "orig.png", "q60.jpg"]
    assert Path(g.keeper.path).name == "orig.png"
    # the oldest file (its copies are newer conversions; issue 16 keeper guard)
    assert g.keeper_reason.startswith("oldest file (png;")
    assert g.reason.startswith("same photo: perceptual hashes within")
    assert "embeddings agree" in g.reason
    assert g.auto_select


def test_same_tier_works_without_any_model(library, same_set):
    _index(library, same_set, embed=False)
    assert library.embedding_dim() is None
    result = DuplicateFinder(library).find()
    assert len(result.groups["same"]) == 1
    assert sorted(_names(result.groups["same"][0])) == \
        ["conv.webp", "half.jpg", "orig.png", "q60.jpg"]
    assert "perceptual hash only" in result.groups["same"][0].reason
    assert result.groups["similar"] == []
    assert any("no embeddings" in n for n in result.notices)
    assert library.embedder_loaded is False  # grouping never loaded the model


def test_embedding_veto_splits_look_alikes_with_different_content(fake_library, tmp_path):
    """Same structure (phash) but different colours: a model would tell them apart."""
    root = tmp_path / "photos"
    save(texture(3, RED), root / "red.jpg", T0, quality=90)
    save(texture(3, GREEN), root / "green.jpg", T0 + 10, quality=90)
    _index(fake_library, root)
    assert DuplicateFinder(fake_library).find(("same",)).groups["same"] == []
    loose = DupeSettings(same_min_cosine=0.0)
    assert len(DuplicateFinder(fake_library, loose).find(("same",)).groups["same"]) == 1


def test_similar_tier_needs_close_embeddings_and_close_capture_times(fake_library, tmp_path):
    root = tmp_path / "photos"
    for i, dt in enumerate((0, 2, 4)):  # a burst: different frames, same scene colour
        save(texture(10 + i, RED), root / f"burst{i}.jpg", T0 + dt, quality=90)
    save(texture(13, RED), root / "next_day.jpg", T0 + 86_400, quality=90)
    save(texture(14, GREEN), root / "green.jpg", T0 + 1, quality=90)
    _index(fake_library, root)
    groups = DuplicateFinder(fake_library).find().groups
    assert groups["exact"] == [] and groups["same"] == []  # a burst is not a duplicate
    assert len(groups["similar"]) == 1
    g = groups["similar"][0]
    assert sorted(_names(g)) == ["burst0.jpg", "burst1.jpg", "burst2.jpg"]
    assert not g.auto_select
    assert "similar shots" in g.reason and "taken within 4 s" in g.reason


def test_similar_tier_shows_a_same_photo_cluster_once_by_its_keeper(fake_library, same_set):
    # a different frame taken right after the original: similar to it, not the same photo
    save(texture(20, SEPIA), same_set / "next_frame.jpg", T0 + 3, quality=90)
    _index(fake_library, same_set)
    groups = DuplicateFinder(fake_library).find().groups
    sims = groups["similar"]
    assert len(sims) == 1 and sorted(_names(sims[0])) == ["next_frame.jpg", "orig.png"]


def test_not_duplicates_decision_is_remembered_across_sessions(fake_library, same_set):
    _index(fake_library, same_set)
    g = DuplicateFinder(fake_library).find(("same",)).groups["same"][0]
    mark_not_duplicates(fake_library.catalog, g.hashes)
    fake_library.close()
    lib = Library.open(fake_library.paths, model="fake", pretrained="deterministic",
                       embedder=fake_library.embedder())
    try:
        assert DuplicateFinder(lib).find(("same",)).groups["same"] == []
        forget_not_duplicates(lib.catalog, g.hashes)
        assert len(DuplicateFinder(lib).find(("same",)).groups["same"]) == 1
    finally:
        lib.close()


def test_not_duplicates_between_two_copies_splits_only_that_pair(fake_library, same_set):
    _index(fake_library, same_set)
    g = DuplicateFinder(fake_library).find(("same",)).groups["same"][0]
    by_name = {Path(it.path).name: it.hash for it in g.items}
    mark_not_duplicates(fake_library.catalog, [by_name["orig.png"], by_name["conv.webp"]])
    groups = DuplicateFinder(fake_library).find(("same",)).groups["same"]
    for grp in groups:
        assert not {"orig.png", "conv.webp"} <= set(_names(grp))
    assert sum(len(grp.items) for grp in groups) >= 3  # the rest still grouped


def test_exact_copies_marked_intentional_are_hidden(fake_library, tmp_path):
    root = tmp_path / "photos"
    a = save(texture(7), root / "a.jpg", T0, quality=90)
    shutil.copyfile(a, root / "backup.jpg")
    _index(fake_library, root)
    g = DuplicateFinder(fake_library).find(("exact",)).groups["exact"][0]
    mark_not_duplicates(fake_library.catalog, g.hashes)
    assert DuplicateFinder(fake_library).find(("exact",)).groups["exact"] == []


def test_folder_option_limits_grouping_to_files_under_it(fake_library, same_set):
    _index(fake_library, same_set)
    groups = DuplicateFinder(fake_library).find(("same",), folder=str(same_set / "copies"))
    assert [sorted(_names(g)) for g in groups.groups["same"]] == \
        [["conv.webp", "half.jpg", "q60.jpg"]]


# -- anti-chaining, on synthetic perceptual hashes (no images needed) ------------------------
def _add_synthetic(lib, phashes: list[int], root: str | None = None) -> list[str]:
    from photosearch.core.catalog import PhotoInfo

    # The files exist (empty): duplicate groups only ever show files on disk right now.
    root = root or str(lib.paths.root.parent / "synthetic")
    os.makedirs(root, exist_ok=True)
    for i in range(len(phashes)):
        open(f"{root}/{i:04d}.jpg", "wb").close()
    cat = lib.catalog
    fid = cat.add_folder(root)
    hashes = [f"{i:032x}" for i in range(len(phashes))]
    with cat.transaction():
        cat.add_photos([PhotoInfo(h, 1000, 100, 100, "jpeg", None, None, None, False,
                                  f"{p:016x}", None) for h, p in zip(hashes, phashes)])
        cat.link_files([(f"{root}/{i:04d}.jpg", h, fid, 1000, 0) for i, h in enumerate(hashes)])
    return hashes


def test_a_chain_of_look_alikes_never_becomes_one_giant_group(library):
    rng = np.random.default_rng(0)
    chain, h = [], int(rng.integers(0, 2**63))
    for _ in range(40):  # each step flips 5 fresh bits: neighbours match, ends are far apart
        chain.append(h)
        for b in rng.choice(64, 5, replace=False):
            h ^= 1 << int(b)
    _add_synthetic(library, chain)
    s = DupeSettings()
    groups = DuplicateFinder(library, s).find(("same",)).groups["same"]
    assert groups, "neighbouring links must still group"
    pos = {f"{i:032x}": v for i, v in enumerate(chain)}
    for g in groups:
        values = [pos[it.hash] for it in g.items]
        worst = max(bin(a ^ b).count("1") for a in values for b in values)
        assert worst <= s.same_group_phash_max
        assert len(g.items) < 40


def test_max_group_size_caps_a_dense_cluster(library):
    base = 0x0123456789ABCDEF
    _add_synthetic(library, [base ^ (1 << i) for i in range(30)])  # all within 2 bits
    groups = DuplicateFinder(library, DupeSettings(max_group_size=10)).find(("same",))
    sizes = sorted(len(g.items) for g in groups.groups["same"])
    assert sizes == [10, 10, 10]


def test_unknown_tier_is_an_error(library):
    with pytest.raises(ValueError, match="unknown tier"):
        DuplicateFinder(library).find(("fuzzy",))


def test_settings_come_from_the_library_settings(library):
    library.settings.duplicates = {"same_phash_max": 3, "keep_rules": ["size"]}
    s = DupeSettings.from_settings(library.settings)
    assert s.same_phash_max == 3 and s.keep_rules == ["size"]
    from photosearch.core.config import ConfigError

    library.settings.duplicates = {"same_phash_max": "lots"}
    with pytest.raises(ConfigError, match="same_phash_max"):
        DupeSettings.from_settings(library.settings)


def test_exif_rotated_copy_is_the_same_photo(fake_library, tmp_path):
    """A copy whose pixels are stored rotated with an EXIF orientation tag displays the same."""
    root = tmp_path / "photos"
    orig = texture(30, SEPIA)
    save(orig, root / "orig.jpg", T0, quality=92)
    rotated = orig.transpose(Image.Transpose.ROTATE_90)  # stored sideways...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...displayed upright: rotate 90 CW on display
    save(rotated, root / "rotated.jpg", T0 + 999, quality=92, exif=exif.tobytes())
    _index(fake_library, root)
    groups = DuplicateFinder(fake_library).find(("same",)).groups["same"]
    assert len(groups) == 1 and sorted(_names(groups[0])) == ["orig.jpg", "rotated.jpg"]


def test_many_identical_perceptual_hashes_group_without_quadratic_edges(library):
    from photosearch.core.duplicates import _phash_candidates

    ph = np.array([7] * 500 + [7 ^ 0b11] * 3 + [0xFFFFFFFFFFFF0000], dtype=np.uint64)
    i, j, d = _phash_candidates(ph, 10)
    assert i.size < 600  # a chain plus one representative link, not 125k pairs
    _add_synthetic(library, [int(v) for v in ph])
    groups = DuplicateFinder(library, DupeSettings(max_group_size=1000)).find(("same",))
    [g] = groups.groups["same"]
    assert len(g.items) == 503  # every look-alike, and not the unrelated photo


def test_near_identical_embeddings_rescue_a_copy_perceptual_hashes_alone_miss(fake_library):
    base = 0x0123456789ABCDEF
    hashes = _add_synthetic(fake_library, [base, base ^ 0xFFF, base ^ 0xFFF000])  # 12 bits off
    e = np.eye(8, dtype=np.float32)
    vectors = [e[0], (e[0] + 0.01 * e[1]) / np.linalg.norm(e[0] + 0.01 * e[1]), e[2]]
    with fake_library.catalog.transaction():
        fake_library.catalog.add_embeddings(fake_library.model_id, list(zip(hashes, vectors)))
    [g] = DuplicateFinder(fake_library).find(("same",)).groups["same"]
    assert sorted(it.hash for it in g.items) == sorted(hashes[:2])
    assert "embeddings agree" in g.reason
    no_rescue = DupeSettings(same_rescue_cosine=1.01)
    assert DuplicateFinder(fake_library, no_rescue).find(("same",)).groups["same"] == []
