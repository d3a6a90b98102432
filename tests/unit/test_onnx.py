"""The torch-free query path: tokenizer, ONNX export/validation/rebuild, and search parity."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from photosearch.core import clip_tokenizer
from photosearch.core import onnx_models as om
from tests.conftest import FLICKR, REPO, TEST_MODEL, require

# Adversarial tokenizer corpus: accents, combining marks, emoji (ZWJ sequences, flags,
# skin tones), CJK, RTL, full-width forms, mojibake ftfy repairs, html entities (double
# escaped), odd whitespace, contractions, digits, the special tokens typed by a user,
# and texts far over the 77-token context.
CORPUS = [
    "a dog", "A DOG On The BEACH", "", "   ", "\t\n\r", "x",
    "Café crème brûlée à la française", "naïve façade coöperate", "e\u0301 vs \u00e9",
    "🐶🐱 emoji 👩‍👩‍👧‍👦 family 🇫🇷 flag 👍🏽", "🎉🎉🎉",
    "日本語のテキスト、中文字符", "한국어 문장", "مرحبا بالعالم", "שלום עולם",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ", "Ångström ß İstanbul ΣΊΣΥΦΟΣ",
    "Ã©tÃ© mojibake â€œquotedâ€\x9d", "&amp;amp; &lt;b&gt;bold&lt;/b&gt; &#128512; &eacute;",
    "tabs\tand\u00a0nbsp\u2003em-space\u200bzero-width", "line\nbreaks\n\n\nmany",
    "don't it's we've I'm you'll they'd she's", "DON'T IT'S", "12345 3.14159 1,000,000 2023-01-01",
    "<start_of_text> typed <end_of_text> tokens", "photo_of_a_cat.jpg", "#hashtag @user http://x.y/z?q=1",
    "a very long description of a beach at sunset with people " * 12,
    " ".join(f"word{i}" for i in range(200)), "🐶" * 120, "supercalifragilisticexpialidocious" * 5,
]


@pytest.fixture(scope="module")
def tokenizer():
    return clip_tokenizer.ClipTokenizer()


def test_tokenizer_ids_are_identical_to_open_clip(tokenizer):
    import open_clip

    ref = open_clip.get_tokenizer("test-tiny")
    assert type(ref).__name__ == "SimpleTokenizer"  # the BPE this module re-implements
    want = ref(CORPUS).numpy()
    got = tokenizer(CORPUS)
    assert got.dtype == np.int64 and got.shape == want.shape == (len(CORPUS), 77)
    for text, g, w in zip(CORPUS, got, want, strict=True):
        assert g.tolist() == w.tolist(), repr(text)
    for text in CORPUS:  # untruncated ids too (truncation notices count them)
        assert tokenizer.encode(text) == ref.encode(text), repr(text)
    # over-long texts are cut to the context and still end with the end token
    long = got[CORPUS.index(CORPUS[-3])]
    assert long[-1] == tokenizer.eot_token_id and (long != 0).all()
    assert tokenizer(["a"], context_length=16).shape == (1, 16)
    assert (tokenizer(["a b c"], context_length=16) == ref(["a b c"], context_length=16)
            .numpy()).all()


def test_plain_ascii_skips_ftfy_because_ftfy_leaves_it_unchanged():
    import random

    import ftfy

    rng = random.Random(0)
    chars = [chr(c) for c in range(0x20, 0x7F) if chr(c) != "&"]
    for _ in range(5000):
        s = "".join(rng.choice(chars) for _ in range(rng.randint(0, 40)))
        assert ftfy.fix_text(s) == s, repr(s)
        assert clip_tokenizer.clean(s) == " ".join(s.split()).lower()


def test_tokenizer_and_onnx_encoder_modules_never_import_torch():
    code = ("import sys\n"
            "from photosearch.core import clip_tokenizer, onnx_models\n"
            "ids = clip_tokenizer.get()(['a dog on a beach'])\n"
            "assert ids[0, 0] == 49406, ids\n"
            "bad = [m for m in ('torch', 'open_clip') if m in sys.modules]\n"
            "assert not bad, bad\n"
            "assert 'ftfy' not in sys.modules  # plain ASCII needs no ftfy\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert out.returncode == 0, out.stderr


# --- export, validation, corruption ----------------------------------------------------

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny model loaded with torch, its towers exported into a module cache dir."""
    from photosearch.core import embedder as emb_mod

    cache = tmp_path_factory.mktemp("models")
    emb = emb_mod.load("test-tiny", "none", cache)  # load() exports both towers...
    assert emb.onnx_export.wait(300)
    return emb, cache


