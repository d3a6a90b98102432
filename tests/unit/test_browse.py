"""core.browse: every cataloged photo, newest first, filtered in SQL, with or without
embeddings (a library indexed without model weights can still be browsed)."""

from __future__ import annotations

import os
import shutil

from photosearch.core.browse import browse, count
from photosearch.core.indexer import Indexer
from photosearch.core.query import Filters, parse_date, parse_types
from tests.conftest import make_image

DAY = 86400.0
T0 = 1577836800.0  # 2020-01-01


def _photos(root):
    out = {}
    for i, (name, color) in enumerate([("a.jpg", (200, 20, 20)), ("b.png", (20, 200, 20)),
                                       ("sub/c.jpg", (20, 20, 200)), ("d.png", (90, 90, 90))]):
        p = make_image(root / name, color=color)
        os.utime(p, (T0 + i * 10 * DAY, T0 + i * 10 * DAY))
        out[name] = p
    return out


def test_browse_without_embeddings_newest_first_and_filtered(library, tmp_path):
    photos = _photos(tmp_path / "p")
    shutil.copy2(photos["a.jpg"], tmp_path / "p" / "a_copy.jpg")  # same content: one photo
    report = Indexer(library, embed=False).run([str(tmp_path / "p")])
    assert report.cataloged == 4 and report.embedded == 0
    cat = library.catalog
    assert [os.path.basename(r.path) for r in browse(cat)] == ["d.png", "c.jpg", "b.png",
                                                                "a.jpg"]
    assert count(cat) == 4
    assert all(r.score is None for r in browse(cat))
    assert [os.path.basename(r.path) for r in browse(cat, limit=2, offset=1)] == ["c.jpg",
                                                                                  "b.png"]
    pngs = Filters(types=parse_types("png"))
    assert sorted(os.path.basename(r.path) for r in browse(cat, pngs)) == ["b.png", "d.png"]
    assert count(cat, pngs) == 2
    window = Filters(after=parse_date("2020-01-05"), before=parse_date("2020-01-25"))
    assert [os.path.basename(r.path) for r in browse(cat, window)] == ["c.jpg", "b.png"]
    sub = Filters(folder=str(tmp_path / "p" / "sub"))
    assert [r.path for r in browse(cat, sub)] == [str(photos["sub/c.jpg"])]
    a = next(r for r in browse(cat) if r.path.endswith("a.jpg"))
    assert sorted(os.path.basename(p) for p in a.paths) == ["a.jpg", "a_copy.jpg"]


def test_photos_whose_files_are_gone_are_not_listed(library, tmp_path):
    photos = _photos(tmp_path / "p")
    Indexer(library, embed=False).run([str(tmp_path / "p")])
    photos["b.png"].unlink()
    Indexer(library, embed=False).run()
    names = [os.path.basename(r.path) for r in browse(library.catalog)]
    assert "b.png" not in names and len(names) == 3 and count(library.catalog) == 3


def _camera_jpeg(path, make: str, model: str, colour) -> None:
    from PIL import Image

    img = Image.open(make_image(path, color=colour))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = make, model  # Make, Model
    img.save(path, exif=exif)


def test_camera_filter_is_one_rule_in_browse_and_search(fake_library, tmp_path):
    """`camera:` is a case-insensitive substring of "make model" with no wildcards, the
    same whether the catalog is browsed (SQL) or searched (numpy)."""
    from photosearch.core.search import Searcher

    _camera_jpeg(tmp_path / "p" / "a.jpg", "Canon", "EOS 80D", (200, 20, 20))
    _camera_jpeg(tmp_path / "p" / "b.jpg", "NIKON", "D_750", (20, 200, 20))
    make_image(tmp_path / "p" / "c.jpg", color=(20, 20, 200))  # no camera
    Indexer(fake_library).run([str(tmp_path / "p")])
    searcher = Searcher(fake_library)
    for needle, expected in [("canon", {"a.jpg"}), ("eos 80", {"a.jpg"}), ("%", set()),
                             ("_", {"b.jpg"}), ("d_7", {"b.jpg"}), ("on", {"a.jpg", "b.jpg"})]:
        f = Filters(camera=needle)
        browsed = {os.path.basename(r.path) for r in browse(fake_library.catalog, f)}
        found = {os.path.basename(r.path)
                 for r in searcher.search("photo", filters=f, limit=10).results}
        assert browsed == found == expected, needle
        assert count(fake_library.catalog, f) == len(expected)
