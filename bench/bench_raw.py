"""RAW decode speed: the embedded preview (fast path) against a demosaic, per file.

Builds 24-megapixel DNGs (6000x4000 RGGB mosaic, 16-bit, ~46 MB) from a real Flickr8k photo
with tests/dng.py: one with a camera-sized 1620x1080 JPEG preview, one with a 160x120
thumbnail only (too small for the model, so the RAW is demosaiced). Times
imaging.decode_for_model at the model size (224), the grid thumbnail (256), and, for
reference, the same scene as a 24 MP camera JPEG (draft mode). Median of --runs.

    .venv/bin/python bench/bench_raw.py [--runs 3] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import statistics
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

from photosearch.core import imaging  # noqa: E402
from tests.dng import jpeg_bytes, write_dng  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    imaging.setup_decoders()
    src = sorted(PHOTOS.glob("*.jpg"))[0]
    scene = Image.open(src).convert("RGB").resize((6000, 4000), Image.Resampling.BICUBIC)
    rgb = np.asarray(scene)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        big = write_dng(d / "preview.dng", rgb, preview=jpeg_bytes(scene.resize((1620, 1080))))
        small = write_dng(d / "thumb.dng", rgb, preview=jpeg_bytes(scene.resize((160, 120))))
        jpg = d / "camera.jpg"
        jpg.write_bytes(jpeg_bytes(scene, quality=92))

        def model(p: Path):
            return lambda: imaging.decode_for_model(str(p), 224)

        def thumb(p: Path):
            return lambda: imaging.thumbnail(str(p), 256)

        cases = [("DNG, 1620x1080 preview", big),
                 ("DNG, 160x120 thumbnail only (demosaic, half size)", small),
                 ("camera JPEG, 6000x4000 (draft mode)", jpg)]
        rows = [(name, p.stat().st_size / 2**20, timed(model(p), args.runs),
                 timed(thumb(p), args.runs)) for name, p in cases]
    fast = rows[0][2]
    lines = [f"24 MP scene from `{src.name}` (Flickr8k), {args.runs} runs each (median), one "
             "process, one thread. The machine was shared with other jobs (load average "
             f"{os.getloadavg()[0]:.1f} at the end of the run): compare the ratios within this table, not absolute "
             "times across sections.", "",
             "| file | size | decode for the model (224 px) | grid thumbnail (256 px) | "
             "vs preview |", "|---|---|---|---|---|"]
    for name, size, t_model, t_thumb in rows:
        lines.append(f"| {name} | {size:.0f} MiB | {t_model * 1000:.0f} ms | "
                     f"{t_thumb * 1000:.0f} ms | {t_model / fast:.1f}x |")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("RAW decoding", "python bench/bench_raw.py --runs "
                      f"{args.runs}", body)


if __name__ == "__main__":
    main()
