"""Cold start: one query answered by a fresh process, photosearch (ONNX and torch query
paths) vs rclip 3.3.0, alternating, on the same folder, in one run; plus app launch ->
first results of a query (offscreen, bench/app_first_query.py), and a cold search on a
synthetic 10k-photo library. Indexing 96 x 12 MP JPEGs from a cold process has its own
script, bench/bench_index_cold.py (alternating rounds, every CPU runtime).

Both tools use the same architecture, ViT-B-32-256 with random-init weights created
locally (rclip's own weights would be a download; speed does not depend on weight values):
photosearch exports its ONNX towers itself when `index` loads the model; for rclip this
script exports the same architecture to the ONNX files rclip looks for
(<RCLIP_DATADIR>/ViT-B-32-256-datacomp_s34b_b86k/{visual,textual}.onnx, input "input")
and copies open_clip's BPE vocabulary to <RCLIP_DATADIR>/tokenizer/, so rclip runs offline.

rclip is looked for at --rclip (default /tmp/rclip-venv/bin/rclip; create it with
`python3 -m venv /tmp/rclip-venv && /tmp/rclip-venv/bin/pip install rclip==3.3.0`).
Without it the rclip rows are left out and the report says so.

Measured per fresh process: wall time from spawn to exit, and peak RSS (os.wait4's
ru_maxrss). Photos: the first --n photos of ../shared/data/flickr8k-1k (copied to a temp
dir); the `similar` query image is a flickr photo outside that set, so both tools embed it.

    .venv/bin/python bench/bench_cold_start.py [--n 96] [--runs 5] [--torch] [--big 10000]
        [--no-write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

# Every timed run asks a text not asked before (a query asked before is answered from
# photosearch's catalog cache without any model, which the "repeated query" row measures).
QUERIES = ["a dog running on grass", "children playing at the beach", "a red car in a street",
           "mountains at sunset", "a man riding a bicycle", "two cats on a sofa",
           "people dancing at a party", "a boat on a lake", "snow on the trees"]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, measure_and_report  # noqa: E402

FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"
MODEL = "ViT-B-32-256"
RCLIP_SUBDIR = "ViT-B-32-256-datacomp_s34b_b86k"


def run(cmd: list[str], env: dict, cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout + stderr) of one fresh process. Peak RSS comes
    from GNU time, a small process: a child forked straight from this one (which holds
    torch) would inherit its high-water mark in ru_maxrss."""
    with tempfile.NamedTemporaryFile() as rss, tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd], env=env,
                              cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode(errors="replace")
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {text[-2000:]}")
        kib = int(Path(rss.name).read_text().split()[-1])
    return wall, kib / 1024, text


