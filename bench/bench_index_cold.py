"""Indexing from a cold process: photosearch (ONNX export on the CPU, and torch) vs rclip
3.3.0, on the same folder of large JPEGs, alternating, in one run.

Each timed run is a fresh process indexing the whole folder into an empty library (rclip:
its database removed first), so the figure includes interpreter start, imports, model
load, scan, decode, embedding and the catalog. Both tools use ViT-B-32-256 with random
weights created locally (speed does not depend on the weight values; no quality claim).
photosearch's ONNX export is made once beforehand by a torch index of a few other photos
(what a first run does), the u8 copy of its image tower (quantised_tower.U8, the CPU
default, same model id) by a first ONNX index, and the int8 copy by a first `--runtime
onnx-int8` index (int8 vectors have their own model id: an opt-in); the fp32 ONNX row runs
with PHOTOSEARCH_U8=0 (the CPU default before the u8 copy), the torch rows run with PHOTOSEARCH_ONNX=0 (what every run did
before the export was used for indexing). rclip gets the same architecture as ONNX files
(bench_cold_start.export_for_rclip) and is looked for at --rclip (default
/tmp/rclip-venv/bin/rclip; `python3 -m venv /tmp/rclip-venv && /tmp/rclip-venv/bin/pip
install rclip==3.3.0`).

    .venv/bin/python bench/bench_index_cold.py [--n 96] [--rounds 2] [--size 4000x3000]
        [--cases onnx,fp32,torch,int8,rclip] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, measure_and_report  # noqa: E402
from bench_cold_start import FLICKR, MODEL, run  # noqa: E402

ONNX = "photosearch index (ONNX Runtime, CPU: u8 image tower, the default)"
FP32 = "photosearch index (ONNX Runtime, CPU, fp32 image tower: PHOTOSEARCH_U8=0)"
TORCH = "photosearch index (torch, CPU)"
INT8 = "photosearch index --runtime onnx-int8 (opt-in)"
RCLIP = "rclip 3.3.0 indexing"


def make_photos(dst: Path, n: int, size: tuple[int, int]) -> int:
    """The first n flickr8k photos upscaled to `size` (JPEG quality 90); total bytes."""
    from PIL import Image

    dst.mkdir()
    for src in sorted(FLICKR.glob("*.jpg"))[:n]:
        with Image.open(src) as im:
            im.convert("RGB").resize(size, Image.Resampling.BICUBIC).save(
                dst / src.name, quality=90)
    return sum(p.stat().st_size for p in dst.iterdir())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=96)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--size", default="4000x3000")
    ap.add_argument("--rclip", default="/tmp/rclip-venv/bin/rclip")
    ap.add_argument("--cases", default="onnx,fp32,torch,int8,rclip",
                    help="rows to run (torch is the reference of the 'vs torch' column)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    measure_and_report("Indexing from a cold process", __file__, measure, args, sys.argv[1:])


def measure(args: argparse.Namespace, tmp: Path) -> str:
    w, h = (int(x) for x in args.size.split("x"))
    photos = tmp / "photos"
    total_bytes = make_photos(photos, args.n, (w, h))
    env = dict(os.environ, PHOTOSEARCH_CACHE=str(tmp / "cache"), HF_HUB_OFFLINE="1",
               PYTHONPATH=str(ROOT), RCLIP_DATADIR=str(tmp / "rclip-data"))
    env.pop("PHOTOSEARCH_ONNX", None)
    torch_env = dict(env, PHOTOSEARCH_ONNX="0")

    def ps(library: Path) -> list[str]:
        return [sys.executable, "-m", "photosearch", "--library", str(library),
                "--model", MODEL, "--pretrained", "none", "--device", "cpu", "index",
                str(photos)]

    first = tmp / "first"  # a first run on other photos: loads torch, exports both towers
    first.mkdir()
    for src in sorted(FLICKR.glob("*.jpg"))[args.n:args.n + 4]:
        shutil.copy(src, first / src.name)
    export_s, _, _ = run([*ps(tmp / "first-library")[:-1], str(first)], env, tmp)
    # the u8 and int8 copies of the image tower (each built once, at its first index)
    run([*ps(tmp / "first-u8")[:-1], str(first)], env, tmp)
    run([*ps(tmp / "first-int8")[:-1], str(first), "--runtime", "onnx-int8"], env, tmp)

    wanted = set(args.cases.split(","))
    every: dict[str, tuple[str, list[str] | None, dict, Path]] = {
        ONNX: ("onnx", None, env, tmp), FP32: ("fp32", None, dict(env, PHOTOSEARCH_U8="0"), tmp),
        TORCH: ("torch", None, torch_env, tmp), INT8: ("int8", None, env, tmp)}
    cases = {k: v[1:] for k, v in every.items() if v[0] in wanted}
    rclip = Path(args.rclip)
    if rclip.is_file() and "rclip" in wanted:
        run([sys.executable, str(ROOT / "bench" / "bench_cold_start.py"), "--export-rclip",
             str(tmp / "rclip-data")], env, tmp)
        cases[RCLIP] = ([str(rclip), "-t", "1", "indexing"], env, photos)
    load0 = os.getloadavg()
    times: dict[str, list[float]] = {k: [] for k in cases}
    rss: dict[str, list[float]] = {k: [] for k in cases}
    names = list(cases)
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # rotate who goes first
        for name in order:
            cmd, e, cwd = cases[name]
            if cmd is None:
                cmd = ps(tmp / f"library-{names.index(name)}-{len(times[name])}")
                if name == INT8:
                    cmd += ["--runtime", "onnx-int8"]
            else:
                (tmp / "rclip-data" / "db.sqlite3").unlink(missing_ok=True)
            wall, peak, out = run(cmd, e, cwd)
            if name != RCLIP:
                m = re.search(r"(\d+) embedded", out)
                assert m and int(m.group(1)) == args.n, out[-2000:]
            times[name].append(wall)
            rss[name].append(peak)
    load1 = os.getloadavg()
    return report(args, times, rss, load0, load1, total_bytes, export_s, (w, h))


def _ratio(med: dict[str, float], reference: str, k: str) -> str:
    return f"{med[reference] / med[k]:.2f}x" if reference in med else "-"


def report(args, times, rss, load0, load1, total_bytes, export_s, size) -> str:
    med = {k: statistics.median(v) for k, v in times.items()}
    rows = "\n".join(
        f"| {k} | {med[k]:.1f} | {', '.join(f'{t:.1f}' for t in v)} | {args.n / med[k]:.2f} "
        f"| {statistics.median(rss[k]):.0f} | {_ratio(med, TORCH, k)} |"
        for k, v in times.items())
    ratio = ""
    if RCLIP in med and ONNX in med:
        others = "; ".join(f"{label}: {_ratio(med, RCLIP, k)}" for k, label in
                           ((FP32, "fp32 image tower"), (TORCH, "torch path"),
                            (INT8, "opt-in int8")) if k in med)
        ratio = (f"photosearch (ONNX, default) vs rclip, median wall: "
                 f"**{_ratio(med, RCLIP, ONNX)}** rclip's speed ({others}).")
    return (
        f"{args.n} flickr8k photos upscaled to {size[0]}x{size[1]} JPEG (q90, "
        f"{total_bytes / args.n / 1e6:.1f} MB each), each run a fresh process indexing all "
        f"of them into an empty library; {args.rounds} alternating rounds (order rotated). "
        f"Model {MODEL}, random init, both tools. The one-time ONNX export (a torch index of "
        f"4 other photos) took {export_s:.1f} s before the timed runs. {machine()}. "
        f"1-minute load average {load0[0]:.1f} before, {load1[0]:.1f} after (a shared "
        f"2-core box: read the ratios of this one run, not the absolute times).\n\n"
        "| run | wall s (median) | runs | photos/s | peak RSS MB | vs torch |\n"
        "|---|---|---|---|---|---|\n" + rows + "\n\n" + ratio + "\n")


if __name__ == "__main__":
    main()
