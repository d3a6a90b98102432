"""The RAW+JPEG pair rule (core/pairs.py) on catalog-shaped data: same folder, same stem
ignoring case, a RAW with a JPEG/HEIC; collapsing ranked photos into items."""

from __future__ import annotations

from photosearch.core.catalog import FileState
from photosearch.core.pairs import collapse, pair_hash_links, pairs_for_paths, with_partners


class FakeCatalog:
    """The two lookups pairs.py makes, over a path -> hash table."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def file_states_for(self, paths):
        return {p: FileState(p, self.files[p], 1, 1) for p in paths if p in self.files}

    def paths_of(self, hashes):
        out: dict[str, list[str]] = {}
        for p, h in sorted(self.files.items()):
            if h in hashes:
                out.setdefault(h, []).append(p)
        return out


FILES = {"/p/IMG_1.CR2": "r1", "/p/IMG_1.JPG": "j1",        # a pair
         "/p/img_2.nef": "r2", "/p/IMG_2.JPG": "j2",        # case differs: a pair
         "/p/IMG_3.DNG": "r3", "/q/IMG_3.JPG": "j3",        # other folder: no pair
         "/p/IMG_4.ARW": "r4", "/p/IMG_4.HEIC": "h4", "/p/IMG_4.jpg": "j4",  # JPEG first
         "/p/IMG_5.JPG": "j5", "/p/IMG_5.PNG": "x5",        # no RAW: no pair
         "/p/IMG_6.DNG": "s6", "/p/IMG_6.JPG": "s6"}        # one content: no pair


def test_pairs_by_folder_and_stem_ignoring_case():
    cat = FakeCatalog(FILES)
    found = pairs_for_paths(cat, list(FILES))
    assert sorted({(p.raw_path, p.view_path) for p in found.values()}) == [
        ("/p/IMG_1.CR2", "/p/IMG_1.JPG"), ("/p/IMG_4.ARW", "/p/IMG_4.jpg"),
        ("/p/img_2.nef", "/p/IMG_2.JPG")]
    assert "/p/IMG_4.HEIC" not in found  # the JPEG is the pair's twin; the HEIC stays alone
    assert found["/p/IMG_1.JPG"].label == "RAW+JPEG"
    assert pair_hash_links(FILES.items()) == {("r1", "j1"), ("r2", "j2"), ("r4", "j4")}


def test_heic_twin_when_there_is_no_jpeg():
    cat = FakeCatalog({"/p/A.CR3": "a", "/p/A.heic": "b"})
    pair = pairs_for_paths(cat, ["/p/A.CR3"])["/p/A.CR3"]
    assert (pair.view_path, pair.label, pair.files) == ("/p/A.heic", "RAW+HEIC",
                                                        ["/p/A.CR3", "/p/A.heic"])


def test_collapse_keeps_rank_of_first_half_and_best_score():
    cat = FakeCatalog(FILES)
    items, scores, pairs = collapse(cat, ["j5", "r1", "x5", "j1", "r3", "j2"],
                                    [0.9, 0.8, 0.7, 0.85, 0.6, 0.5])
    assert items == ["j5", "j1", "x5", "r3", "j2"]
    assert scores == [0.9, 0.85, 0.7, 0.6, 0.5]
    assert set(pairs) == {"j1", "j2"} and pairs["j2"].hashes == ["r2", "j2"]
    # only some hashes may be halves (browse looks up its RAW rows): same items
    items2, _, _ = collapse(cat, ["j5", "r1", "x5", "j1", "r3", "j2"], check=["r1", "r3"])
    assert items2 == ["j5", "j1", "x5", "r3", "j2"]


def test_with_partners_adds_the_other_half():
    cat = FakeCatalog(FILES)
    assert with_partners(cat, ["j1", "j5"]) == ["j1", "j5", "r1"]
    assert with_partners(cat, ["r3"]) == ["r3"]
