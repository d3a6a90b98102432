"""Keeper rules (ordered, configurable) and the multi-index hashing behind the 'same' tier."""

from __future__ import annotations

import numpy as np
import pytest

from photosearch.core.keeper import DEFAULT_RULES, Item, RuleError, build_rules, choose_keeper
from photosearch.core.phash_index import HammingIndex, hamming, parse_hex


def item(path, **kw) -> Item:
    base = dict(hash=path, size=1000, mtime_ns=0, width=1000, height=800, format="jpeg",
                taken_at=100.0, has_exif=False)
    base.update(kw)
    return Item(path=path, **base)


def keep(items, rules=DEFAULT_RULES, folders=()) -> tuple[str, str]:
    k, why = choose_keeper(items, build_rules(rules, folders))
    return k.path, why


def test_highest_resolution_wins_first():
    path, why = keep([item("/a/small.png", width=800, height=600, format="png", has_exif=True),
                      item("/a/big.jpg", width=4000, height=3000)])
    assert path == "/a/big.jpg" and why.startswith("highest resolution (4000x3000 vs 800x600)")


def test_original_format_beats_reencoded_at_equal_resolution():
    assert keep([item("/a/x.jpg"), item("/a/x.heic", format="heif")])[0] == "/a/x.heic"
    assert keep([item("/a/x.webp", format="webp"), item("/a/x.png", format="png")])[0] == "/a/x.png"
    assert keep([item("/a/x.jpg"), item("/a/x.dng", format="dng")])[0] == "/a/x.dng"


def test_exif_then_size_then_oldest_capture():
    assert keep([item("/a/1.jpg"), item("/a/2.jpg", has_exif=True)]) == \
        ("/a/2.jpg", "has EXIF metadata (the other copy lost it)")
    assert keep([item("/a/1.jpg", size=10), item("/a/2.jpg", size=20)])[0] == "/a/2.jpg"
    assert keep([item("/a/1.jpg", taken_at=50.0), item("/a/2.jpg")]) == \
        ("/a/1.jpg", "oldest capture time")
    assert keep([item("/a/1.jpg", taken_at=None), item("/a/2.jpg")])[0] == "/a/2.jpg"


def test_preferred_folder_rule_and_explicit_folder_argument():
    items = [item("/photos/inbox/x.jpg"), item("/photos/originals/x.jpg")]
    assert keep(items, folders=["/photos/originals"]) == \
        ("/photos/originals/x.jpg", "in a preferred folder")
    assert keep(items, ["folder:/photos/inbox"])[0] == "/photos/inbox/x.jpg"
    # a folder prefix must match whole path components
    assert keep([item("/photos/originals-old/x.jpg"), item("/photos/z/x.jpg", size=2000)],
                ["folder:/photos/originals", "size"])[0] == "/photos/z/x.jpg"


def test_rule_order_is_configurable():
    items = [item("/a/big.jpg", width=4000, height=3000, size=100),
             item("/a/heavy.jpg", size=9000)]
    assert keep(items)[0] == "/a/big.jpg"
    assert keep(items, ["size", "resolution"])[0] == "/a/heavy.jpg"


def test_full_tie_keeps_oldest_file_then_shortest_path():
    a = item("/a/long/name.jpg", hash="h", mtime_ns=5)
    b = item("/a/n.jpg", hash="h", mtime_ns=5)
    c = item("/z/very/long/path/n.jpg", hash="h", mtime_ns=1)
    assert keep([a, b]) == ("/a/n.jpg",
                            "identical copies: kept the oldest file (then shortest path)")
    assert keep([a, b, c])[0] == "/z/very/long/path/n.jpg"


def test_unknown_rule_is_refused_with_the_valid_names():
    with pytest.raises(RuleError, match="resolution, original"):
        build_rules(["resolution", "prettiest"])


# -- multi-index hashing ---------------------------------------------------------------------
def _brute(h: np.ndarray, r: int) -> set[tuple[int, int]]:
    d = hamming(h[:, None], h[None, :])
    i, j = np.nonzero(np.triu(d <= r, 1))
    return set(zip(i.tolist(), j.tolist()))


@pytest.mark.parametrize("radius", [0, 3, 8, 11, 14])
def test_multi_index_hashing_finds_exactly_the_brute_force_pairs(radius):
    rng = np.random.default_rng(radius)
    h = rng.integers(0, 2**63, size=1500, dtype=np.int64).astype(np.uint64)
    h[rng.random(1500) < 0.5] |= np.uint64(1 << 63)
    for k in range(0, 600, 3):  # plant neighbours at every distance up to radius + 3
        v = int(h[k])
        for b in rng.choice(64, int(rng.integers(0, radius + 4)), replace=False):
            v ^= 1 << int(b)
        h[k + 1] = v
    h[700] = h[701] = h[702]  # identical hashes too
    i, j, d = HammingIndex(h).pairs_within(radius)
    assert set(zip(i.tolist(), j.tolist())) == _brute(h, radius)
    assert (d <= radius).all() and (d == hamming(h[i], h[j])).all()


def test_radius_beyond_the_supported_range_is_refused():
    with pytest.raises(ValueError, match="too large"):
        HammingIndex(np.zeros(3, np.uint64)).pairs_within(20)


def test_parse_hex_marks_missing_and_malformed_hashes_invalid():
    h, ok = parse_hex(["ffffffffffffffff", None, "zz", "0000000000000001", "abc"])
    assert ok.tolist() == [True, False, False, True, False]
    assert int(h[0]) == 2**64 - 1 and int(h[3]) == 1
