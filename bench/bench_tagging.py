"""Auto-tagging cost at library scale: retroactive apply, per-batch tagging while indexing,
tag filters, label views. Writes the "Auto-tagging" section of docs/benchmarks.md.

Embeddings are synthetic unit vectors written straight into a fresh catalog (speed does not
depend on their values); text prototypes come from the real text encoder of --model with
random weights, so prompt-ensemble encoding cost is included once and then cached.

    .venv/bin/python bench/bench_tagging.py --n 100000 --labels 12 --model ViT-B-32
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import write_section  # noqa: E402

from photosearch.core import prompts  # noqa: E402
from photosearch.core.catalog import PhotoInfo  # noqa: E402
from photosearch.core.library import Library  # noqa: E402
from photosearch.core.paths import resolve_library  # noqa: E402
from photosearch.core.tagging import LabelStore, Tagger, tag_new_photos, tagged_hashes  # noqa: E402


def fill(lib: Library, n: int, dim: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    hashes = [f"{i:032x}" for i in range(n)]
    folder = lib.catalog.add_folder("/bench")
    for start in range(0, n, 10_000):
        chunk = hashes[start:start + 10_000]
        vecs = rng.normal(size=(len(chunk), dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        with lib.catalog.transaction():
            lib.catalog.add_photos(PhotoInfo(h, 1, 1, 1, "jpeg", None, None, None, False)
                                   for h in chunk)
            lib.catalog.link_files([(f"/bench/{h}.jpg", h, folder, 1, 1) for h in chunk])
            lib.catalog.add_embeddings(lib.model_id, list(zip(chunk, vecs)))
    return hashes


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--labels", type=int, default=12)
    ap.add_argument("--model", default="ViT-B-32")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(resolve_library(Path(tmp) / "lib"), model=args.model,
                           pretrained="none", device="cpu")
        dim = lib.embedder().dim
        t_fill, hashes = timed(lambda: fill(lib, args.n, dim))
        store = LabelStore(lib.catalog)
        starter = list(prompts.starter_labels("all").items())[:args.labels]
        tagger = Tagger(lib)
        t_empty, _ = timed(lambda: tag_new_photos(lib, hashes[:256],
                                                  np.zeros((256, dim), np.float32)), 20)
        for name, ps in starter:
            store.add(name, ps)
        t_text, _ = timed(lambda: (tagger.prefetch(store.all()),
                                   [tagger.text_prototype(lab) for lab in store.all()],
                                   tagger.background()))
        t_apply, reports = timed(lambda: tagger.apply())
        batch = hashes[:256]
        vecs = np.stack([lib.catalog.embedding(h, lib.model_id) for h in batch])
        t_batch, _ = timed(lambda: tag_new_photos(lib, batch, vecs), 5)
        first = starter[0][0]
        # a label with examples (adds the nearest-example term)
        lab = store.get(first)
        for h in hashes[:20]:
            tagger.review(first, [h], accept=bool(int(h, 16) % 2))
        t_apply_ex, _ = timed(lambda: tagger.apply([first]))
        t_filter, tagged = timed(lambda: tagged_hashes(lib.catalog, [first]), 5)
        t_views, _ = timed(lambda: tagger.views(lab.name, 100))
        lib.close()
    total_tags = sum(r.tagged for r in reports)
    n_texts = len(prompts.TEMPLATES) * (sum(len(p) for _, p in starter)
                                        + len(prompts.BACKGROUND_FILLERS))
    body = f"""{args.n:,} photos (synthetic {dim}-d unit embeddings in a real catalog), {args.labels}
starter labels, text encoder `{args.model}` (random init), CPU. Catalog fill took {t_fill:.1f} s.

| operation | time |
|---|---|
| per-batch tagging hook with **no labels** (256 photos, indexer `_commit`) | {t_empty * 1e6:.0f} µs |
| encode all prompt ensembles + background once ({args.labels} labels, {n_texts} texts; cached afterwards) | {t_text:.2f} s |
| `labels apply` all {args.labels} labels over {args.n:,} photos | {t_apply:.1f} s ({args.n / t_apply:,.0f} photos/s) |
| per-batch tagging, {args.labels} labels, 256 photos (prototypes cached) | {t_batch * 1e3:.0f} ms |
| `labels apply` one label with 20 review examples | {t_apply_ex:.1f} s |
| `tagged_hashes` (tag filter) for one label ({len(tagged):,} photos) | {t_filter * 1e3:.1f} ms |
| `views` (confident/borderline/rejected) for one label | {t_views:.1f} s |

Random vectors give arbitrary tags ({total_tags:,} in all); only the timings mean anything.
"""
    print(body)
    if not args.no_write:
        write_section("Auto-tagging", "python bench/bench_tagging.py " + " ".join(sys.argv[1:]),
                      body)


if __name__ == "__main__":
    main()
