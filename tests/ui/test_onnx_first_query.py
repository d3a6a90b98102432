"""The app answers a query from the ONNX export while torch is still loading."""

from __future__ import annotations

import threading

from tests.conftest import TEST_MODEL
from tests.ui.conftest import PHOTOS, names, settle


def test_first_query_is_answered_while_the_model_still_loads(qtbot, make_window, photos,
                                                             tmp_path):
    from photosearch.core import onnx_models
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    paths = resolve_library(tmp_path / "library")
    first = Library.open(paths, **TEST_MODEL)
    Indexer(first).run([str(photos[0].parent)])  # loads torch once: exports the towers
    assert first.embedder().onnx_export.wait(300)
    first.close()

    lib = Library.open(paths, **TEST_MODEL)
    release = threading.Event()
    loads: list[str] = []

    def slow_model_load(*_a, **_kw):  # torch "loading" until the test ends
        loads.append("started")
        release.wait(120)
        raise RuntimeError("model load abandoned by the test")

    lib.embedder = slow_model_load
    try:
        win = make_window(lib, load_model=True)
        qtbot.waitUntil(lambda: loads == ["started"], timeout=10_000)
        win.search.set_query("a red photo")
        settle(qtbot, win)
        assert win.model.status == "loading"  # torch is still "loading"...
        assert sorted(names(win)) == sorted(n for n, _c, _d in PHOTOS)  # ...yet it answered
        assert all(r.score is not None for r in win.results.results())
        assert isinstance(lib.query_encoder(), onnx_models.OnnxEncoder)
    finally:
        release.set()
        lib.catalog.close()
