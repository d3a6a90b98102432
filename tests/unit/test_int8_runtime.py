"""The opt-in onnx-int8 CPU indexing runtime: its own model id, search on it, switching,
a corrupt quantised file, and the validation refusal falling back to torch."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photosearch.core import int8_runtime
from photosearch.core import onnx_models as om
from tests.conftest import FLICKR, TEST_MODEL, require

TINY = ["--model", "test-tiny", "--pretrained", "none"]
BASE_ID = "test-tiny/none"
INT8_ID = "test-tiny/none+int8"


@pytest.fixture
def photos(tmp_path) -> Path:
    dst = tmp_path / "photos"
    dst.mkdir()
    for p in sorted(require(FLICKR / "Images").glob("*.jpg"))[:10]:
        shutil.copy(p, dst / p.name)
    return dst


def cli(tmp_path: Path, *argv: str) -> int:
    from photosearch.cli import main

    return main(["--library", str(tmp_path / "library"), *TINY, *argv])


def open_lib(tmp_path: Path):
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    return Library.open(resolve_library(tmp_path / "library"), **TEST_MODEL)


def test_settings_accept_only_known_runtimes():
    from photosearch.core.config import ConfigError, Settings

    assert Settings().runtime == "torch"
    assert Settings.from_dict({"runtime": "onnx-int8"}).runtime == "onnx-int8"
    with pytest.raises(ConfigError, match="runtime"):
        Settings.from_dict({"runtime": "int4"})


def test_int8_index_has_its_own_model_id_and_finds_the_planted_photo(tmp_path, photos,
                                                                      capsys):
    from photosearch.core.search import Searcher

    assert cli(tmp_path, "index", str(photos), "--runtime", "onnx-int8") == 0
    out = capsys.readouterr().out
    assert INT8_ID in out and "re-embedded" in out and "10 embedded" in out
    lib = open_lib(tmp_path)
    try:
        assert lib.settings.runtime == "onnx-int8" and lib.model_id == INT8_ID
        assert lib.catalog.counts(INT8_ID)["embedded"] == 10
        assert not lib.catalog.has_embeddings(BASE_ID)  # nothing stored as fp32
        # the stored vectors are the int8 tower's, not torch's
        emb = lib.embedder()
        assert isinstance(emb, int8_runtime.Int8Embedder) and emb.model_id == INT8_ID
        first = sorted(photos.glob("*.jpg"))[0]
        from photosearch.core import imaging

        px = imaging.decode_file(str(first), emb.image_size, hashes=False).pixels[None]
        stored = lib.catalog.embedding(lib.catalog.hash_of(str(first)), INT8_ID)
        # dynamic quantisation scales activations per batch, so a photo alone is a hair
        # off its vector from a batch of 10; torch's fp32 vector is further off
        alone = float(emb.encode_images(px)[0] @ stored)
        torch_fp32 = float(emb.base.encode_images(px)[0] @ stored)
        assert alone > 0.999 and torch_fp32 < alone
    finally:
        lib.close()

    lib = open_lib(tmp_path)  # a fresh process-like library: text via the fp32 ONNX tower
    try:
        searcher = Searcher(lib)
        # text: the fp32 text tower against the int8 image vectors, in exact score order
        enc = lib.query_encoder()
        assert not isinstance(enc, int8_runtime.Int8Embedder) and enc.model_id == BASE_ID
        q = enc.encode_query("a dog running on grass")
        scores = {h: float(v @ q) for h, v in _by_hash(lib, INT8_ID).items()}
        want = sorted(scores, key=lambda h: -scores[h])[:5]
        got = [r.hash for r in searcher.search("a dog running on grass", limit=5).results]
        assert got == want
        # planted: the same pixels saved as PNG outside the library find their JPEG first
        planted = tmp_path / "outside.png"
        with Image.open(first) as im:
            im.convert("RGB").save(planted)
        # (an image query loads the model: it must embed with the int8 tower, like the index)
        page = searcher.similar(str(planted), limit=3)
        assert Path(page.results[0].path) == first
        assert page.results[0].score is not None and page.results[0].score > 0.999
    finally:
        lib.close()


def _by_hash(lib, model_id: str) -> dict[str, np.ndarray]:
    hashes = {lib.catalog.hash_of(str(p)) for p in
              sorted(Path(lib.catalog.folders()[0][1]).glob("*.jpg"))}
    return {h: lib.catalog.embedding(h, model_id) for h in hashes}


def test_switching_runtime_re_embeds_and_never_mixes_vectors(tmp_path, photos, capsys):
    assert cli(tmp_path, "index", str(photos)) == 0
    assert "10 embedded" in capsys.readouterr().out
    assert cli(tmp_path, "index", "--runtime", "onnx-int8") == 0
    out = capsys.readouterr().out
    assert "re-embedded" in out and f"was {BASE_ID}" in out and "10 embedded" in out
    lib = open_lib(tmp_path)
    try:
        fp32, int8 = _by_hash(lib, BASE_ID), _by_hash(lib, INT8_ID)
        assert fp32.keys() == int8.keys() and len(int8) == 10
        cos = [float(fp32[h] @ int8[h]) for h in fp32]
        assert min(cos) > 0.9 and max(cos) < 0.99999  # close, but not the same vectors
        # the index serves exactly the int8 rows (the fp32 ones have their own index)
        live = set(lib.catalog.live_embedding_ids(INT8_ID).tolist())
        assert lib.index().labels() == live and lib.index().model_id == INT8_ID
        assert lib.index_path != _index_path_for(lib, BASE_ID)
    finally:
        lib.close()
    # back to torch: the fp32 vectors are still there, nothing is embedded again
    assert cli(tmp_path, "index", "--runtime", "torch") == 0
    out = capsys.readouterr().out
    assert f"model id {BASE_ID} (was {INT8_ID})" in out and "0 embedded" in out
    lib = open_lib(tmp_path)
    try:
        assert lib.model_id == BASE_ID and lib.catalog.counts(BASE_ID)["embedded"] == 10
    finally:
        lib.close()


def _index_path_for(lib, model_id: str) -> Path:
    import hashlib

    slug = hashlib.blake2b(model_id.encode(), digest_size=6).hexdigest()
    return lib.paths.index_dir / f"{slug}.hnsw"


@pytest.fixture
def exported(tmp_path):
    """The tiny model loaded with torch and its fp32 towers exported into tmp_path."""
    from photosearch.core import embedder as emb_mod

    cache = tmp_path / "cache"
    emb = emb_mod.load("test-tiny", "none", cache, device="cpu")
    assert emb.onnx_export.wait(300)
    return emb, cache


@pytest.mark.parametrize("damage", ["garbage", "truncated", "no-metadata"])
def test_a_corrupt_quantised_file_is_rebuilt(exported, damage, caplog):
    emb, cache = exported
    sess, cosine = int8_runtime.open_int8(cache, emb.model_id, emb.image_size)
    path = int8_runtime.int8_path(cache, emb.model_id)
    good = path.read_bytes()
    assert cosine >= int8_runtime.MIN_MEAN_COSINE and path.is_file()
    if damage == "garbage":
        path.write_bytes(b"\0garbage" * (len(good) // 8))
    elif damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    else:
        path.with_suffix(".json").unlink()
    with caplog.at_level(logging.WARNING, logger="photosearch.core.quantised_tower"):
        sess, cosine = int8_runtime.open_int8(cache, emb.model_id, emb.image_size)
    assert "rebuilding" in caplog.text
    assert path.read_bytes() == good  # rebuilt, deterministically the same
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["file"][0] == len(good) and cosine >= int8_runtime.MIN_MEAN_COSINE
    assert not list(path.parent.glob(".image-int8.*"))  # no temp left behind


def test_a_stale_quantised_file_is_rebuilt_when_the_fp32_export_changes(exported, caplog):
    emb, cache = exported
    int8_runtime.open_int8(cache, emb.model_id, emb.image_size)
    meta_file = int8_runtime.int8_path(cache, emb.model_id).with_suffix(".json")
    meta = json.loads(meta_file.read_text())
    meta["source"] = [1, "another export"]
    meta_file.write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING, logger="photosearch.core.quantised_tower"):
        int8_runtime.open_int8(cache, emb.model_id, emb.image_size)
    assert "made from another fp32 export" in caplog.text


def test_validation_refusal_falls_back_to_torch_with_the_message(tmp_path, photos, capsys,
                                                                  monkeypatch):
    monkeypatch.setattr(int8_runtime, "MIN_MEAN_COSINE", 1.01)  # no int8 copy can pass
    assert cli(tmp_path, "index", str(photos), "--runtime", "onnx-int8") == 0
    captured = capsys.readouterr()
    assert "onnx-int8 runtime refused" in captured.err and "mean cosine" in captured.err
    assert "indexing in fp32" in captured.err and "10 embedded" in captured.out
    lib = open_lib(tmp_path)
    try:
        # the vectors are torch's, so they are stored under the fp32 id, never as int8
        assert lib.catalog.counts(BASE_ID)["embedded"] == 10
        assert not lib.catalog.has_embeddings(INT8_ID)
        # and a later process (a search) agrees on the id without loading any model
        assert lib.settings.runtime == "onnx-int8" and lib.model_id == BASE_ID
        assert "refused" in (lib.runtime_note or "")
    finally:
        lib.close()
    assert cli(tmp_path, "search", "a dog", "--limit", "3") == 0
    assert capsys.readouterr().out.count("\n") >= 3
    # asked for again once the copy can pass: int8 is tried, and now used
    monkeypatch.setattr(int8_runtime, "MIN_MEAN_COSINE", 0.99)
    assert cli(tmp_path, "index", "--runtime", "onnx-int8") == 0
    captured = capsys.readouterr()
    assert "refused" not in captured.err and "10 embedded" in captured.out
    lib = open_lib(tmp_path)
    try:
        assert lib.model_id == INT8_ID and lib.runtime_note is None
        assert lib.catalog.counts(INT8_ID)["embedded"] == 10
    finally:
        lib.close()


def test_int8_is_refused_without_an_fp32_export(tmp_path):
    with pytest.raises(int8_runtime.Int8Refused, match="no usable fp32 ONNX export"):
        int8_runtime.open_int8(tmp_path, BASE_ID, 64)
    assert not om.tower_path(tmp_path, BASE_ID, "image").exists()
