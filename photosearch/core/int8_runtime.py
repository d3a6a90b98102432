"""Opt-in CPU indexing on an int8 copy of the exported image tower (settings `runtime`).

`runtime: "onnx-int8"` embeds photos with onnxruntime on a dynamically quantised copy
(onnxruntime.quantization.quantize_dynamic, int8 weights) of the fp32 image tower that
``onnx_export`` writes beside every torch model load. The copy is built once, next to the
export (``<models cache>/onnx/<model>/image-int8.onnx`` and its ``.json``), in a temp file
renamed into place, and validated against the fp32 export on fixed pixels when it is
built (the cosine is kept in its metadata; later loads check the file's fingerprint):
mean cosine >= MIN_MEAN_COSINE, else it is refused (Int8Refused, with a message saying
why) and the library indexes in fp32 as before.

int8 vectors are close to fp32 ones but NOT interchangeable with them (mean cosine about
0.99 moves rankings), so a library on this runtime stores its embeddings under its own
model id, the fp32 id plus INT8_SUFFIX (``ViT-B-32/openai+int8``): switching the runtime
re-embeds the photos exactly like switching the model, and the catalog and the vector
index never mix the two. Text is not quantised: queries use the fp32 text tower (the
torch model or its ONNX export, whose vectors are identical within 1e-6); the pairing
of fp32 text with int8 images is measured in docs/benchmarks.md ("int8 CPU indexing").

This module never imports torch or open_clip: the int8 copy is built and checked from the
fp32 export alone.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from . import onnx_models as om

log = logging.getLogger(__name__)

RUNTIMES = ("torch", "onnx-int8")
INT8 = "onnx-int8"
INT8_SUFFIX = "+int8"
FORMAT = 1  # bump when the quantisation recipe changes: older copies are rebuilt
MIN_MEAN_COSINE = 0.99  # int8 vs the fp32 export, on onnx_models.validation_pixels


class Int8Refused(RuntimeError):
    """The int8 copy cannot be used (no fp32 export, not on the CPU, or it failed
    validation); str() says why, and that torch is used instead."""


def runtime_model_id(base_model_id: str, runtime: str) -> str:
    """The id a library's embeddings are stored under for this runtime."""
    return base_model_id + INT8_SUFFIX if runtime == INT8 else base_model_id


def int8_path(cache_dir: Path, model_id: str) -> Path:
    return om.model_dir(cache_dir, model_id) / "image-int8.onnx"


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return np.asarray((a * b).sum(axis=1))


def _check_meta(path: Path, source: om.TowerMeta) -> str | None:
    """Why the saved copy cannot be used, before loading it (None: try it)."""
    if not path.is_file():
        return "missing"
    try:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("model_id") != source.model_id:
            return "stale: another quantisation format or model"
        if meta.get("source") != [source.size, source.fingerprint]:
            return "stale: made from another fp32 export"
        size = path.stat().st_size
        if meta.get("file") != [size, om.fingerprint(path, size)]:
            return "corrupt: size or fingerprint differs from its metadata"
    except FileNotFoundError:
        return "no metadata beside it"
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        return f"unreadable metadata ({exc})"
    return None


def _validate(sess: Any, fp32: Any, pixels: np.ndarray) -> float:
    """Mean cosine of the int8 session's vectors to the fp32 one's on `pixels`."""
    cos = _cosines(sess.run(None, {"pixels": pixels})[0],
                   fp32.run(None, {"pixels": pixels})[0])
    return float(cos.mean())


