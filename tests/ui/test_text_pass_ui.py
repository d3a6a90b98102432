"""Settings "Read text in photos (OCR)": the estimate is shown; switching it on reads the
photos' text in the background (real OCR model, a word drawn on a real photo from
../shared), with progress in the status bar; switching it off stops the pass."""

from __future__ import annotations

import json

import pytest

from photosearch.core.text.estimate import ocr_estimate
from photosearch.core.text.settings import CPU_SECONDS_PER_PHOTO, TextSettings
from photosearch.core.text.store import TextStore
from photosearch.core.watcher import WatchEvent
from tests.conftest import FLICKR, require
from tests.text_render import render
from tests.ui.conftest import index_now, names, open_settings, settle

pytest.importorskip("rapidocr", reason="the OCR extra is part of the dev install")


def _open_settings(qtbot, window):
    return open_settings(qtbot, window, "ocr_note")


def test_estimate_of_an_empty_library(library):
    per = f"{CPU_SECONDS_PER_PHOTO / TextSettings().workers:.2f} s/photo"  # 2 photos at once
    assert ocr_estimate(library.catalog) == \
        f"0 photos to read, about 0 s ({per}, estimated for a 2-core CPU)"


def test_switch_on_reads_text_in_background_and_off_stops(qtbot, window, library, tmp_path):
    folder = tmp_path / "shots"
    src = sorted((require(FLICKR) / "Images").glob("*.jpg"))[7]
    render(src, folder / "sign.jpg", 0, words=["BOOKING"], size=54)
    index_now(qtbot, window, [folder])
    assert window.text_pass.worker is None  # off by default: nothing is read
    dialog = _open_settings(qtbot, window)
    assert not dialog.ocr.isChecked()
    assert dialog.ocr_note.text().startswith("1 photos to read, about")
    assert "s/photo" in dialog.ocr_note.text()
    dialog.ocr.setChecked(True)
    messages: list[str] = []
    window.text_pass.message.connect(lambda text, _ms: messages.append(text))
    with qtbot.waitSignal(window.text_pass.finished, timeout=120_000) as done:
        dialog.accept()
    report = done.args[0]
    assert (report.read, report.with_text, report.error) == (1, 1, None)
    saved = json.loads(library.paths.settings.read_text())
    assert saved["text"]["enabled"] is True
    assert TextSettings.from_settings(library.settings).enabled
    assert any(m.startswith("Reading text in photos: 1 of 1") for m in messages)
    assert window.statusBar().currentMessage() == "Read text in 1 photos: 1 with text"
    h = library.catalog.hash_of(str(folder / "sign.jpg"))
    assert any("BOOKING" in ln.text.upper() for ln in TextStore(library.catalog).lines(h))
    assert ocr_estimate(library.catalog).startswith("0 photos to read")
    window.search.set_query("booking")  # found by its text, with the words in the preview
    settle(qtbot, window)
    assert names(window)[0] == "sign.jpg"
    assert window.results.result_at(0).text_match
    # off: the worker thread is stopped and new photos are no longer read
    worker = window.text_pass.worker
    assert worker is not None and worker.running
    dialog = _open_settings(qtbot, window)
    assert dialog.ocr.isChecked()
    dialog.ocr.setChecked(False)
    dialog.accept()
    assert window.text_pass.worker is None
    qtbot.waitUntil(lambda: not worker.running, timeout=30_000)
    assert window.statusBar().currentMessage() == "Reading text in photos: off"
    assert json.loads(library.paths.settings.read_text())["text"]["enabled"] is False
    render(src, folder / "sign2.jpg", 1, words=["VOUCHER"], size=54)
    index_now(qtbot, window)
    window.text_pass.watch_event(WatchEvent("changed", added=1))  # as from the watcher
    assert window.text_pass.worker is None
    assert ocr_estimate(library.catalog).startswith("1 photos to read")


def test_new_photos_from_the_watcher_are_read(qtbot, window, library, tmp_path):
    folder = tmp_path / "shots"
    src = sorted((require(FLICKR) / "Images").glob("*.jpg"))[7]
    render(src, folder / "sign.jpg", 2, words=["PIZZERIA"], size=54)
    index_now(qtbot, window, [folder])
    TextSettings(enabled=True).store(library.settings)  # as the Settings switch does
    # the watcher's batch event (the watcher itself is tested in tests/unit): reading starts
    with qtbot.waitSignal(window.text_pass.finished, timeout=120_000) as done:
        window.live.event.emit(WatchEvent("changed", added=1))
    assert (done.args[0].read, done.args[0].with_text) == (1, 1)
    window.search.set_query("has:text")  # the text just read is searchable
    settle(qtbot, window)
    assert names(window) == ["sign.jpg"]


def test_changing_a_reading_setting_in_the_app_re_reads_the_photos(qtbot, window, library,
                                                                    tmp_path):
    from dataclasses import replace

    folder = tmp_path / "shots"
    src = sorted((require(FLICKR) / "Images").glob("*.jpg"))[7]
    render(src, folder / "sign.jpg", 3, words=["HARBOUR"], size=54)
    index_now(qtbot, window, [folder])
    before = replace(library.settings, text=dict(library.settings.text or {}))
    on = replace(before, text={"enabled": True})
    with qtbot.waitSignal(window.text_pass.finished, timeout=120_000) as done:
        window.dialogs.apply_settings(before, on)  # what the Settings dialog's OK does
    assert done.args[0].read == 1
    # a reading setting changes while OCR stays on: the photo is read again at once,
    # without waiting for the next index or watcher batch
    fewer = replace(on, text={"enabled": True, "min_chars": 3})
    with qtbot.waitSignal(window.text_pass.finished, timeout=120_000) as done:
        window.dialogs.apply_settings(on, fewer)
    assert done.args[0].read == 1
    assert ocr_estimate(library.catalog, TextSettings.from_settings(library.settings)) \
        .startswith("0 photos to read")
