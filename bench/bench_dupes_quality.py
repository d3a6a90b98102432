"""Quality of the "same photo" tier (perceptual part) on a constructed near-duplicate set.

From ../shared/data/flickr8k-1k: for each of N originals make copies by JPEG recompression
(q 50-95), resize (25-75 %), crop (<= 10 %), format conversion (PNG/WebP), EXIF rotation
(pixels stored rotated + orientation tag), slight brightness change, and a "messenger"
copy (resize 50 % + q 60); every other photo of the set is a distractor. The set is
generated into a temp dir (never committed), indexed with --no-embed (no model: the
perceptual part alone), and grouped at several thresholds.

Reported: pairwise precision / recall over photos, recall per transformation (copy grouped
with its original), false-merge rate (groups mixing different source photos) and the share
of distractors wrongly grouped. The embedding part is not measured here: it needs real CLIP
weights, which this environment cannot download (a random model says nothing about it).

    .venv/bin/python bench/bench_dupes_quality.py [--originals 200] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"
TRANSFORMS = ("jpeg_q50_95", "resize_25_75", "crop_le10", "convert_png_webp", "exif_rotate",
              "brightness", "messenger")


def make_copy(img: Image.Image, kind: str, rng: np.random.Generator, dst: Path) -> Path:
    w, h = img.size
    if kind == "jpeg_q50_95":
        img.save(dst := dst.with_suffix(".jpg"), quality=int(rng.integers(50, 96)))
    elif kind == "resize_25_75":
        s = rng.uniform(0.25, 0.75)
        img.resize((max(8, round(w * s)), max(8, round(h * s))), Image.Resampling.LANCZOS) \
            .save(dst := dst.with_suffix(".jpg"), quality=90)
    elif kind == "crop_le10":
        fx, fy = rng.uniform(0.02, 0.10, size=2)  # fraction removed per dimension
        lx, ty = rng.uniform(0, 1, size=2)
        left, top = round(w * fx * lx), round(h * fy * ty)
        right, bottom = w - round(w * fx * (1 - lx)), h - round(h * fy * (1 - ty))
        img.crop((left, top, right, bottom)).save(dst := dst.with_suffix(".jpg"), quality=90)
    elif kind == "convert_png_webp":
        if rng.random() < 0.5:
            img.save(dst := dst.with_suffix(".png"))
        else:
            img.save(dst := dst.with_suffix(".webp"), quality=85)
    elif kind == "exif_rotate":
        turn, tag = (Image.Transpose.ROTATE_90, 6) if rng.random() < 0.5 else \
            (Image.Transpose.ROTATE_270, 8)
        exif = Image.Exif()
        exif[0x0112] = tag  # viewers rotate it back: displays like the original
        img.transpose(turn).save(dst := dst.with_suffix(".jpg"), quality=92, exif=exif.tobytes())
    elif kind == "brightness":
        f = rng.choice([-1, 1]) * rng.uniform(0.04, 0.10) + 1
        ImageEnhance.Brightness(img).enhance(f).save(dst := dst.with_suffix(".jpg"), quality=90)
    elif kind == "messenger":
        img.resize((w // 2, h // 2), Image.Resampling.BILINEAR) \
            .save(dst := dst.with_suffix(".jpg"), quality=60)
    else:
        raise ValueError(kind)
    return dst


def build_set(root: Path, n_originals: int, seed: int) -> dict[str, tuple[str, str]]:
    """Writes the set; returns path -> (source id, transformation or 'original')."""
    rng = np.random.default_rng(seed)
    sources = sorted(FLICKR.glob("*.jpg"))
    if len(sources) < n_originals:
        sys.exit(f"need {n_originals} photos in {FLICKR}")
    truth = {}
    for i, src in enumerate(sources):
        dst = root / "originals" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
        truth[str(dst)] = (src.stem, "original")
        if i >= n_originals:
            continue  # a distractor
        with Image.open(src) as im:
            img = im.convert("RGB")
        for kind in TRANSFORMS:
            (root / "copies" / kind).mkdir(parents=True, exist_ok=True)
            out = make_copy(img, kind, rng, root / "copies" / kind / src.stem)
            truth[str(out)] = (src.stem, kind)
    return truth


def evaluate(groups, truth) -> dict:
    """Pairwise precision/recall over files, per-transformation recall, false merges."""
    by_source = defaultdict(list)
    for path, (src, _) in truth.items():
        by_source[src].append(path)
    true_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_source.values())
    group_of = {}
    pred_pairs = tp = mixed = 0
    for gi, g in enumerate(groups):
        paths = [p for it in g.items for p in (it.path, *it.copies)]
        for p in paths:
            group_of[p] = gi
        srcs = [truth[p][0] for p in paths]
        mixed += len(set(srcs)) > 1
        pred_pairs += len(paths) * (len(paths) - 1) // 2
        tp += sum(1 for a, b in combinations(srcs, 2) if a == b)
    per_kind = Counter()
    per_kind_total = Counter()
    originals = {src: p for p, (src, kind) in truth.items() if kind == "original"}
    for p, (src, kind) in truth.items():
        if kind == "original":
            continue
        per_kind_total[kind] += 1
        o = originals[src]
        per_kind[kind] += p in group_of and group_of.get(o) == group_of[p]
    with_copies = {src for src, kind in truth.values() if kind != "original"}
    distractors = [p for p, (src, k) in truth.items() if k == "original" and src not in with_copies]
    wrongly = sum(1 for p in distractors if p in group_of)
    return {
        "precision": tp / pred_pairs if pred_pairs else 1.0,
        "recall": tp / true_pairs if true_pairs else 1.0,
        "groups": len(groups), "mixed": mixed,
        "false_merge_rate": mixed / len(groups) if groups else 0.0,
        "distractors_grouped": wrongly / len(distractors) if distractors else 0.0,
        "per_kind": {k: per_kind[k] / per_kind_total[k] for k in TRANSFORMS},
    }


def chance_matches(lib, truth) -> str:
    """How often two *different* photos fall within each threshold: all pairs of the distinct
    originals (benchmark-only brute force), to extrapolate false merges to big libraries."""
    from photosearch.core.phash_index import hamming, parse_hex

    originals = [p for p, (_, kind) in truth.items() if kind == "original"]
    states = lib.catalog.file_states()
    hashes = [states[p].hash for p in originals]
    rows = {h: (ph, dh) for h, ph, dh in lib.catalog.conn.execute(
        "SELECT hash, phash, dhash FROM photos")}
    ph, _ = parse_hex([rows[h][0] for h in hashes])
    dh, _ = parse_hex([rows[h][1] for h in hashes])
    iu = np.triu_indices(len(hashes), 1)
    dp = hamming(ph[:, None], ph[None, :])[iu]
    dd = hamming(dh[:, None], dh[None, :])[iu]
    n_pairs = dp.size
    lines = [f"Chance matches among the {len(hashes)} distinct originals ({n_pairs:,} pairs of "
             "different photos): pairs within the thresholds, and the rate per pair, which "
             "times N^2/2 estimates chance pairs in a library of N photos (real libraries are "
             "less varied than this set, so treat it as a lower bound).", "",
             "| phash max | pairs (phash only) | rate | pairs (and dhash <= 16) | rate |",
             "|---|---|---|---|---|"]
    for p in (6, 8, 10, 12, 14):
        a = int((dp <= p).sum())
        b = int(((dp <= p) & (dd <= 16)).sum())
        lines.append(f"| {p} | {a} | {a / n_pairs:.1e} | {b} | {b / n_pairs:.1e} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--originals", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args()

    from photosearch.core.duplicates import DupeSettings, DuplicateFinder
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    with tempfile.TemporaryDirectory(prefix="dupes-quality-") as tmp:
        t = time.perf_counter()
        truth = build_set(Path(tmp) / "set", args.originals, args.seed)
        t_build = time.perf_counter() - t
        lib = Library.open(resolve_library(Path(tmp) / "lib"), model="none-needed",
                           pretrained="none")
        t = time.perf_counter()
        report = Indexer(lib, embed=False).run([str(Path(tmp) / "set")])
        t_index = time.perf_counter() - t
        assert report.problems == 0, lib.catalog.problems()
        rows = []
        default = DupeSettings()
        grid = [(p, d) for p in (4, 6, 8, 10, 12, 14) for d in (64, 20, 16, 12)]
        for p, d in grid:
            s = DupeSettings(same_phash_max=p, same_dhash_max=d,
                             same_group_phash_max=max(default.same_group_phash_max, p + 4))
            t = time.perf_counter()
            groups = DuplicateFinder(lib, s).find(("same",)).groups["same"]
            elapsed = time.perf_counter() - t
            rows.append((p, d, evaluate(groups, truth), elapsed))
            m = rows[-1][2]
            print(f"phash<={p:2d} dhash<={d:2d}: P={m['precision']:.4f} R={m['recall']:.4f} "
                  f"false-merge={m['false_merge_rate']:.4f} distractors={m['distractors_grouped']:.4f} "
                  f"{elapsed:.2f}s", flush=True)
        chance = chance_matches(lib, truth)
        lib.catalog.close()
    n_files = len(truth)
    body = _table(rows, default, n_files, args, t_build, t_index) + "\n\n" + chance
    print(body)
    if not args.no_write:
        write_section("Duplicates: same-photo quality (perceptual part)",
                      f".venv/bin/python bench/bench_dupes_quality.py --originals {args.originals}"
                      f" --seed {args.seed}", body)


def _table(rows, default, n_files, args, t_build, t_index) -> str:
    n_copies = args.originals * len(TRANSFORMS)
    lines = [
        f"{n_files} files: {args.originals} flickr8k originals with {len(TRANSFORMS)} copies "
        f"each ({n_copies} copies) + {n_files - args.originals - n_copies} distractor "
        f"originals. Generated in a temp dir ({t_build:.0f} s), indexed with no model "
        f"({t_index:.0f} s). 'same' tier, perceptual hashes only (no embeddings). "
        f"Defaults: phash <= {default.same_phash_max}, dhash <= {default.same_dhash_max}.",
        "",
        "| phash max | dhash max | precision | recall | false-merge rate | distractors grouped | "
        + " | ".join(TRANSFORMS) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(TRANSFORMS),
    ]
    for p, d, m, _ in rows:
        mark = "**" if (p, d) == (default.same_phash_max, default.same_dhash_max) else ""
        lines.append(
            f"| {mark}{p}{mark} | {mark}{'off' if d >= 64 else d}{mark} | {m['precision']:.3f} | "
            f"{m['recall']:.3f} | {m['false_merge_rate']:.3f} ({m['mixed']}/{m['groups']}) | "
            f"{m['distractors_grouped']:.3f} | "
            + " | ".join(f"{m['per_kind'][k]:.2f}" for k in TRANSFORMS) + " |")
    lines += [
        "",
        "Precision/recall are pairwise over files (a pair is right when both come from one "
        "source photo). Per-transformation columns: share of those copies grouped with their "
        "original. False-merge rate: share of groups mixing photos of different sources. "
        "Not measured: what the embedding part (veto below cosine "
        f"{default.same_min_cosine}, rescue up to phash {default.same_rescue_phash_max} at "
        f"cosine >= {default.same_rescue_cosine}) adds; that needs real CLIP weights, which "
        "this environment cannot download. Its thresholds are therefore uncalibrated.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
