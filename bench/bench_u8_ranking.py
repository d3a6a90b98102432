"""How far the u8 image tower (core/quantised_tower.py, the CPU indexing default) moves
vectors and rankings from the fp32 export, and its model-only speed, in one run.

Both towers of each model come from the model's own ONNX export (made by a torch load when
missing). The shared photos (../shared/data/flickr8k-1k) are decoded once as indexing does,
embedded in batches of 32 by the fp32 export and by its u8 copy, alternating batch by batch;
then for caption queries (the first caption of every 10th photo, through the fp32 text tower)
the top-10 of the two sets of vectors are compared. Random-init weights: the numbers say how
much u8 moves things, nothing about search quality.

    .venv/bin/python bench/bench_u8_ranking.py [--n 300] [--models test-tiny,ViT-B-32-256]
        [--no-write]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, measure_and_report  # noqa: E402
from bench_int8 import captions, photo_folder  # noqa: E402


def _sessions(cache: Path, model: str) -> tuple[object, int]:
    """The model's OnnxEncoder (fp32) after making its export if needed, and image size."""
    from photosearch.core import onnx_models as om
    from photosearch.core.embedder import load
    from photosearch.core.library import model_id_for

    model_id = model_id_for(model, "none")
    if om.check(om.tower_path(cache, model_id, "image"), model_id, "image"):
        emb = load(model, "none", cache, "cpu")
        assert emb.onnx_export.wait(900), "export failed"
    enc = om.load_query_encoder(model_id, cache)
    assert enc is not None and enc.open_tower("image") and enc.open_tower("text")
    return enc, enc.image_size


def _one_model(tmp: Path, model: str, photos: Path, queries: list[str]) -> str:
    from photosearch.core import imaging
    from photosearch.core import onnx_models as om
    from photosearch.core import quantised_tower as qt

    cache = tmp / "cache" / "models"
    enc, size = _sessions(cache, model)
    t0 = time.perf_counter()
    u8, cosine = qt.open_copy(cache, enc.model_id, size, qt.U8)
    build_s = time.perf_counter() - t0
    files = sorted(photos.glob("*.jpg"))
    px = np.stack([imaging.decode_file(str(p), size, hashes=False).pixels for p in files])
    fp32_vecs, u8_vecs, secs = [], [], {"fp32": 0.0, "u8": 0.0}
    for b in range(0, len(px), 32):
        batch = px[b:b + 32]
        t = time.perf_counter()
        fp32_vecs.append(enc.encode_images(batch))  # L2-normalised
        secs["fp32"] += time.perf_counter() - t
        t = time.perf_counter()
        u8_vecs.append(np.asarray(u8.run(None, {"pixels": batch})[0], np.float32))
        secs["u8"] += time.perf_counter() - t
    a = np.concatenate(fp32_vecs)
    b = np.concatenate(u8_vecs)
    cos = om.row_cosines(a, b)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    overlap, top1, shift, spread = [], 0, [], []
    for q in queries:
        t = enc.encode_query(q)
        sa, sb = a @ t, b @ t
        ta, tb = np.argsort(-sa)[:10], np.argsort(-sb)[:10]
        overlap.append(len(set(ta) & set(tb)) / 10)
        top1 += int(ta[0] == tb[0])
        # a library holding both kinds of vectors: would u8 photos score systematically
        # higher or lower than fp32 ones? (mean shift against the spread of the scores)
        shift.append(float((sb - sa).mean()))
        spread.append(float(sa.std()))
    ov = np.array(overlap)
    n = len(files)
    return (f"| {model} | {cos.mean():.5f} | {cos.min():.5f} | {cosine:.5f} | {ov.mean():.2f} "
            f"({ov.min():.1f}) | {top1}/{len(queries)} | {np.mean(np.abs(shift)):.5f} / "
            f"{np.mean(spread):.5f} | {n / secs['fp32']:.1f} | "
            f"{n / secs['u8']:.1f} | {secs['fp32'] / secs['u8']:.2f}x | {build_s:.1f} |")


def measure(args: argparse.Namespace, tmp: Path) -> str:
    os.environ["PHOTOSEARCH_CACHE"] = str(tmp / "cache")
    photos = photo_folder(tmp, args.n, "photos")
    queries = captions(photos)
    load0 = os.getloadavg()
    rows = [_one_model(tmp, m, photos, queries) for m in args.models.split(",")]
    load1 = os.getloadavg()
    return (
        f"{args.n} shared photos decoded once, embedded in batches of 32 by each model's fp32 "
        f"ONNX export and by its u8 copy (alternating batch by batch), 2 onnxruntime threads "
        f"by default; {len(queries)} caption queries through the fp32 text tower, top-10 by "
        f"cosine over the photos. Random init (no quality claim). {machine()}. 1-minute load "
        f"average {load0[0]:.1f} before, {load1[0]:.1f} after.\n\n"
        "| model | per-photo cosine u8 to fp32 (mean) | min | checked at build (min, "
        "validation pixels) | top-10 overlap mean (min) | same top-1 | mean score shift u8 - fp32 "
        "/ spread of scores (std) | fp32 photos/s | u8 photos/s | u8 / fp32 | build s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--models", default="test-tiny,ViT-B-32-256")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    measure_and_report("CPU image tower: 8-bit weights", __file__, measure, args,
                       sys.argv[1:])


if __name__ == "__main__":
    main()
