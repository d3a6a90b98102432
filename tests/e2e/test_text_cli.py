"""`photosearch text ...` and text in search results, with the real OCR model, in-process."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import FLICKR, require
from tests.e2e.cli_helpers import cli, cli_json
from tests.text_render import render

pytest.importorskip("rapidocr", reason="the OCR extra is part of the dev install")


@pytest.fixture
def photos(tmp_path):
    images = sorted((require(FLICKR) / "Images").glob("*.jpg"))
    render(images[700], tmp_path / "photos" / "sign.jpg", 0, words=["PIZZERIA", "Harbour"])
    (tmp_path / "photos" / "plain.jpg").write_bytes(images[701].read_bytes())
    return tmp_path / "photos"


def test_text_commands_end_to_end(capsys, tmp_path, photos):
    lib = tmp_path / "lib"
    status = cli_json(capsys, lib, "text", "status")
    assert status["enabled"] is False  # off by default
    code, out, err = cli(capsys, lib, "text", "enable")
    assert code == 0, err
    assert "about" in out and "s/photo" in out  # the time estimate is shown
    code, out, err = cli(capsys, lib, "index", str(photos))
    assert code == 0, err
    assert "text: 2 photos read, 1 with text" in out
    status = cli_json(capsys, lib, "text", "status")
    assert status["enabled"] and status["read"] == 2 and status["pending"] == 0

    shown = cli_json(capsys, lib, "text", "show", str(photos / "sign.jpg"))
    texts = [ln["text"].lower() for ln in shown["lines"]]
    assert any("pizzeria" in t for t in texts) and any("harbour" in t for t in texts)
    assert all(len(ln["box"]) == 4 and 0 < ln["score"] <= 1 for ln in shown["lines"])
    code, out, _ = cli(capsys, lib, "text", "show", str(photos / "plain.jpg"))
    assert code == 0 and "no text found" in out

    results = cli_json(capsys, lib, "search", "pizzeria")
    assert results[0]["path"] == str(photos / "sign.jpg")
    assert any("pizzeria" in t.lower() for t in results[0]["text_match"])
    assert all("text_match" not in r for r in results[1:])
    only = cli_json(capsys, lib, "search", "--text", "harbour")
    assert [r["path"] for r in only] == [str(photos / "sign.jpg")]
    none = cli_json(capsys, lib, "search", 'text:"harbour" -text:pizzeria')
    assert none == []

    code, out, err = cli(capsys, lib, "text", "forget")
    assert code == 0 and "forgot the text of 2 photos" in out, err
    status = cli_json(capsys, lib, "text", "status")
    assert not status["enabled"] and status["read"] == 0 and status["lines"] == 0
    assert cli_json(capsys, lib, "search", "--text", "harbour") == []
    settings = json.loads((lib / "settings.json").read_text())
    assert settings["text"]["enabled"] is False


def test_index_does_not_read_text_when_off(capsys, tmp_path, photos):
    lib = tmp_path / "lib"
    code, out, err = cli(capsys, lib, "index", str(photos))
    assert code == 0, err
    assert "text:" not in out
    assert cli_json(capsys, lib, "text", "status")["pending"] == 2


def test_watching_reads_the_text_of_new_photos(capsys, tmp_path, photos):
    from tests.e2e.test_live import WatchProcess

    lib = tmp_path / "lib"
    code, _, err = cli(capsys, lib, "text", "enable")
    assert code == 0, err
    w = WatchProcess(lib, str(photos), "--no-embed")
    try:
        w.wait_line("text: 2 photos read, 1 with text", timeout=240)  # the catch-up
        images = sorted((require(FLICKR) / "Images").glob("*.jpg"))
        new = photos / "later.jpg"
        render(images[702], tmp_path / "staging.jpg", 3, words=["Gallery"])
        os.replace(tmp_path / "staging.jpg", new)  # appears complete
        w.wait_line("text: 1 photos read, 1 with text", timeout=240)
    finally:
        assert w.interrupt() == 0
    results = cli_json(capsys, lib, "search", "--text", "gallery")
    assert [r["path"] for r in results] == [str(new)]
