"""Cold queries: the optimised onnxruntime copy of each tower (onnx_runtime_cache), the
ONNX export running beside a model load, and what a cold `search` imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photosearch import cli
from photosearch.core import onnx_models as om
from photosearch.core import onnx_runtime_cache as rc
from tests.conftest import FLICKR, REPO, TEST_MODEL, require


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny model loaded with torch; its towers exported (and their optimised copies
    prepared) into a module cache dir."""
    from photosearch.core import embedder as emb_mod

    cache = tmp_path_factory.mktemp("models")
    emb = emb_mod.load("test-tiny", "none", cache)
    assert emb.onnx_export.wait(300)
    assert emb.onnx_export.result == {"text": "exported", "image": "exported"}
    return emb, cache


def _copy(cache: Path, tmp_path: Path) -> Path:
    own = tmp_path / "models"
    shutil.copytree(cache, own)
    return own


def test_the_export_prepares_a_valid_optimised_copy_that_queries_load(tiny, monkeypatch):
    emb, cache = tiny
    for tower in om.TOWERS:
        source = om.tower_path(cache, emb.model_id, tower)
        folder = rc.runtime_dir(source)
        assert folder.name == f"{tower}.ort{rc.ort_version()}"
        assert rc.check(folder, om.TowerMeta.read(source)) is None
        meta = json.loads((folder / rc.META_FILE).read_text())
        assert meta["cosine"] >= om.MIN_COSINE and meta["ort"] == rc.ort_version()
        # the weights live outside the graph file
        assert (folder / rc.WEIGHTS_FILE).stat().st_size > (folder / rc.MODEL_FILE).stat().st_size
        assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp
    built: list[str] = []
    real = rc._build
    monkeypatch.setattr(rc, "_build", lambda *a, **k: built.append(a[2]) or real(*a, **k))
    enc = om.OnnxEncoder(emb.model_id, cache)
    texts = ["a dog", "Café crème 🐶", "a very long caption " * 30]
    assert (enc.encode_text(texts) * emb.encode_text(texts)).sum(axis=1).min() > 0.99999
    px = np.random.default_rng(3).integers(0, 256, (3, emb.image_size, emb.image_size, 3),
                                           dtype=np.uint8)
    assert (enc.encode_images(px) * emb.encode_images(px)).sum(axis=1).min() > 0.99999
    assert built == []  # both sessions came from the optimised copies
    quick = om.OnnxEncoder(emb.model_id, cache, one_shot=True)  # the CLI's session options
    assert np.allclose(quick.encode_text(texts), enc.encode_text(texts), atol=1e-5)
    assert np.allclose(quick.encode_images(px), enc.encode_images(px), atol=1e-5)


def _damage(folder: Path, how: str) -> None:
    meta_file = folder / rc.META_FILE
    meta = json.loads(meta_file.read_text())
    if how == "truncated_weights":
        with open(folder / rc.WEIGHTS_FILE, "r+b") as fh:
            fh.truncate(1000)
    elif how == "missing_weights":
        (folder / rc.WEIGHTS_FILE).unlink()
    elif how == "flipped_weights_head":
        data = bytearray((folder / rc.WEIGHTS_FILE).read_bytes())
        data[10] ^= 0xFF
        (folder / rc.WEIGHTS_FILE).write_bytes(bytes(data))
    elif how == "garbage_meta":
        meta_file.write_text("{not json")
    elif how == "no_meta":
        meta_file.unlink()
    elif how == "other_onnxruntime":
        meta_file.write_text(json.dumps({**meta, "ort": "1.0.0"}))
    elif how == "other_export":  # the export was rebuilt since the copy was made
        meta_file.write_text(json.dumps({**meta, "source": [1, "0" * 16]}))
    elif how == "rejected_by_onnxruntime":  # metadata matches, content is not a model
        (folder / rc.MODEL_FILE).write_bytes(b"\0" * 4096)
        meta["files"][rc.MODEL_FILE] = rc._file_id(folder / rc.MODEL_FILE)
        meta_file.write_text(json.dumps(meta))
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["truncated_weights", "missing_weights", "flipped_weights_head",
                                 "garbage_meta", "no_meta", "other_onnxruntime",
                                 "other_export", "rejected_by_onnxruntime"])