def _quantise(source: Path, target: Path, source_meta: om.TowerMeta) -> None:
    """Write the int8 copy of `source` to a temp file and rename it (and its metadata)
    into place; never leaves half a file under `target`'s name."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".image-int8.",
                                    suffix=".onnx")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic's "consider pre-processing" notices
        try:
            quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        size = tmp.stat().st_size
        meta = {"format": FORMAT, "model_id": source_meta.model_id,
                "source": [source_meta.size, source_meta.fingerprint],
                "file": [size, om.fingerprint(tmp, size)]}
        _meta_path(target).unlink(missing_ok=True)  # never new file + old metadata
        os.replace(tmp, target)
        om.write_json_atomic(_meta_path(target), meta)
    finally:
        tmp.unlink(missing_ok=True)


def open_int8(cache_dir: Path, model_id: str, image_size: int,
              min_cosine: float | None = None) -> tuple[Any, float]:
    """(onnxruntime session of the validated int8 image tower, its mean cosine to fp32).
    Builds the copy when it is missing, stale, corrupt or rejected by onnxruntime, and
    validates it against the fp32 export once, when built (the cosine is kept in its
    metadata, like the fp32 export's own check against torch; a later load checks the
    file's fingerprint instead of running the fp32 tower again: ~2 s and ~1 GB saved per
    indexing process). Raises Int8Refused when there is no fp32 export or the copy fails
    validation."""
    min_cosine = MIN_MEAN_COSINE if min_cosine is None else min_cosine
    source = om.tower_path(cache_dir, model_id, "image")
    why = om.check(source, model_id, "image")
    if why:
        raise Int8Refused(f"no usable fp32 ONNX export of the image tower ({why})")
    source_meta = om.TowerMeta.read(source)
    target = int8_path(cache_dir, model_id)
    why = _check_meta(target, source_meta)
    if why is None:
        cosine = _stored_cosine(target)
        if cosine is None:
            why = "not validated against fp32 yet"
        elif not cosine >= min_cosine:
            raise Int8Refused(_disagrees(cosine, min_cosine))
        else:
            try:
                return om.session(target), cosine
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
                why = f"onnxruntime cannot load it: {exc}"
    if why != "missing":
        log.warning("int8 image tower %s is unusable (%s); rebuilding it", target, why)
    _quantise(source, target, source_meta)
    sess = om.session(target)
    cosine = _validate(sess, om.session(source), om.validation_pixels(image_size))
    _store_cosine(target, cosine)
    if not cosine >= min_cosine:
        raise Int8Refused(_disagrees(cosine, min_cosine))
    log.info("built the int8 image tower of %s (mean cosine %.4f to fp32)", model_id, cosine)
    return sess, cosine


def _disagrees(cosine: float, min_cosine: float) -> str:
    return (f"the int8 image tower disagrees with fp32 (mean cosine {cosine:.4f} "
            f"< {min_cosine} on the validation pixels)")


def _stored_cosine(path: Path) -> float | None:
    try:
        value = json.loads(_meta_path(path).read_text(encoding="utf-8")).get("cosine")
    except (OSError, ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, (int, float)) else None


def _store_cosine(path: Path, cosine: float) -> None:
    meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
    om.write_json_atomic(_meta_path(path), {**meta, "cosine": cosine})


class Int8Embedder:
    """A torch ``Embedder`` whose images go through the int8 ONNX image tower; text (and
    everything else) is the fp32 model's. Its model_id carries INT8_SUFFIX."""

    runtime = INT8

    def __init__(self, base: Any, session: Any, cosine: float):
        self.base = base
        self._session = session
        self.int8_cosine = cosine  # mean cosine to fp32 on the validation pixels
        self.model_id = runtime_model_id(base.model_id, INT8)

    def __getattr__(self, name: str) -> Any:  # dim, image_size, tokenizer, encode_text...
        return getattr(self.base, name)

    def default_batch_size(self) -> int:
        return 32

    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 (N, S, S, 3) centre-cropped pixels -> L2-normalised float32 (N, D)."""
        px = np.ascontiguousarray(pixels, dtype=np.uint8)
        feats = np.asarray(self._session.run(None, {"pixels": px})[0], np.float32)
        return feats / np.maximum(np.linalg.norm(feats, axis=1, keepdims=True), 1e-12)


def wrap(embedder: Any, cache_dir: Path) -> Int8Embedder:
    """The int8 runtime around a freshly loaded torch model: waits for the model's fp32
    ONNX export (started by embedder.load), then opens the validated int8 copy.
    Int8Refused says why it cannot (the caller indexes with torch)."""
    if embedder.device != "cpu":
        raise Int8Refused(f"onnx-int8 is a CPU runtime and the model runs on "
                          f"{embedder.device}")
    if not om.enabled():
        raise Int8Refused(f"ONNX is disabled ({om.DISABLE_ENV}=0)")
    job = getattr(embedder, "onnx_export", None)
    if job is not None:
        job.wait()
    try:
        sess, cosine = open_int8(cache_dir, embedder.model_id, embedder.image_size)
    except ImportError as exc:
        raise Int8Refused(f"onnxruntime quantisation is unavailable ({exc})") from exc
    except Int8Refused:
        raise
    except Exception as exc:  # noqa: BLE001 - an opt-in optimisation: torch still works
        raise Int8Refused(f"the int8 image tower could not be built ({exc})") from exc
    return Int8Embedder(embedder, sess, cosine)
