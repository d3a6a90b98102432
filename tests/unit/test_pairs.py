"""The RAW+JPEG pair rule (core/pairs.py) on a real catalog (rows inserted, no images): same
folder, same stem ignoring case, a RAW with a JPEG/HEIC; collapsing ranked photos into items."""

from __future__ import annotations

import os

import pytest

from photosearch.core.pairs import collapse, pair_hash_links, pairs_for_paths, with_partners

FILES = {"/p/IMG_1.CR2": "r1", "/p/IMG_1.JPG": "j1",        # a pair
         "/p/img_2.nef": "r2", "/p/IMG_2.JPG": "j2",        # case differs: a pair
         "/p/IMG_3.DNG": "r3", "/q/IMG_3.JPG": "j3",        # other folder: no pair
         "/p/IMG_4.ARW": "r4", "/p/IMG_4.HEIC": "h4", "/p/IMG_4.jpg": "j4",  # JPEG first
         "/p/IMG_5.JPG": "j5", "/p/IMG_5.PNG": "x5",        # no RAW: no pair
         "/p/IMG_6.DNG": "s6", "/p/IMG_6.JPG": "s6"}        # one content: no pair


_FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".heic": "heif", ".png": "png"}


def insert(catalog, files: dict[str, str]) -> None:
    fid = catalog.add_folder("/p")
    fmt = {h: _FORMATS.get(os.path.splitext(p)[1].lower(),
                           os.path.splitext(p)[1].lower().lstrip("."))
           for p, h in files.items()}
    with catalog.transaction():
        catalog.conn.executemany(
            "INSERT INTO photos(hash, size, width, height, format, taken_at, has_exif, "
            "added_at) VALUES (?,1,1,1,?,NULL,0,0)", sorted(fmt.items()))
        catalog.conn.executemany(
            "INSERT INTO files(path, hash, folder_id, size, mtime_ns, seen_at) "
            "VALUES (?,?,?,1,0,0)", [(p, h, fid) for p, h in files.items()])


@pytest.fixture
def cat(library):
    insert(library.catalog, FILES)
    return library.catalog


def test_pairs_by_folder_and_stem_ignoring_case(cat):
    found = pairs_for_paths(cat, list(FILES))
    assert sorted({(p.raw_path, p.view_path) for p in found.values()}) == [
        ("/p/IMG_1.CR2", "/p/IMG_1.JPG"), ("/p/IMG_4.ARW", "/p/IMG_4.jpg"),
        ("/p/img_2.nef", "/p/IMG_2.JPG")]
    assert "/p/IMG_4.HEIC" not in found  # the JPEG is the pair's twin; the HEIC stays alone
    assert found["/p/IMG_1.JPG"].label == "RAW+JPEG"
    assert pair_hash_links(FILES.items()) == {("r1", "j1"), ("r2", "j2"), ("r4", "j4")}


def test_heic_twin_when_there_is_no_jpeg(library):
    cat = library.catalog
    insert(cat, {"/p/A.CR3": "a", "/p/A.heic": "b"})
    pair = pairs_for_paths(cat, ["/p/A.CR3"])["/p/A.CR3"]
    assert (pair.view_path, pair.label, pair.files) == ("/p/A.heic", "RAW+HEIC",
                                                        ["/p/A.CR3", "/p/A.heic"])


def test_collapse_keeps_rank_of_first_half_and_best_score(cat):
    items, scores, pairs = collapse(cat, ["j5", "r1", "x5", "j1", "r3", "j2"],
                                    [0.9, 0.8, 0.7, 0.85, 0.6, 0.5])
    assert items == ["j5", "j1", "x5", "r3", "j2"]
    assert scores == [0.9, 0.85, 0.7, 0.6, 0.5]
    assert set(pairs) == {"j1", "j2"} and pairs["j2"].hashes == ["r2", "j2"]
    # only some hashes may be halves (browse looks up its RAW rows): same items
    items2, _, _ = collapse(cat, ["j5", "r1", "x5", "j1", "r3", "j2"], check=["r1", "r3"])
    assert items2 == ["j5", "j1", "x5", "r3", "j2"]


def test_with_partners_adds_the_other_half(cat):
    assert with_partners(cat, ["j1", "j5"]) == ["j1", "j5", "r1"]
    assert with_partners(cat, ["r3"]) == ["r3"]


def test_browse_twin_sql_finds_the_other_half(library):
    """The SQL browse uses agrees with the rule above on a real catalog (folder names with
    upper and lower case, stems differing in case, a JPEG before a HEIC, other folders)."""
    from photosearch.core.pairs import twin_sql

    cat = library.catalog
    fid = cat.add_folder("/Photos")
    rows = [("/Photos/Trip/IMG_1.CR2", "r1", "cr2"), ("/Photos/Trip/IMG_1.JPG", "j1", "jpeg"),
            ("/Photos/Trip/img_2.nef", "r2", "nef"), ("/Photos/Trip/IMG_2.jpeg", "j2", "jpeg"),
            ("/Photos/Trip/IMG_3.DNG", "r3", "dng"), ("/Photos/Other/IMG_3.JPG", "j3", "jpeg"),
            ("/Photos/Trip/IMG_4.ARW", "r4", "arw"), ("/Photos/Trip/IMG_4.HEIC", "h4", "heif"),
            ("/Photos/Trip/IMG_4.jpg", "j4", "jpeg"), ("/Photos/Trip/IMG_5.PNG", "x5", "png"),
            ("/Photos/Trip/IMG_5.CR2", "r5", "cr2")]
    with cat.transaction():
        cat.conn.executemany(
            "INSERT INTO photos(hash, size, width, height, format, taken_at, has_exif, "
            "added_at) VALUES (?,1,1,1,?,NULL,0,0)", [(h, fmt) for _p, h, fmt in rows])
        cat.conn.executemany(
            "INSERT INTO files(path, hash, folder_id, size, mtime_ns, seen_at) "
            "VALUES (?,?,?,1,0,0)", [(p, h, fid) for p, h, _f in rows])
    twins = dict(cat.conn.execute(f"SELECT p.hash, {twin_sql('p')} FROM photos p"))
    assert twins == {"r1": "j1", "j1": "r1", "r2": "j2", "j2": "r2", "r3": None, "j3": None,
                     "r4": "j4", "h4": "r4", "j4": "r4", "x5": None, "r5": None}