def test_a_stale_or_corrupt_optimised_copy_is_detected_and_rebuilt(tiny, tmp_path, how):
    emb, cache = tiny
    own = _copy(cache, tmp_path)
    source = om.tower_path(own, emb.model_id, "text")
    folder = rc.runtime_dir(source)
    _damage(folder, how)
    if how != "rejected_by_onnxruntime":  # that one only onnxruntime can tell
        assert rc.check(folder, om.TowerMeta.read(source)) is not None
    enc = om.OnnxEncoder(emb.model_id, own)  # answers from the export, rebuilds the copy
    assert (enc.encode_text(["a dog"]) * emb.encode_text(["a dog"])).sum() > 0.99999
    assert rc.check(folder, om.TowerMeta.read(source)) is None
    again = om.OnnxEncoder(emb.model_id, own)  # and the rebuilt copy serves the next one
    assert np.allclose(again.encode_text(["a dog"]), enc.encode_text(["a dog"]), atol=1e-6)


def test_a_copy_made_by_an_older_onnxruntime_is_replaced_not_kept_beside(tiny, tmp_path):
    emb, cache = tiny
    own = _copy(cache, tmp_path)
    source = om.tower_path(own, emb.model_id, "text")
    folder = rc.runtime_dir(source)
    old = folder.with_name("text.ort1.0.0")
    folder.rename(old)
    assert om.OnnxEncoder(emb.model_id, own).open_tower("text")
    assert rc.check(folder, om.TowerMeta.read(source)) is None
    assert not old.exists()


def test_each_tower_session_is_built_on_its_first_use(tiny, monkeypatch):
    """An image query never builds the text session (nor reads the vocabulary); a text
    query builds it once."""
    emb, cache = tiny
    opened: list[str] = []
    real = rc.open_session
    monkeypatch.setattr(rc, "open_session",
                        lambda src, tower, **k: opened.append(tower) or real(src, tower, **k))
    enc = om.OnnxEncoder(emb.model_id, cache)
    assert opened == [] and enc.dim == emb.dim
    px = np.zeros((1, emb.image_size, emb.image_size, 3), np.uint8)
    enc.encode_images(px)
    assert opened == ["image"] and not enc.text_tower_open
    assert enc.truncation("a dog") is None
    enc.encode_text(["a dog"])
    enc.encode_text(["a cat"])
    assert opened == ["image", "text"]


def test_a_copy_that_disagrees_with_the_export_is_not_kept(tiny, tmp_path, monkeypatch):
    emb, cache = tiny
    own = _copy(cache, tmp_path)
    source = om.tower_path(own, emb.model_id, "text")
    folder = rc.runtime_dir(source)
    shutil.rmtree(folder)
    monkeypatch.setattr(om, "MIN_COSINE", 1.5)  # nothing can reach it
    sess = rc.open_session(source, "text")  # the query still gets a working session
    assert sess.run(None, rc.probe_feed("text", om.TowerMeta.read(source)))[0].shape[0] == 3
    assert not folder.exists()
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


