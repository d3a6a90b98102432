"""The model layer: local weights files, random init, devices, truncation, batching."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from photosearch.core import embedder as emb_mod
from photosearch.core import weights
from photosearch.core.library import model_id_for


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return emb_mod.load("test-tiny", "none", tmp_path_factory.mktemp("models"))


def test_random_init_is_seeded_and_says_so(tiny, tmp_path):
    again = emb_mod.load("test-tiny", "none", tmp_path)
    px = np.random.default_rng(0).integers(0, 255, (3, 64, 64, 3), dtype=np.uint8)
    assert np.allclose(tiny.encode_images(px), again.encode_images(px), atol=1e-6)
    assert tiny.random_weights and tiny.model_id == "test-tiny/none"


def test_a_local_weights_file_is_loaded_and_names_the_model(tiny, tmp_path):
    """The offline route: --pretrained /path/to/weights. Perturbed weights prove they load."""
    state = {k: v + 0.01 * torch.randn_like(v) if v.is_floating_point() else v
             for k, v in tiny.model.state_dict().items()}
    path = tmp_path / "my_weights.pt"
    torch.save(state, path)
    loaded = emb_mod.load("test-tiny", str(path), tmp_path / "cache")
    assert loaded.model_id == model_id_for("test-tiny", str(path))
    assert loaded.model_id.startswith("test-tiny/file:my_weights.pt:")
    assert not loaded.random_weights
    for k, v in loaded.model.state_dict().items():
        assert torch.allclose(v.float(), state[k].float()), k
    px = np.full((1, 64, 64, 3), 128, np.uint8)
    assert not np.allclose(loaded.encode_images(px), tiny.encode_images(px))


def test_two_weights_files_with_one_name_never_share_a_model_id(tiny, tmp_path):
    """Embeddings of different weights must never mix, even under the standard file name."""
    a, b = tmp_path / "a", tmp_path / "b"
    for d, scale in ((a, 0.01), (b, 0.02)):
        d.mkdir()
        torch.save({k: v + scale for k, v in tiny.model.state_dict().items()},
                   d / "open_clip_model.safetensors")
    ida = model_id_for("test-tiny", str(a / "open_clip_model.safetensors"))
    idb = model_id_for("test-tiny", str(b / "open_clip_model.safetensors"))
    assert ida != idb and ida.split(":")[1] == idb.split(":")[1] == "open_clip_model.safetensors"


def test_unknown_tags_and_unreachable_hubs_explain_what_to_do(tmp_path):
    with pytest.raises(weights.WeightsUnavailable, match="unknown pretrained weights.*local"):
        weights.resolve("ViT-B-32", "no-such-tag", tmp_path)
    with pytest.raises(weights.WeightsUnavailable, match="--pretrained /path/to/weights"):
        weights.resolve("ViT-B-32", "laion2b_s34b_b79k", tmp_path, download=False)


def test_embeddings_are_unit_length_and_batched_shapes(tiny):
    px = np.random.default_rng(1).integers(0, 255, (5, 64, 64, 3), dtype=np.uint8)
    out = tiny.encode_images(px)
    assert out.shape == (5, tiny.dim) and np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    txt = tiny.encode_text(["a", "b"])
    assert txt.shape == (2, tiny.dim) and np.allclose(np.linalg.norm(txt, axis=1), 1, atol=1e-5)


def test_long_queries_are_flagged_and_still_encode(tiny):
    long = "a very long description of a photo " * 20
    cut = tiny.truncation(long)
    assert cut is not None and cut.limit == 77 and cut.tokens > 77
    assert tiny.truncation("a dog") is None
    assert tiny.encode_query(long).shape == (tiny.dim,)


def test_device_choice(monkeypatch):
    assert emb_mod.pick_device("cpu") == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert emb_mod.pick_device("auto") in ("cpu", "mps")
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        emb_mod.pick_device("cuda")


def test_a_weights_fingerprint_is_computed_once_per_file_version(tmp_path, monkeypatch):
    """model_id is read for every indexed photo: it must not re-hash the weights each time."""
    import os

    path = tmp_path / "w.safetensors"
    path.write_bytes(b"a" * 5000)
    first = model_id_for("test-tiny", str(path))
    reads = []
    monkeypatch.setattr(weights, "_fingerprint", lambda p, s: reads.append(p) or "x")
    assert [model_id_for("test-tiny", str(path)) for _ in range(3)] == [first] * 3
    assert reads == []
    path.write_bytes(b"b" * 6000)  # replaced by another file
    os.utime(path, ns=(1, 1))
    model_id_for("test-tiny", str(path))
    assert len(reads) == 1
