"""Re-indexing an unchanged library: no decoding, and seconds for 10,000 files.

    .venv/bin/python bench/bench_rescan.py [--n 10000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    from photosearch.core import imaging
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    work = Path(tempfile.mkdtemp(prefix="bench-rescan-"))
    try:
        photos = work / "photos"
        rng = np.random.default_rng(0)
        for i in range(args.n):  # 100 per folder, like camera imports
            d = photos / f"{i // 100:03d}"
            d.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 255, (32, 32, 3), np.uint8)).save(d / f"{i:05d}.jpg")
        lib = Library.open(resolve_library(work / "lib"), model="test-tiny", pretrained="none")
        t = time.perf_counter()
        first = Indexer(lib).run([str(photos)])
        first_s = time.perf_counter() - t
        assert first.embedded == args.n, first
        decodes = []
        real = imaging.decode_for_model
        imaging.decode_for_model = lambda *a, **k: decodes.append(1) or real(*a, **k)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            again = Indexer(lib).run()
            times.append(time.perf_counter() - t)
            assert again.unchanged == args.n and again.embedded == 0
        lib.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    body = (f"{args.n:,} files in {args.n // 100} folders, test-tiny model.\n\n"
            f"| run | seconds |\n|---|---|\n| first index (decode + embed) | {first_s:.1f} |\n"
            f"| re-index, nothing changed (median of 3) | **{sorted(times)[1]:.2f}** |\n\n"
            f"Decodes during the re-index runs: {len(decodes)} (scan compares size + mtime "
            "with the catalog; the model is not even loaded).\n")
    print(body)
    write_section("Re-index of an unchanged library", f".venv/bin/python bench/bench_rescan.py "
                  f"--n {args.n}", body)


if __name__ == "__main__":
    main()
