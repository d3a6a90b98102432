"""A screenshot of the app itself, read by the real OCR model and found by its words."""

from __future__ import annotations

import pytest

from tests.ui.conftest import index_now

pytest.importorskip("rapidocr", reason="the OCR extra is part of the dev install")


def test_screenshot_of_the_app_is_read_and_found(qtbot, make_window, library, photos,
                                                 tmp_path):
    from photosearch.core.indexer import Indexer
    from photosearch.core.search import Searcher
    from photosearch.core.text.store import TextStore
    from photosearch.core.text.textpass import run_text_pass

    win = make_window(library)
    win.resize(1100, 700)
    index_now(qtbot, win, [photos[0].parent])
    shots = tmp_path / "shots"
    shots.mkdir()
    assert win.grab().save(str(shots / "app.png"))
    win.shutdown()  # the app's threads are done with the library from here on

    Indexer(library, embed=False).run([str(shots)])
    report = run_text_pass(library)
    assert report.read == len(photos) + 1 and report.failed == 0
    h = library.catalog.hash_of(str(shots / "app.png"))
    text = " ".join(ln.text for ln in TextStore(library.catalog).lines(h)).lower()
    # a sidebar button, a tab, the preview's action and its empty-state hint (the search
    # field's light-grey placeholder is too faint for the model: not asserted). Which of the
    # last ones are on screen depends on the window's state: three of four must be read.
    packed = text.replace(" ", "")
    found = [w for w in ("index now", "duplicates", "find similar", "select a photo")
             if w.replace(" ", "") in packed]
    assert len(found) >= 3, text
    page = Searcher(library).search(f'text:"{found[0]}"')
    assert h in [r.hash for r in page.results]
