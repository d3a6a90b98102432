"""CPU image-tower runtimes side by side: torch eager vs onnxruntime fp32 vs onnxruntime int8.

The model is an open_clip architecture with random weights created locally (speed does not
depend on weight values; no download). Inputs are real photos from
../shared/data/flickr8k-1k decoded at model resolution, so the int8-vs-fp32 agreement is
measured on real pixels. Runtimes are timed alternately (round-robin) in one process, each
on the same batches, after one warm-up batch each.

    .venv/bin/python bench/bench_onnx_runtime.py [--model ViT-B-32] [--n 64] [--batch 32]
        [--rounds 3] [--no-write]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, write_section  # noqa: E402

FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"


def decode(n: int, size: int) -> np.ndarray:
    from photosearch.core import imaging

    out = []
    for p in sorted(FLICKR.glob("*.jpg"))[:n]:
        out.append(imaging.decode_for_model(io.BytesIO(p.read_bytes()), size, mtime=0).pixels)
    return np.stack(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="ViT-B-32")
    ap.add_argument("--n", type=int, default=64, help="photos (a multiple of --batch)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    load = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench_onnx_"))
    try:
        body = measure(args, tmp, load)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(body)
    if not args.no_write:
        write_section("CPU image-tower runtimes",
                      " ".join([".venv/bin/python bench/bench_onnx_runtime.py", *sys.argv[1:]]),
                      body)


def measure(args: argparse.Namespace, tmp: Path, load: float) -> str:
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from photosearch.core import embedder as emb_mod
    from photosearch.core import onnx_models as om
    from photosearch.core.onnx_export import export_tower

    t0 = time.perf_counter()
    emb = emb_mod.load(args.model, "none", tmp, device="cpu", export_onnx=False)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fp32_path = export_tower(emb, "image", tmp)
    export_s = time.perf_counter() - t0
    assert fp32_path is not None, "export failed"
    int8_path = fp32_path.with_name("image-int8.onnx")
    t0 = time.perf_counter()
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    quant_s = time.perf_counter() - t0
    px = decode(args.n, emb.image_size)
    batches = [px[i:i + args.batch] for i in range(0, len(px), args.batch)]

    sessions = {"onnxruntime fp32": om.session(fp32_path),
                "onnxruntime int8": om.session(int8_path)}

    def run_torch(b: np.ndarray) -> np.ndarray:
        return emb.encode_images(b)

    def runner(sess):
        def run(b: np.ndarray) -> np.ndarray:
            f = sess.run(None, {"pixels": b})[0]
            return f / np.linalg.norm(f, axis=1, keepdims=True)
        return run

    runtimes = {"torch eager fp32": run_torch,
                **{k: runner(s) for k, s in sessions.items()}}
    outputs: dict[str, np.ndarray] = {}
    for name, fn in runtimes.items():  # warm-up, and the embeddings compared below
        outputs[name] = np.concatenate([fn(b) for b in batches])
    times: dict[str, list[float]] = {k: [] for k in runtimes}
    best: dict[str, float] = {k: 0.0 for k in runtimes}  # fastest single batch, photos/s
    for _ in range(args.rounds):
        for name, fn in runtimes.items():
            t0 = time.perf_counter()
            for b in batches:
                tb = time.perf_counter()
                fn(b)
                best[name] = max(best[name], len(b) / (time.perf_counter() - tb))
            times[name].append(len(px) / (time.perf_counter() - t0))

    ref = outputs["torch eager fp32"]
    base = statistics.median(times["torch eager fp32"])
    rows = []
    for name in runtimes:
        cos = (outputs[name] * ref).sum(axis=1)
        rate = statistics.median(times[name])
        rows.append(f"| {name} | {rate:.1f} | {min(times[name]):.1f}-{max(times[name]):.1f} "
                    f"| {best[name]:.1f} | {rate / base:.2f}x "
                    f"| {best[name] / best['torch eager fp32']:.2f}x "
                    f"| {cos.mean():.6f} | {cos.min():.6f} |")
    int8_vs_fp32 = (outputs["onnxruntime int8"] * outputs["onnxruntime fp32"]).sum(axis=1)
    size = {p.name: p.stat().st_size >> 20 for p in (fp32_path, int8_path)}
    body = (
        f"Image tower of `{args.model}` (random init, created locally), {len(px)} real photos "
        f"from flickr8k-1k decoded at {emb.image_size} px, batch {args.batch}, "
        f"{args.rounds} alternating rounds, median photos/s (model only, no decode). "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), onnxruntime "
        f"{ort.__version__}. {machine()}. 1-minute load average {load:.1f} at start: the box "
        "was shared with other jobs, so ratios from one run are indicative only.\n\n"
        "| runtime | photos/s (median) | range | best batch | vs torch (median) "
        "| vs torch (best batch) | mean cosine to torch | min cosine |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "The best-batch column is the least disturbed by other jobs on a shared box.\n\n"
        f"int8 vs onnxruntime fp32: mean cosine {int8_vs_fp32.mean():.4f}, min "
        f"{int8_vs_fp32.min():.4f}. Model load {load_s:.1f} s, ONNX export of the image "
        f"tower {export_s:.1f} s, int8 quantisation {quant_s:.1f} s; files "
        f"{size[fp32_path.name]} MB fp32, {size[int8_path.name]} MB int8.\n")
    fastest = max(best, key=lambda k: best[k])
    body += (
        f"\nFastest by best batch in this run: **{fastest}**. Policy (photosearch indexes with "
        "torch on the CPU): onnxruntime is used for indexing only if it is clearly faster in "
        "a run on a quiet box; fp32 embeddings of the two runtimes are interchangeable "
        "(cosine above 0.9999, the same model id), int8 ones are not (mean cosine about "
        "0.99 to fp32 changes rankings) and would need their own model id.\n")
    return body


if __name__ == "__main__":
    main()