def test_a_read_only_cache_still_answers_from_the_export(tiny, tmp_path, monkeypatch):
    emb, cache = tiny
    own = _copy(cache, tmp_path)
    source = om.tower_path(own, emb.model_id, "text")
    shutil.rmtree(rc.runtime_dir(source))

    def no_temp(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(rc.tempfile, "mkdtemp", no_temp)
    enc = om.OnnxEncoder(emb.model_id, own)
    assert (enc.encode_text(["a dog"]) * emb.encode_text(["a dog"])).sum() > 0.99999
    assert not rc.runtime_dir(source).exists()


# --- the export a model load runs -----------------------------------------------------------

def test_a_model_load_leaves_a_whole_validated_export(tmp_path):
    from photosearch.core import embedder as emb_mod

    cache = tmp_path / "models"
    emb = emb_mod.load("test-tiny", "none", cache)
    assert emb.onnx_export.done.is_set()  # in the loading thread: nothing left running
    assert emb.onnx_export.result == {"text": "exported", "image": "exported"}
    for tower in om.TOWERS:
        assert om.check(om.tower_path(cache, emb.model_id, tower), emb.model_id, tower,
                        full=True) is None
    assert isinstance(om.load_query_encoder(emb.model_id, cache), om.OnnxEncoder)


def test_a_failed_export_never_fails_the_model_load(tmp_path, monkeypatch):
    from photosearch.core import embedder as emb_mod
    from photosearch.core import onnx_export

    def broken(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(onnx_export, "ensure_exported", broken)
    emb = emb_mod.load("test-tiny", "none", tmp_path / "models")
    assert emb.onnx_export.done.is_set() and emb.onnx_export.result == {}
    assert emb.encode_text(["a dog"]).shape == (1, emb.dim)  # the model works anyway


def test_an_export_left_half_written_by_a_quit_is_cleaned_up_later(tiny, tmp_path):
    """A process killed mid-export leaves a temp file; it must not pile up in the cache,
    but a fresh temp (another process exporting right now) is left alone."""
    import os
    import time

    from photosearch.core import onnx_export

    emb, _ = tiny
    folder = om.tower_path(tmp_path, emb.model_id, "text").parent
    folder.mkdir(parents=True)
    old, fresh = folder / ".text.abc.onnx.tmp", folder / ".text.def.onnx.tmp"
    for f in (old, fresh):
        f.write_bytes(b"half an export")
    hours_ago = time.time() - 2 * onnx_export.STALE_TEMP_SECONDS
    os.utime(old, (hours_ago, hours_ago))
    assert onnx_export.export_tower(emb, "text", tmp_path) is not None
    assert not old.exists() and fresh.exists()


def test_two_loads_of_one_model_export_it_once(tmp_path):
    from photosearch.core import embedder as emb_mod

    cache = tmp_path / "models"
    a = emb_mod.load("test-tiny", "none", cache)
    b = emb_mod.load("test-tiny", "none", cache)
    assert a.onnx_export.wait(300) and b.onnx_export.wait(300)
    assert sorted([a.onnx_export.result["text"], b.onnx_export.result["text"]]) == \
        ["exported", "ok"]


# --- what a cold search imports -------------------------------------------------------------

HEAVY = ("torch", "open_clip", "torchvision", "onnx", "ftfy", "PySide6", "cv2", "rapidocr",
         "sklearn", "scipy")

_PROBE = (
    "import sys, json\n"
    "from photosearch.cli import main\n"
    "tiny = ['--model', 'test-tiny', '--pretrained', 'none']\n"
    "assert main(['--library', sys.argv[1], *tiny, *sys.argv[2:]]) == 0\n"
    "print(json.dumps(sorted(sys.modules)))\n")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """20 shared flickr photos indexed with the tiny model, its export done."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    images = require(FLICKR / "Images")
    root = tmp_path_factory.mktemp("cold_lib")
    (root / "photos").mkdir()
    names = sorted(os.listdir(images))
    for name in names[:20]:
        os.symlink(images / name, root / "photos" / name)
    os.environ["PHOTOSEARCH_CACHE"] = str(root / "cache")  # restored by _isolate per test
    lib = Library.open(resolve_library(root / "library"), **TEST_MODEL)
    assert Indexer(lib).run([str(root / "photos")]).embedded == 20
    assert lib.embedder().onnx_export.wait(300)
    lib.close()
    return root, str(images / names[30])


def _all_modules(root: Path, *argv: str) -> set[str]:
    """Every module a fresh `photosearch --library <root>/library ARGV` process imported."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PHOTOSEARCH_CACHE": str(root / "cache")}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(root / "library"), *argv],
                         capture_output=True, text=True, cwd=REPO, env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().rsplit("\n", 1)[1]))


