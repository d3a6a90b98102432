"""The app's model thread readies the torch-free query path before it imports torch."""

from __future__ import annotations

import threading


def test_the_model_thread_builds_the_query_encoder_before_loading_torch(qtbot, make_window,
                                                                        library):
    order: list[str] = []
    release = threading.Event()
    real_query_encoder = library.query_encoder

    def query_encoder(images: bool = False):
        order.append("query encoder")
        return real_query_encoder(images)

    def slow_model_load(*_a, **_kw):  # torch "loading" until the test ends
        order.append("model")
        release.wait(120)
        raise RuntimeError("model load abandoned by the test")

    library.query_encoder = query_encoder
    library.embedder = slow_model_load
    try:
        win = make_window(library, load_model=True)
        qtbot.waitUntil(lambda: "model" in order, timeout=10_000)
        assert order[:2] == ["query encoder", "model"]
        assert win.model.status == "loading"
    finally:
        release.set()


def test_the_model_load_waits_for_a_query_queued_before_it(qtbot, make_window, library):
    """A query already on the db thread when the model starts loading (typed while the
    window came up) is answered before the model load competes with it for the CPU."""
    order: list[str] = []
    release = threading.Event()

    def query_encoder(images: bool = False):  # the ONNX query path, ready
        order.append("query encoder")

    def model_load(*_a, **_kw):
        order.append("model")
        raise RuntimeError("no model in this test")

    def query_in_flight():
        release.wait(60)
        order.append("query answered")

    library.query_encoder = query_encoder
    library.embedder = model_load
    try:
        win = make_window(library)  # load_model=False: loaded below, behind the query
        win.runner.submit("db", query_in_flight)
        win.model.load()
        qtbot.waitUntil(lambda: "query encoder" in order, timeout=10_000)
        release.set()
        qtbot.waitUntil(lambda: "model" in order, timeout=10_000)
        assert order == ["query encoder", "query answered", "model"]
    finally:
        release.set()
