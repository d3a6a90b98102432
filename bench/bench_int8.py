"""int8 CPU indexing (settings `runtime: onnx-int8`) vs torch: ranking movement and speed.

Two parts, one run, writing the section "int8 CPU indexing" of docs/benchmarks.md:

1. Ranking movement, with the test model (`test-tiny`, random init): the same shared photos
   (../shared/data/flickr8k-1k) indexed once with torch (fp32) and once with onnx-int8 in
   two libraries; per photo the cosine of its int8 vector to its fp32 one, and for caption
   queries (the first caption of every 10th photo; text always goes through the fp32 text
   tower) the overlap of the two libraries' top-10 results.
2. Speed, `ViT-B-32` random init (the random weights make no quality claim): end-to-end
   `photosearch index` of 96 shared photos as a fresh process each time (process start,
   model load, scan, decode, embed, commit), torch and onnx-int8 alternating, a fresh
   library per run, one models cache warmed first (fp32 export and int8 copy built once).

    .venv/bin/python bench/bench_int8.py [--n-quality 300] [--n 96] [--rounds 2] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, write_section  # noqa: E402

FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k"
RUNTIMES = ("torch", "onnx-int8")


def photo_folder(tmp: Path, n: int, name: str) -> Path:
    """The first n shared photos, copied into a temp folder (never into the repo)."""
    dst = tmp / name
    dst.mkdir()
    for p in sorted((FLICKR / "Images").glob("*.jpg"))[:n]:
        shutil.copy(p, dst / p.name)
    return dst


def captions(photos: Path) -> list[str]:
    have = {p.name for p in photos.glob("*.jpg")}
    first: dict[str, str] = {}
    with open(FLICKR / "captions.txt", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["image"] in have:
                first.setdefault(row["image"], row["caption"].strip(" ."))
    names = sorted(first)
    return [first[n] for n in names[::10]]


def quality(tmp: Path, n: int) -> str:
    os.environ["PHOTOSEARCH_CACHE"] = str(tmp / "cache-quality")
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.core.search import Searcher

    photos = photo_folder(tmp, n, "quality")
    queries = captions(photos)
    libs = {}
    for rt in RUNTIMES:
        lib = Library.open(resolve_library(tmp / f"lib-{rt}"), model="test-tiny",
                           pretrained="none", runtime=rt, device="cpu")
        report = Indexer(lib).run([str(photos)])
        assert report.embedded == n and lib.runtime == rt, (report, lib.runtime_note)
        libs[rt] = lib
    fp32, int8 = libs["torch"], libs["onnx-int8"]
    cos = []
    for p in sorted(photos.glob("*.jpg")):
        h = fp32.catalog.hash_of(str(p))
        cos.append(float(fp32.catalog.embedding(h, fp32.model_id)
                         @ int8.catalog.embedding(h, int8.model_id)))
    overlap, top1 = [], 0
    for q in queries:
        a = [r.hash for r in Searcher(fp32).search(q, limit=10).results]
        b = [r.hash for r in Searcher(int8).search(q, limit=10).results]
        overlap.append(len(set(a) & set(b)) / 10)
        top1 += a[0] == b[0]
    for lib in libs.values():
        lib.close()
    c = np.array(cos)
    ov = np.array(overlap)
    return (
        f"**Ranking movement** (`test-tiny`, random init: the numbers say how much int8 "
        f"moves vectors and rankings, nothing about search quality): {n} shared photos "
        f"indexed with torch (fp32) and with onnx-int8. Per-photo cosine int8 to fp32: "
        f"mean **{c.mean():.4f}**, min {c.min():.4f}, 5th percentile "
        f"{np.percentile(c, 5):.4f}. {len(queries)} caption queries (text through the fp32 "
        f"text tower in both): top-10 overlap mean **{ov.mean():.2f}** (min {ov.min():.1f}), "
        f"same top-1 in {top1}/{len(queries)}.\n")


def _index_once(tmp: Path, photos: Path, cache: Path, runtime: str, run: int
                ) -> tuple[float, float, int]:
    lib = tmp / f"speed-lib-{runtime}-{run}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PHOTOSEARCH_CACHE": str(cache),
           "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "photosearch", "--library", str(lib), "--model", "ViT-B-32",
           "--pretrained", "none", "--device", "cpu", "index", str(photos),
           "--runtime", runtime]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    wall = time.perf_counter() - t0
    if out.returncode != 0 or "refused" in out.stderr:
        raise SystemExit(f"{runtime} run failed:\n{out.stdout}\n{out.stderr}")
    m = re.search(r"(\d+) embedded.* in ([\d.]+)s", out.stdout)
    assert m, out.stdout
    shutil.rmtree(lib, ignore_errors=True)
    return wall, float(m.group(2)), int(m.group(1))


def speed(tmp: Path, n: int, rounds: int) -> str:
    photos = photo_folder(tmp, n, "speed")
    cache = tmp / "cache-speed"
    t0 = time.perf_counter()
    for rt in RUNTIMES:  # warm-up: fp32 export (torch run), int8 copy (int8 run)
        _index_once(tmp, photos, cache, rt, -1)
    warm = time.perf_counter() - t0
    load0 = os.getloadavg()[0]
    runs: dict[str, list[tuple[float, float]]] = {rt: [] for rt in RUNTIMES}
    for r in range(rounds):
        for rt in (RUNTIMES if r % 2 == 0 else RUNTIMES[::-1]):
            wall, indexing, embedded = _index_once(tmp, photos, cache, rt, r)
            assert embedded == n, (rt, embedded)
            runs[rt].append((wall, indexing))
    load1 = os.getloadavg()[0]
    rows = []
    base_wall = statistics.median(w for w, _ in runs["torch"])
    base_idx = statistics.median(i for _, i in runs["torch"])
    for rt in RUNTIMES:
        walls = [w for w, _ in runs[rt]]
        idx = [i for _, i in runs[rt]]
        rows.append(f"| {rt} | {statistics.median(walls):.1f} ({', '.join(f'{w:.1f}' for w in walls)}) "
                    f"| {statistics.median(idx):.1f} | {n / statistics.median(idx):.1f} "
                    f"| {base_wall / statistics.median(walls):.2f}x "
                    f"| {base_idx / statistics.median(idx):.2f}x |")
    overlap = max(w for w, _ in runs["onnx-int8"]) > min(w for w, _ in runs["torch"])
    verdict = ("The runs' wall-time ranges overlap: this run does not settle the ratio."
               if overlap else "The runs' wall-time ranges do not overlap.")
    int8_file = next(cache.rglob("image-int8.onnx"))
    fp32_file = int8_file.with_name("image.onnx")
    return (
        f"**Speed** (`ViT-B-32`, random init, created locally; speed does not depend on the "
        f"weight values, and the random weights make no quality claim): end-to-end "
        f"`photosearch index` of {n} shared photos (flickr8k originals, about 500x375) as a "
        f"fresh process, {rounds} alternating rounds after a warm-up of each (warm-up, "
        f"including the fp32 ONNX export and the int8 quantisation: {warm:.0f} s). 1-minute "
        f"load average {load0:.1f} before, {load1:.1f} after: the 2-core box was shared with "
        "other jobs, so ratios from one run are indicative only.\n\n"
        "| runtime | process wall s, median (runs) | indexing s (as printed) | photos/s "
        "| wall vs torch | indexing vs torch |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n\n" + verdict + " Both runtimes load the torch model "
        "(text stays fp32) and check the fp32 ONNX export in the background; onnx-int8 also "
        "opens and validates the int8 copy at load. "
        f"Image tower files: fp32 {fp32_file.stat().st_size >> 20} MB, int8 "
        f"{int8_file.stat().st_size >> 20} MB. \"indexing s\" is what `index` prints (from "
        "the start of the run: model load, scan, decode, embed, commit); the wall time adds "
        "the process start and imports.\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-quality", type=int, default=300)
    ap.add_argument("--n", type=int, default=96)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if not FLICKR.is_dir():
        sys.exit(f"needs {FLICKR}")
    tmp = Path(tempfile.mkdtemp(prefix="bench_int8_"))
    try:
        body = quality(tmp, args.n_quality) + "\n" + speed(tmp, args.n, args.rounds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    body += (f"\n{machine()}. Policy: torch stays the default; onnx-int8 is opt-in "
             "(`index --runtime onnx-int8`), under its own model id.\n")
    print(body)
    if not args.no_write:
        write_section("int8 CPU indexing",
                      " ".join([".venv/bin/python bench/bench_int8.py", *sys.argv[1:]]), body)


if __name__ == "__main__":
    main()
