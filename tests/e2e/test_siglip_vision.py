"""SigLIP-shaped models end to end (issue 14): a tiny model with SigLIP's timm image tower
(no class token, attention-pool head, no projection) and its text tower + sentencepiece
tokenizer (tests/siglip_vision.py) indexes photos and answers text and image queries
through the CLI, as ViT-B-16-SigLIP2 would with its real weights."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from photosearch.cli import main

from ..conftest import make_image
from ..siglip_vision import TINY_SIGLIP_VISION_MODEL, register_tiny_siglip_vision


@pytest.fixture(scope="module")
def tiny_siglip_vision(tmp_path_factory) -> str:
    return register_tiny_siglip_vision(tmp_path_factory.mktemp("tiny-siglip-vision"))


@pytest.fixture(autouse=True)
def _known_to_the_cli(monkeypatch):
    """Registered with open_clip in this process only: tell the CLI's --model check."""
    from photosearch.cli import validate

    names = validate.model_names() | {TINY_SIGLIP_VISION_MODEL}
    monkeypatch.setattr(validate, "model_names", lambda: names)


def run(capsys, lib: Path, model: str, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--library", str(lib), "--model", model, "--pretrained", "none", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_siglip_vision_tower_indexes_and_answers_text_and_image_queries(
        tiny_siglip_vision, tmp_path, capsys):
    photos = tmp_path / "photos"
    colours = [(220, 30, 30), (30, 200, 40), (30, 40, 220), (200, 200, 40)]
    files = [make_image(photos / f"p{i}.jpg", c, size=(120, 80)) for i, c in
             enumerate(colours)]
    lib = tmp_path / "lib"
    code, out, err = run(capsys, lib, tiny_siglip_vision, "index", str(photos))
    assert code == 0, err
    assert "4 embedded" in out and "0 problems" in out, out
    # the timm image tower exported to ONNX and passed its validation against torch: later
    # image queries run without torch (text stays on torch: sentencepiece tokenizer)
    exported = [p.parent.name for p in Path(os.environ["PHOTOSEARCH_CACHE"]).rglob("*.onnx")
                if p.name == "image.onnx"]
    assert exported, "the SigLIP image tower was not exported to ONNX"
    for query in ("a dog on the beach", "犬が走る"):
        code, out, err = run(capsys, lib, tiny_siglip_vision, "search", query, "--json")
        assert code == 0, err
        hits = json.loads(out)
        assert sorted(Path(h["path"]).name for h in hits) == [f"p{i}.jpg" for i in range(4)]
        assert all(np.isfinite(h["score"]) for h in hits)
    # an indexed photo as the query: its own stored embedding, cosine 1 with itself
    code, out, err = run(capsys, lib, tiny_siglip_vision, "search", f'image:"{files[2]}"',
                         "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert Path(hits[0]["path"]) == files[2] and hits[0]["score"] == pytest.approx(1, abs=1e-4)
    # a photo outside the library goes through the image tower at query time: a copy of
    # p1 scores (almost) 1 against the stored p1, so the tower is deterministic end to end
    outside = make_image(tmp_path / "elsewhere" / "copy of p1.png", colours[1],
                         size=(120, 80), fmt="PNG")
    code, out, err = run(capsys, lib, tiny_siglip_vision, "similar", str(outside), "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert Path(hits[0]["path"]).name == "p1.jpg" and hits[0]["score"] > 0.99