def export_for_rclip(datadir: Path) -> None:
    """rclip's two ONNX files for a random-init ViT-B-32-256, and the BPE vocabulary."""
    import open_clip
    import torch

    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = open_clip.create_model(MODEL, pretrained=None).eval()
    target = datadir / RCLIP_SUBDIR
    target.mkdir(parents=True, exist_ok=True)

    class Tower(torch.nn.Module):
        def __init__(self, visual: bool):
            super().__init__()
            self.model, self.visual = model, visual

        def forward(self, x):
            return self.model.encode_image(x) if self.visual else self.model.encode_text(x)

    torch.backends.mha.set_fastpath_enabled(False)
    examples = {"visual": (Tower(True), torch.zeros(1, 3, 256, 256)),
                "textual": (Tower(False), open_clip.tokenize(["a dog"]))}
    for name, (module, example) in examples.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (example,), str(target / f"{name}.onnx"),
                              input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "n"}, "output": {0: "n"}},
                              opset_version=17, dynamo=False)
    vocab = Path(open_clip.__file__).with_name("bpe_simple_vocab_16e6.txt.gz")
    (datadir / "tokenizer").mkdir(exist_ok=True)
    shutil.copy(vocab, datadir / "tokenizer" / vocab.name)
    with gzip.open(vocab) as fh:  # fail here, not inside rclip, if it is unreadable
        fh.read(16)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=96)
    ap.add_argument("--runs", type=int, default=5)

    ap.add_argument("--rclip", default="/tmp/rclip-venv/bin/rclip")
    ap.add_argument("--torch", action="store_true", help="also time the torch query path")
    ap.add_argument("--big", type=int, default=10_000,
                    help="photos in the synthetic library (0: leave it out)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--export-rclip", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.export_rclip:  # in its own process: this one must stay small (see run())
        export_for_rclip(Path(args.export_rclip))
        return

    measure_and_report("Cold start", __file__, measure, args, sys.argv[1:])


def measure(args: argparse.Namespace, tmp: Path) -> str:
    load = os.getloadavg()[0]
    photos = tmp / "photos"
    photos.mkdir()
    sources = sorted(FLICKR.glob("*.jpg"))
    for src in sources[:args.n]:
        shutil.copy(src, photos / src.name)
    probe = sources[args.n]  # not in the folder: both tools must embed it
    env = dict(os.environ, PHOTOSEARCH_CACHE=str(tmp / "cache"), HF_HUB_OFFLINE="1",
               PYTHONPATH=str(ROOT), RCLIP_DATADIR=str(tmp / "rclip-data"))
    env.pop("PHOTOSEARCH_ONNX", None)
    ps = [sys.executable, "-m", "photosearch", "--library", str(tmp / "library"),
          "--model", MODEL, "--pretrained", "none", "--device", "cpu"]
    torch_env = dict(env, PHOTOSEARCH_ONNX="0")

    index_s, index_rss, log = run([*ps, "-v", "index", str(photos)], env, tmp)
    big = tmp / "big-library"
    if args.big:
        synthesise(big, args.big, env)
    ps_big = [*ps[:4], str(big), *ps[5:]]
    export_s = sum(float(x) for x in re.findall(r"exported the \w+ tower .* in ([\d.]+) s", log))
    onnx_dir = tmp / "cache" / "models" / "onnx"
    exported = sorted(p.name for p in onnx_dir.glob("*/*.onnx"))

    have_rclip = Path(args.rclip).is_file()
    rclip_note = ""
    # name -> (argv with {q} for the round's query, env, cwd)
    cases: dict[str, tuple[list[str], dict, Path]] = {
        "photosearch search (ONNX)": ([*ps, "search", "{q}", "--limit", "3"], env, tmp),
        "photosearch search, repeated query (catalog cache)":
            ([*ps, "search", "a photo", "--limit", "3"], env, tmp),
        "photosearch similar (ONNX)": ([*ps, "similar", str(probe), "--limit", "3"], env, tmp),
    }
    if args.big:
        cases[f"photosearch search, {args.big:,}-photo library (ONNX)"] = (
            [*ps_big, "search", "{q}", "--limit", "3"], env, tmp)
    cases[APP] = ([sys.executable, str(ROOT / "bench" / "app_first_query.py"),
                   str(tmp / "library"), MODEL, "none", "{q}"], env, tmp)
    if args.torch:
        cases["photosearch search (torch)"] = ([*ps, "search", "{q}", "--limit", "3"],
                                               torch_env, tmp)
        cases["photosearch similar (torch)"] = ([*ps, "similar", str(probe), "--limit", "3"],
                                                torch_env, tmp)
    rclip_index = None
    if have_rclip:
        run([sys.executable, __file__, "--export-rclip", str(tmp / "rclip-data")], env, tmp)
        rclip_index = run([args.rclip, "-t", "1", "indexing"], env, photos)
        cases["rclip search"] = ([args.rclip, "-n", "-t", "3", "{q}"], env, photos)
        cases["rclip similar"] = ([args.rclip, "-n", "-t", "3", str(probe)], env, photos)
    else:
        rclip_note = f"rclip not found at {args.rclip}: its rows are missing. "

    def argv(cmd: list[str], q: str) -> list[str]:
        return [q if a == "{q}" else a for a in cmd]

    results: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
    for cmd, e, cwd in cases.values():  # one untimed run each: warm the file cache
        run(argv(cmd, "a photo"), e, cwd)
    for r in range(args.runs):
        for k, (name, (cmd, e, cwd)) in enumerate(cases.items()):  # alternating
            # a text no case has asked before (the catalog cache would answer it)
            query = f"{QUERIES[r % len(QUERIES)]} {r}{k}"
            wall, rss, out = run(argv(cmd, query), e, cwd)
            if name == APP:  # launch -> first result rows, as the script saw it
                wall = json.loads(out.strip().splitlines()[-1])["results_s"]
            results[name].append((wall, rss))

    def med(name: str, i: int) -> float:
        return statistics.median(r[i] for r in results[name])

    rows = []
    for name in cases:
        walls = [r[0] for r in results[name]]
        rows.append(f"| {name} | {med(name, 0):.2f} | {min(walls):.2f}-{max(walls):.2f} "
                    f"| {med(name, 1):.0f} |")
    ratios = ""
    if have_rclip:
        ratios = (f"photosearch ONNX / rclip, median wall: search "
                  f"{med('photosearch search (ONNX)', 0) / med('rclip search', 0):.2f}x, "
                  f"similar {med('photosearch similar (ONNX)', 0) / med('rclip similar', 0):.2f}x"
                  f". Indexing the {args.n} photos from a cold process: photosearch "
                  f"{index_s:.1f} s (includes the one-time ONNX export of both towers, "
                  f"{export_s:.1f} s), rclip {rclip_index[0]:.1f} s.\n\n")  # type: ignore[index]
    body = (
        "Cold `search QUERY --limit 3` (a new query each round) and `similar IMAGE --limit 3`, "
        f"each a fresh process, {args.runs} alternating rounds after one warm-up round (warm "
        f"OS file cache), library of {args.n} flickr8k-1k photos, model {MODEL} random init "
        f"for both tools. {machine()}. 1-minute load average {load:.1f} at start: the box "
        f"was shared with other jobs, so treat ratios from one run as indicative. "
        f"{rclip_note}\n\n"
        "| command | wall s (median) | range | peak RSS MB (median) |\n|---|---|---|---|\n"
        + "\n".join(rows) + "\n\n" + ratios
        + f"The app row is launch -> first result rows of a typed query (offscreen, "
        f"bench/app_first_query.py; the model loads in the background meanwhile). "
        f"The {args.big:,}-photo library is synthetic (catalog rows and random unit "
        f"vectors through the core API, same model id). photosearch index (torch, first "
        f"run) peak RSS {index_rss:.0f} MB; ONNX files written: {', '.join(exported)}. "
        "Torch rows (--torch) run with PHOTOSEARCH_ONNX=0 (the fallback when no export "
        "exists yet).\n")
    return body


APP = "photosearch app: launch -> first results"


def synthesise(library: Path, n: int, env: dict) -> None:
    """A library of n photos (catalog rows, random unit vectors) through the core API, in
    its own process so this one stays small."""
    code = (
        "import sys, numpy as np\n"
        "from photosearch.core.catalog import PhotoInfo\n"
        "from photosearch.core.library import Library\n"
        "from photosearch.core.paths import resolve_library\n"
        "n = int(sys.argv[2])\n"
        f"lib = Library.open(resolve_library(sys.argv[1]), model={MODEL!r}, "
        "pretrained='none', device='cpu')\n"
        "cat = lib.catalog\n"
        "rng = np.random.default_rng(0)\n"
        "vecs = rng.standard_normal((n, 512)).astype(np.float32)\n"
        "vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)\n"
        "fid = cat.add_folder('/photos')\n"
        "with cat.transaction():\n"
        "    cat.add_photos([PhotoInfo(f'h{i:08d}', 3_000_000, 4000, 3000, 'JPEG', "
        "1.5e9 + i * 3600, None, None, False) for i in range(n)])\n"
        "    cat.link_files([(f'/photos/{i // 1000:03d}/IMG_{i:06d}.jpg', f'h{i:08d}', fid, "
        "3_000_000, 0) for i in range(n)])\n"
        "    cat.add_embeddings(lib.model_id, [(f'h{i:08d}', vecs[i]) for i in range(n)])\n"
        "cat.set_meta(f'dim:{lib.model_id}', '512')\n"
        "assert len(lib.index()) == n\n"
        "lib.close()\n")
    subprocess.run([sys.executable, "-c", code, str(library), str(n)], env=env, check=True)


if __name__ == "__main__":
    main()
