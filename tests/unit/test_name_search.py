"""core.name_search: words find photos by file and folder name (no model needed)."""

from __future__ import annotations

import os

from photosearch.core.indexer import Indexer
from photosearch.core.name_search import count_by_name, find_by_name
from photosearch.core.query import Filters, parse, parse_types
from tests.conftest import make_image


def test_words_match_file_and_folder_names(library, tmp_path):
    root = tmp_path / "p"
    make_image(root / "Beach_2019.jpg", color=(200, 20, 20))
    make_image(root / "holiday" / "img_1.png", color=(20, 200, 20))
    make_image(root / "holiday" / "beach 50%.jpg", color=(20, 20, 200))
    make_image(root / "other.png", color=(90, 90, 90))
    Indexer(library, embed=False).run([str(root)])
    cat = library.catalog

    def found(text, filters=None):
        return sorted(os.path.basename(r.path)
                      for r in find_by_name(cat, parse(text).terms, filters))

    assert found("beach") == ["Beach_2019.jpg", "beach 50%.jpg"]  # case-insensitive
    assert found("holiday") == ["beach 50%.jpg", "img_1.png"]  # folder names count
    assert found("holiday -beach") == ["img_1.png"]
    assert found("50%") == ["beach 50%.jpg"]  # LIKE wildcards are literal
    assert found("_2019") == ["Beach_2019.jpg"]
    assert found("beach", Filters(types=parse_types("png"))) == []
    assert count_by_name(cat, parse("beach").terms) == 2
    assert found("zebra") == []
