"""The OCR engine: rapidocr 3.10 on onnxruntime, with only the models bundled in its wheel.

Imported lazily (onnxruntime + OpenCV cost ~1.5 s and ~150 MB): nothing here loads until
`OcrEngine.read` is first called. The three bundled model files are checked against pinned
SHA-256 hashes before use, and every model path is passed explicitly, so rapidocr never
reaches for its downloader (it downloads any non-default model at run time).

Quirk guarded: in rapidocr 3.10 per-call options stick to the engine object (after one
`use_rec=False` call every later call returns boxes only), so every call passes all of
use_det/use_cls/use_rec.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

RAPIDOCR_SERIES = "3.10"
# The models rapidocr 3.10 ships (its default_models.yaml lists the same hashes).
BUNDLED_MODELS = {
    "det": ("PP-OCRv6_det_small.onnx",
            "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    "rec": ("PP-OCRv6_rec_small.onnx",
            "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_mobile.onnx",
            "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
}
INSTALL_HINT = "install the OCR extra: pip install 'photosearch[ocr]'"


class OcrUnavailable(Exception):
    """The OCR engine cannot run here; str() says why and what to do."""


@dataclass(frozen=True)
class OcrLine:
    """One recognised text line; box is 4 (x, y) corners in the pixels of the image read."""

    text: str
    score: float
    box: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class OcrOptions:
    """Speed knobs. det_side: the detector's input is scaled so its LONGER side is at most
    this (no upscaling); 0 = rapidocr's default (shorter side scaled UP to 736), which
    bench/bench_text.py measured slower for the same recall on 500-1000 px photos.
    threads: onnxruntime intra-op threads; 0 = all cores. box_thresh / unclip_ratio /
    det_thresh: the detector's box score cut, box growth and pixel threshold (rapidocr's
    defaults; bench/bench_text_real.py tries others on real photos)."""

    det_side: int = 640
    threads: int = 1
    min_score: float = 0.5
    box_thresh: float = 0.5
    unclip_ratio: float = 1.6
    det_thresh: float = 0.3
    # also scale the detector input UP to det_side on the longer side: small photos (500 px
    # web/Flickr ones) then give their text as many detector pixels as rapidocr's default
    # (which scales the shorter side up to 736) at a fraction of its cost on large photos
    det_upscale: bool = False


def engine_version() -> str:
    """What read a photo: rapidocr's version and the bundled model hashes. A text record
    made by another version is read again. Cheap: no model is loaded."""
    try:
        from importlib.metadata import version

        v = version("rapidocr")
    except Exception:  # noqa: BLE001 - not installed: a version that matches nothing stored
        v = "missing"
    models = "+".join(sha[:10] for _, sha in BUNDLED_MODELS.values())
    return f"rapidocr-{v}/{models}"


def available() -> str | None:
    """None when OCR can run, else the reason (without importing the engine)."""
    from importlib.util import find_spec

    for mod in ("rapidocr", "onnxruntime", "cv2"):
        if find_spec(mod) is None:
            return f"{mod} is not installed; {INSTALL_HINT}"
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def bundled_model_paths() -> dict[str, Path]:
    """Paths of the bundled models after checking their hashes; raises OcrUnavailable."""
    from importlib.util import find_spec

    spec = find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise OcrUnavailable(f"rapidocr is not installed; {INSTALL_HINT}")
    root = Path(next(iter(spec.submodule_search_locations))) / "models"
    out: dict[str, Path] = {}
    for task, (name, sha) in BUNDLED_MODELS.items():
        path = root / name
        if not path.is_file():
            raise OcrUnavailable(f"the OCR model {name} is missing from the rapidocr package "
                                 f"(rapidocr {RAPIDOCR_SERIES}.x ships it); reinstall it")
        got = _sha256(path)
        if got != sha:
            raise OcrUnavailable(f"the OCR model {path} does not match its expected hash "
                                 f"({got[:12]} != {sha[:12]}); reinstall rapidocr "
                                 f"{RAPIDOCR_SERIES}.x")
        out[task] = path
    return out


class OcrEngine:
    """Reads text lines from RGB pixels. Thread-safe (one call at a time)."""

    def __init__(self, options: OcrOptions | None = None):
        self.options = options or OcrOptions()
        self._engine = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return engine_version()

    def load(self):
        """Import and build the engine (idempotent); raises OcrUnavailable."""
        with self._lock:
            if self._engine is None:
                self._engine = self._build()
            return self._engine

    def _build(self):
        reason = available()
        if reason:
            raise OcrUnavailable(reason)
        paths = bundled_model_paths()
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise OcrUnavailable(f"cannot import rapidocr ({exc}); {INSTALL_HINT}") from exc
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)  # "no text found" is no warning
        opts = self.options
        params: dict = {
            "Global.log_level": "error",
            "Global.text_score": opts.min_score,
            "Det.model_path": str(paths["det"]),
            "Rec.model_path": str(paths["rec"]),
            "Cls.model_path": str(paths["cls"]),
            "Det.box_thresh": opts.box_thresh,
            "Det.unclip_ratio": opts.unclip_ratio,
            "Det.thresh": opts.det_thresh,
            "EngineConfig.onnxruntime.intra_op_num_threads": opts.threads or -1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1 if opts.threads else -1,
        }
        if opts.det_side:
            params["Det.limit_type"] = "max"
            params["Det.limit_side_len"] = opts.det_side
        engine = RapidOCR(params=params)
        # The recogniser's character list must come from the bundled model itself; without
        # it rapidocr would fetch a dictionary file.
        rec = engine._load_rec_model()
        if not rec.session.have_key():
            raise OcrUnavailable("the bundled recognition model has no character list")
        return engine

    def _fit_detector(self, engine, h: int, w: int) -> None:
        """The detector's input for this image: longer side = det_side, down or up."""
        det = engine._load_det_model()
        side = self.options.det_side
        if max(h, w) >= side:
            det.limit_type, det.limit_side_len = "max", side
        else:  # rapidocr only scales up by the shorter side ("min")
            det.limit_type, det.limit_side_len = "min", math.ceil(side * min(h, w) / max(h, w))

    def read(self, rgb: np.ndarray) -> list[OcrLine]:
        """Text lines in an HxWx3 uint8 RGB image, best first as the engine orders them."""
        engine = self.load()
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        with self._lock:
            if self.options.det_upscale and self.options.det_side:
                self._fit_detector(engine, bgr.shape[0], bgr.shape[1])
            # All three flags on every call: they stick between calls in rapidocr 3.10.
            out = engine(bgr, use_det=True, use_cls=True, use_rec=True)
        txts = getattr(out, "txts", None)
        boxes = getattr(out, "boxes", None)
        scores = getattr(out, "scores", None)
        if not txts or boxes is None or scores is None:
            return []
        lines = []
        for text, score, box in zip(txts, scores, boxes, strict=False):
            pts = tuple((float(x), float(y)) for x, y in np.asarray(box).reshape(-1, 2))
            lines.append(OcrLine(str(text), float(score), pts))
        return lines