def _modules(root: Path, *argv: str) -> set[str]:
    """The top-level packages of _all_modules."""
    return {m.split(".")[0] for m in _all_modules(root, *argv)}


def test_a_cold_search_imports_only_what_the_query_needs(library):
    root, outside = library
    every = _all_modules(root, "search", "a dog on the grass", "--limit", "3")
    miss = {m.split(".")[0] for m in every}
    commands = {m for m in every if m in set(cli.COMMAND_MODULES)}
    assert commands <= {"photosearch.cli.search_cmds", "photosearch.cli.validate"}, commands
    assert "onnxruntime" in miss and "hnswlib" in miss  # it did encode and search
    assert not miss & set(HEAVY), miss & set(HEAVY)
    hit = _modules(root, "search", "a dog on the grass", "--limit", "3")  # now cached
    assert not hit & {*HEAVY, "onnxruntime"}, hit & {*HEAVY, "onnxruntime"}
    assert "hnswlib" in hit
    similar = _modules(root, "similar", outside, "--limit", "3")
    assert "onnxruntime" in similar and not similar & set(HEAVY), similar & set(HEAVY)


def test_similar_to_an_outside_image_never_builds_the_text_tower(library):
    """`similar IMAGE` embeds the image only: no tokenizer, no text session."""
    root, outside = library
    mods = _all_modules(root, "similar", outside, "--limit", "3")
    assert "onnxruntime" in mods  # the image was embedded
    assert "photosearch.core.clip_tokenizer" not in mods  # nor its vocabulary read


@pytest.mark.parametrize("where", ["in the library", "a copy elsewhere"])
def test_similar_to_a_library_photo_loads_no_model(library, tmp_path, where):
    """A photo already in the library (or a copy of one: same content) has its vector in
    the catalog: no model at all."""
    root, _ = library
    inside = sorted((root / "photos").iterdir())[0]
    if where == "a copy elsewhere":
        inside = Path(shutil.copy(inside, tmp_path / "copy.jpg"))
    mods = _all_modules(root, "similar", str(inside), "--limit", "3")
    assert "hnswlib" in mods  # it did search
    loaded = mods & {"onnxruntime", "photosearch.core.clip_tokenizer", *HEAVY}
    assert not loaded, loaded


# --- the tokenizer reads only the part of the vocabulary it uses ---------------------------

@pytest.mark.parametrize("n", [0, 1, 3, 5000, 10_000, 20_000])
def test_reading_the_head_of_a_gzipped_vocabulary_matches_reading_all_of_it(tmp_path, n):
    import gzip

    from photosearch.core import clip_tokenizer

    lines = [f"línea {i} ü {'x' * (i % 37)}" for i in range(10_000)]  # > one 64 KiB chunk
    path = tmp_path / "v.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    assert clip_tokenizer._head_lines(path, n) == lines[:n]
    real = clip_tokenizer.vocab_path()
    want = gzip.open(real).read().decode("utf-8").split("\n")[:clip_tokenizer.N_MERGES + 1]
    assert clip_tokenizer._head_lines(real, clip_tokenizer.N_MERGES + 1) == want


# --- the CLI finishes the export the daemon thread started ----------------------------------

def test_a_cli_index_leaves_a_finished_export_behind(tmp_path, monkeypatch):
    """Right after `index` exits, both towers are exported and whole (the next search is
    torch-free)."""
    images = require(FLICKR / "Images")
    (tmp_path / "photos").mkdir()
    for name in sorted(os.listdir(images))[:3]:
        os.symlink(images / name, tmp_path / "photos" / name)
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PHOTOSEARCH_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "library"), "index",
                          str(tmp_path / "photos")],
                         capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    from photosearch.core import weights
    from photosearch.core.paths import resolve_library

    monkeypatch.setenv("PHOTOSEARCH_CACHE", str(cache))
    models = resolve_library(tmp_path / "library").models
    model_id = weights.resolve("test-tiny", "none", models, download=False).model_id
    for tower in om.TOWERS:
        assert om.check(om.tower_path(models, model_id, tower), model_id, tower,
                        full=True) is None
