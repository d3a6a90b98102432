"""The main window's controllers on their own: each is built from explicit parts (no window)
and says what happened through signals, which is what lets the window stay a composition.
Plus the size rule the split was for (issue 10: main_window under 30 defs, ui modules
under ~400 lines)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

UI = Path(__file__).resolve().parents[2] / "photosearch" / "ui"


def _model(status: str = "idle", **kw):
    from photosearch.ui.model_status import ModelStatus
    from photosearch.ui.workers import Runner

    lib = SimpleNamespace(settings=SimpleNamespace(model="ViT-B-32",
                                                   pretrained="laion2b_s34b_b79k"))
    model = ModelStatus(lib, Runner())
    model.status = status
    for k, v in kw.items():
        setattr(model, k, v)
    return model


def test_banner_says_why_search_is_limited(qtbot):
    from photosearch.ui.model_status import banner_for

    assert banner_for(_model("ready"), read_only=False) is None
    assert "browses and searches" in banner_for(_model("ready"), read_only=True)[0]
    html, level = banner_for(_model("failed", error="no <weights> & no net"), read_only=False)
    assert level == "error" and "no &lt;weights&gt; &amp; no net" in html
    assert "<a href='settings'>" in html  # the link the window turns into Settings
    html, level = banner_for(_model("loading", downloaded=42_000_000), read_only=False)
    assert level == "info" and "42 MB of about" in html
    assert "Loading the search model" in banner_for(_model("loading"), read_only=False)[0]
    html, level = banner_for(_model("ready", random_weights=True), read_only=False)
    assert level == "warn" and "random weights" in html


def test_model_status_learns_from_an_indexing_report(qtbot):
    model = _model("loading")
    model.download_timer.start()
    seen: list[str] = []
    model.state_changed.connect(seen.append)
    model.index_report(SimpleNamespace(model_error="", embedded=3))
    assert model.status == "ready" and not model.download_timer.isActive()
    model.index_report(SimpleNamespace(model_error="weights file is corrupt", embedded=0))
    assert model.status == "failed" and model.error == "weights file is corrupt"
    assert not model.usable()
    assert seen == ["ready", "failed"]


@pytest.fixture
def coordinator(qtbot, library):
    from PySide6.QtWidgets import QLabel, QWidget

    from photosearch.ui.folders import FoldersCoordinator
    from photosearch.ui.status_bar import IndexProgress, ProblemsButton
    from photosearch.ui.workers import IndexingController, LiveWatcher, Runner

    runner = Runner()
    live = LiveWatcher(library, runner)
    host = QWidget()
    qtbot.addWidget(host)
    folders = FoldersCoordinator(
        lib=library, runner=runner, indexing=IndexingController(library, runner, watcher=live),
        live=live, progress=IndexProgress(), problems_button=ProblemsButton(),
        library_label=QLabel(), host=host, confirm=lambda _t: True, can_embed=lambda: True)
    yield folders
    folders.stop()
    runner.close(20_000)


def test_watcher_changes_reach_the_status_line_and_refill_the_grid(qtbot, coordinator):
    from photosearch.core.watcher import WatchEvent

    messages: list[tuple[str, int]] = []
    grows: list[bool] = []
    coordinator.message.connect(lambda text, ms: messages.append((text, ms)))
    coordinator.results_may_grow.connect(lambda: grows.append(True))
    with qtbot.waitSignal(coordinator.folders_changed, timeout=10_000):
        coordinator.live.event.emit(WatchEvent("changed", added=2, moved=1, removed=1))
    assert messages == [("Folders changed: 2 new, 1 moved or copied, 1 removed", 8000)]
    assert grows == [True]
    qtbot.waitUntil(lambda: coordinator.library_label.text() == "0 photos · 0 searchable")
    # a progress tick of a long catch-up is neither news nor a reason to refresh
    coordinator.live.event.emit(WatchEvent("progress", done=1, total=9))
    assert len(messages) == 1 and grows == [True]


def test_grid_refills_on_a_timer_only_while_indexing(qtbot, coordinator):
    coordinator.indexing.running_changed.emit(True)
    assert coordinator.refresh_timer.isActive()
    coordinator.indexing.running_changed.emit(False)
    assert not coordinator.refresh_timer.isActive()


def test_read_only_window_never_starts_indexing(qtbot, library):
    from PySide6.QtWidgets import QLabel, QWidget

    from photosearch.ui.folders import FoldersCoordinator
    from photosearch.ui.status_bar import IndexProgress, ProblemsButton
    from photosearch.ui.workers import IndexingController, LiveWatcher, Runner

    runner = Runner()
    live = LiveWatcher(library, runner)
    folders = FoldersCoordinator(
        lib=library, runner=runner, indexing=IndexingController(library, runner, watcher=live),
        live=live, progress=IndexProgress(), problems_button=ProblemsButton(),
        library_label=QLabel(), host=QWidget(), confirm=lambda _t: True,
        can_embed=lambda: True, read_only=True, first_run=True)
    assert not folders.start_indexing() and not folders.indexing.running
    assert not folders.first_run_enabled  # a read-only window never runs the first-run flow
    runner.close(20_000)


def test_main_window_stays_a_composition():
    source = (UI / "main_window.py").read_text(encoding="utf-8")
    defs = sum("def " in line for line in source.splitlines())  # `grep -c "def "`
    assert defs < 30, f"main_window.py has {defs} defs: give the new job its own module"
    too_long = {p.name: n for p in UI.glob("*.py")
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not too_long, f"ui modules over 400 lines: {too_long}"