def _pixels(n: int, size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def test_loading_a_model_exports_both_towers_that_match_torch(tiny):
    emb, cache = tiny
    for tower in om.TOWERS:
        path = om.tower_path(cache, emb.model_id, tower)
        assert om.check(path, emb.model_id, tower, full=True) is None
        meta = json.loads(path.with_suffix(".json").read_text())
        assert meta["model_id"] == "test-tiny/none" and meta["tower"] == tower
        assert meta["opset"] == om.OPSET and meta["cosine"] >= om.MIN_COSINE
        assert meta["dim"] == emb.dim and meta["random_weights"] is True
        assert not list(path.parent.glob("*.tmp"))  # no temp file left behind
    enc = om.OnnxEncoder(emb.model_id, cache)
    assert (enc.dim, enc.image_size, enc.context_length) == (emb.dim, emb.image_size, 77)
    texts = CORPUS[:12] + [CORPUS[-4]]
    a, b = enc.encode_text(texts), emb.encode_text(texts)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.99999
    px = _pixels(5, emb.image_size)
    a, b = enc.encode_images(px), emb.encode_images(px)
    assert (a * b).sum(axis=1).min() > 0.99999
    long = CORPUS[-4]
    assert enc.truncation(long).tokens == emb.truncation(long).tokens
    assert enc.truncation("a dog") is None
    assert np.array_equal(enc.encode_query("a dog"), enc.encode_query("a dog"))


def test_an_intact_export_is_kept_and_not_rewritten(tiny):
    from photosearch.core.onnx_export import ensure_exported

    emb, cache = tiny
    path = om.tower_path(cache, emb.model_id, "text")
    before = path.stat().st_mtime_ns
    assert ensure_exported(emb, cache) == {"text": "ok", "image": "ok"}
    assert path.stat().st_mtime_ns == before


@pytest.mark.parametrize("damage", ["flip_middle_byte", "truncate", "garbage_meta",
                                    "no_meta", "other_model", "old_opset"])
def test_a_corrupt_or_stale_export_is_detected_and_rebuilt(tiny, tmp_path, damage):
    from photosearch.core.onnx_export import ensure_exported

    emb, cache = tiny
    own = tmp_path / "models"
    shutil.copytree(cache, own)
    path = om.tower_path(own, emb.model_id, "text")
    meta_file = path.with_suffix(".json")
    meta = json.loads(meta_file.read_text())
    if damage == "flip_middle_byte":  # same size, same head and tail: only sha256 sees it
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "garbage_meta":
        meta_file.write_text("{not json")
    elif damage == "no_meta":
        meta_file.unlink()
    elif damage == "other_model":
        meta_file.write_text(json.dumps({**meta, "model_id": "ViT-B-32/none"}))
    elif damage == "old_opset":
        meta_file.write_text(json.dumps({**meta, "opset": om.OPSET - 3}))
    assert om.check(path, emb.model_id, "text", full=True) is not None
    assert ensure_exported(emb, own) == {"text": "exported", "image": "ok"}
    assert om.check(path, emb.model_id, "text", full=True) is None
    enc = om.OnnxEncoder(emb.model_id, own)
    assert (enc.encode_text(["a dog"]) * emb.encode_text(["a dog"])).sum() > 0.99999


def test_a_file_onnxruntime_rejects_is_discarded_and_queries_fall_back(tiny, tmp_path):
    """Metadata that matches a file which is not a model (e.g. replaced by another
    program): the query path removes it and answers with torch instead."""
    emb, cache = tiny
    own = tmp_path / "models"
    shutil.copytree(cache, own)
    path = om.tower_path(own, emb.model_id, "text")
    path.write_bytes(b"\0" * 4096)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta.update(size=4096, fingerprint=om.fingerprint(path), sha256=om.sha256(path))
    path.with_suffix(".json").write_text(json.dumps(meta))
    assert om.check(path, emb.model_id, "text") is None  # looks fine until loaded
    enc = om.load_query_encoder(emb.model_id, own)
    assert enc is not None  # its sessions are built on first use
    assert enc.open_tower("text") is False
    with pytest.raises(om.OnnxUnavailable):
        enc.encode_text(["a dog"])
    assert not path.exists()  # discarded, so the next model load re-exports it


def test_an_export_that_disagrees_with_torch_is_discarded(tiny, tmp_path, monkeypatch, caplog):
    from photosearch.core import onnx_export

    emb, _ = tiny
    monkeypatch.setattr(om, "MIN_COSINE", 1.5)  # nothing can reach it
    with caplog.at_level(logging.WARNING):
        assert onnx_export.export_tower(emb, "text", tmp_path) is None
    assert "disagrees with torch" in caplog.text
    folder = om.model_dir(tmp_path, emb.model_id)
    assert not list(folder.iterdir())  # neither the file nor a temp file is left


def test_onnx_can_be_switched_off(tiny, monkeypatch):
    emb, cache = tiny
    monkeypatch.setenv(om.DISABLE_ENV, "0")
    assert om.load_query_encoder(emb.model_id, cache) is None


# --- the library's query path ------------------------------------------------------------

@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """60 shared flickr photos indexed with the tiny model (torch), ONNX exported."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    images = require(FLICKR / "Images")
    root = tmp_path_factory.mktemp("onnx_lib")
    photos = root / "photos"
    photos.mkdir()
    names = sorted(os.listdir(images))
    for name in names[:60]:
        os.symlink(images / name, photos / name)
    os.environ["PHOTOSEARCH_CACHE"] = str(root / "cache")  # restored by _isolate per test
    lib = Library.open(resolve_library(root / "library"), **TEST_MODEL)
    report = Indexer(lib).run([str(photos)])
    assert report.embedded == 60
    assert lib.embedder().onnx_export.wait(300)
    lib.close()
    return root, [str(images / n) for n in names[60:63]]


def _open(root: Path, monkeypatch):
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    monkeypatch.setenv("PHOTOSEARCH_CACHE", str(root / "cache"))
    return Library.open(resolve_library(root / "library"), **TEST_MODEL)


QUERIES = ["a dog running on grass", "two children playing in the water", "a man on a bike",
           '"beach" -"people"', "red", "🐶 a dog at the beach in the evening sun"]


def test_search_results_are_identical_on_the_onnx_and_torch_paths(indexed, monkeypatch):
    from photosearch.core.search import Searcher

    root, outside = indexed
    onnx_lib = _open(root, monkeypatch)
    torch_lib = _open(root, monkeypatch)
    try:
        torch_lib.cpu_onnx = False  # the torch path, not the ONNX export
        torch_lib.embedder()
        assert isinstance(onnx_lib.query_encoder(), om.OnnxEncoder)
        assert not isinstance(torch_lib.query_encoder(), om.OnnxEncoder)
        a, b = Searcher(onnx_lib), Searcher(torch_lib)
        for q in QUERIES:
            ra, rb = a.search(q, limit=10).results, b.search(q, limit=10).results
            assert [r.hash for r in ra] == [r.hash for r in rb], q
            assert np.allclose([r.score for r in ra], [r.score for r in rb], atol=1e-4)
        for path in outside:  # not in the library: embedded by the image tower
            ra, rb = a.similar(path, limit=10).results, b.similar(path, limit=10).results
            assert [r.hash for r in ra] == [r.hash for r in rb], path
        assert not onnx_lib.embedder_loaded  # the ONNX side never loaded the torch model
    finally:
        onnx_lib.close()
        torch_lib.close()


def test_a_query_is_answered_while_the_model_is_still_loading(indexed, monkeypatch):
    """The app loads torch in the background holding the library's model lock; a query
    must not wait for it when the ONNX export exists."""
    from photosearch.core.search import Searcher

    root, _ = indexed
    lib = _open(root, monkeypatch)
    held, release = threading.Event(), threading.Event()

    def loading_model() -> None:
        with lib._model_lock:
            held.set()
            release.wait(60)

    loader = threading.Thread(target=loading_model)
    loader.start()
    try:
        assert held.wait(30)
        # would block until release (60 s) if the query path waited for the model lock
        assert len(Searcher(lib).search("a dog", limit=5).results) == 5
        assert not release.is_set() and loader.is_alive()
    finally:
        release.set()
        loader.join()
        lib.close()


def test_cli_search_and_similar_never_import_torch(indexed):
    root, outside = indexed
    code = (
        "import sys\n"
        "from photosearch.cli import main\n"
        "lib = sys.argv[1]\n"
        "tiny = ['--model', 'test-tiny', '--pretrained', 'none']\n"
        "assert main(['--library', lib, *tiny, 'search', 'a dog', '--limit', '3']) == 0\n"
        "assert main(['--library', lib, *tiny, 'similar', sys.argv[2], '--limit', '3']) == 0\n"
        "assert main(['--library', lib, *tiny, 'labels', 'add', 'dogs', '--prompt', 'a dog'"
        "]) == 0\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'open_clip',"
        " 'torchvision'))\n"
        "assert not bad, bad[:5]\n"
        "assert 'onnxruntime' in sys.modules\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PHOTOSEARCH_CACHE": str(root / "cache")}
    out = subprocess.run([sys.executable, "-c", code, str(root / "library"), outside[0]],
                         capture_output=True, text=True, cwd=REPO, env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n") >= 6, out.stdout  # two pages of 3 results


def test_the_installer_bundles_onnxruntime_and_the_vocabulary():
    sys.path.insert(0, str(REPO / "installer"))
    import bundle_contents as bc

    # the 8-bit image tower is built with onnxruntime.quantization, imported lazily
    assert {"onnxruntime", "onnx", "onnxruntime.quantization"} <= set(bc.hidden_imports())
    assert "photosearch.core.onnx_models" in bc.hidden_imports()
    assert any(src.endswith(clip_tokenizer.VOCAB_NAME) for src, _ in bc.package_datas())


def test_a_repeated_query_is_answered_from_the_catalog_without_any_model(indexed, tmp_path):
    """The query cache: the second process asking the same text loads neither onnxruntime
    nor torch, and gets the same page."""
    root, _ = indexed
    cache = tmp_path / "empty-cache"  # no ONNX files, no weights: only the catalog can answer
    code = (
        "import sys, json\n"
        "from photosearch.cli import main\n"
        "tiny = ['--model', 'test-tiny', '--pretrained', 'none']\n"
        "assert main(['--library', sys.argv[1], *tiny, 'search', sys.argv[2], '--limit', '5',"
        " '--json']) == 0\n"
        "heavy = [m for m in ('torch', 'onnxruntime') if m in sys.modules]\n"
        "print(json.dumps(heavy))\n")
    query = "a cached query about a dog " * 15  # over the context: the notice is cached too

    def search(cache_dir: Path) -> tuple[list, list, str]:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PHOTOSEARCH_CACHE": str(cache_dir)}
        out = subprocess.run([sys.executable, "-c", code, str(root / "library"), query],
                             capture_output=True, text=True, cwd=REPO, env=env, timeout=180)
        assert out.returncode == 0, out.stderr
        page, heavy = out.stdout.strip().rsplit("\n", 1)
        return [r["hash"] for r in json.loads(page)], json.loads(heavy), out.stderr

    first, heavy, err1 = search(root / "cache")
    assert heavy == ["onnxruntime"] and "truncated" in err1
    again, heavy, err2 = search(cache)
    assert again == first and heavy == [] and "truncated" in err2


def test_the_query_cache_is_bounded(fake_library, monkeypatch):
    from photosearch.core import query_cache

    monkeypatch.setattr(query_cache, "MAX_ENTRIES", 20)
    cat = fake_library.catalog
    for i in range(50):
        query_cache.store(cat, "m/x", f"q{i}", np.full(4, i, np.float32), 0, 77)
    kept = [i for i in range(50) if query_cache.lookup(cat, "m/x", f"q{i}") is not None]
    assert 0 < len(kept) <= 20 and 49 in kept and 0 not in kept
    vec, tokens, limit = query_cache.lookup(cat, "m/x", "q49")
    assert vec.tolist() == [49.0] * 4 and (tokens, limit) == (0, 77)
    assert query_cache.lookup(cat, "other/model", "q49") is None


def test_the_tokenizers_merge_ranks_equal_a_plain_table_of_the_merges(tokenizer):
    """rank() finds a pair's priority through the vocabulary instead of a pair table:
    every merge gets its line number, and no other split of any token is a merge."""
    merges = clip_tokenizer._head_lines(clip_tokenizer.vocab_path(),
                                        clip_tokenizer.N_MERGES + 1)[1:]
    table = {tuple(m.split()): i for i, m in enumerate(merges)}
    assert tokenizer._ranks is None  # CLIP's own file takes the fast way
    for pair, i in table.items():
        assert tokenizer.rank(pair) == i
    for token in tokenizer.encoder:
        for cut in range(1, len(token)):
            pair = (token[:cut], token[cut:])
            assert tokenizer.rank(pair) == table.get(pair, float("inf")), pair


def test_a_vocabulary_with_a_repeated_token_falls_back_to_a_pair_table(tmp_path):
    """Another merges file (a token made by two different merges) cannot use the vocabulary
    shortcut: the tokenizer builds the plain pair table and still encodes."""
    import gzip

    lines = clip_tokenizer._head_lines(clip_tokenizer.vocab_path(),
                                       clip_tokenizer.N_MERGES + 1)
    lines.insert(2, lines[1])  # "i n" twice: the token "in" twice
    path = tmp_path / "vocab.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines[:clip_tokenizer.N_MERGES + 1]))
    tok = clip_tokenizer.ClipTokenizer(path)
    assert tok._ranks is not None
    assert tok.rank(tuple(lines[1].split())) == 1  # the last one, as open_clip's table does
    assert tok(["a dog"]).shape == (1, 77)
