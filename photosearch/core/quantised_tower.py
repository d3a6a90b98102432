"""8-bit copies of the exported fp32 image tower, built once and checked against it.

Two recipes use this (``Recipe``):

- ``U8`` (``image-u8.onnx``): weights as unsigned 8-bit, activations quantised per batch
  (onnxruntime ``quantize_dynamic``, QUInt8). On a CPU without VNNI (AVX2 only, like the
  2-core test box) onnxruntime runs it with u8 x u8 kernels that do not saturate: vectors
  stay within a cosine of about 2e-4 of fp32 while the tower runs 1.3-1.5x faster
  (docs/benchmarks.md, "CPU image tower: 8-bit weights"). Held to a worst cosine of
  ``U8.min_cosine`` to the fp32 export, it counts as the same model (library.py uses it by
  default for CPU indexing, under the fp32 model id).
- ``INT8`` (``image-int8.onnx``): signed 8-bit weights, the opt-in ``onnx-int8`` runtime
  (int8_runtime.py). Faster still on some CPUs, but u8 x s8 kernels saturate on AVX2 and
  move vectors (mean cosine ~0.99), so it has its own model id.

A copy is written to a temp file and renamed into place (never half a file under its
name), validated once when built on ``onnx_models.validation_pixels`` (the cosine is kept
in its metadata; later loads check the file's size and fingerprint instead of running fp32
again), and rebuilt when missing, corrupt, stale (another export or recipe) or rejected by
onnxruntime. Never imports torch.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import onnx_models as om

log = logging.getLogger(__name__)

DISABLE_ENV = "PHOTOSEARCH_U8"  # "0"/"off": index on the CPU with the fp32 export only


def u8_enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "1").lower() not in ("0", "off", "false", "no")


@dataclass(frozen=True)
class Recipe:
    """How a copy is quantised and when it is good enough."""

    name: str  # "u8", "int8": the file is image-<name>.onnx
    weight_type: str  # onnxruntime.quantization.QuantType member
    format: int  # bump when the recipe changes: older copies are rebuilt
    statistic: str  # "min" or "mean" cosine over the validation pixels
    min_cosine: float


U8 = Recipe("u8", "QUInt8", 1, "min", 0.9995)
INT8 = Recipe("int8", "QInt8", 1, "mean", 0.99)


class Refused(RuntimeError):
    """The copy cannot be used; str() says why."""


def copy_path(cache_dir: Path, model_id: str, recipe: Recipe) -> Path:
    return om.model_dir(cache_dir, model_id) / f"image-{recipe.name}.onnx"


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def check_meta(path: Path, source: om.TowerMeta, recipe: Recipe) -> str | None:
    """Why the saved copy cannot be used, before loading it (None: try it)."""
    if not path.is_file():
        return "missing"
    try:
        meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
        if meta.get("format") != recipe.format or meta.get("model_id") != source.model_id:
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


def _quantise(source: Path, target: Path, source_meta: om.TowerMeta, recipe: Recipe) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.",
                                    suffix=".onnx")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic's "consider pre-processing" notices
        try:
            quantize_dynamic(str(source), str(tmp),
                             weight_type=getattr(QuantType, recipe.weight_type))
        finally:
            root.setLevel(level)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        size = tmp.stat().st_size
        meta = {"format": recipe.format, "model_id": source_meta.model_id,
                "source": [source_meta.size, source_meta.fingerprint],
                "file": [size, om.fingerprint(tmp, size)]}
        _meta_path(target).unlink(missing_ok=True)  # never new file + old metadata
        os.replace(tmp, target)
        om.write_json_atomic(_meta_path(target), meta)
    finally:
        tmp.unlink(missing_ok=True)


def _score(sess: Any, fp32: Any, pixels: np.ndarray, recipe: Recipe) -> float:
    got = om.row_cosines(sess.run(None, {"pixels": pixels})[0],
                         fp32.run(None, {"pixels": pixels})[0])
    return float(got.min() if recipe.statistic == "min" else got.mean())


def open_copy(cache_dir: Path, model_id: str, image_size: int, recipe: Recipe,
              min_cosine: float | None = None, threads: int | None = None
              ) -> tuple[Any, float]:
    """(onnxruntime session of the validated copy, its cosine to fp32). Builds the copy
    when it is missing, stale, corrupt or rejected by onnxruntime. Raises Refused when there
    is no usable fp32 export or the copy's cosine is below `min_cosine` (the recipe's by
    default); a refused copy stays on disk with its cosine, so it is not rebuilt each time."""
    min_cosine = recipe.min_cosine if min_cosine is None else min_cosine
    source = om.tower_path(cache_dir, model_id, "image")
    why = om.check(source, model_id, "image")
    if why:
        raise Refused(f"no usable fp32 ONNX export of the image tower ({why})")
    source_meta = om.TowerMeta.read(source)
    target = copy_path(cache_dir, model_id, recipe)
    why = check_meta(target, source_meta, recipe)
    if why is None:
        cosine = _stored_cosine(target)
        if cosine is None:
            why = "not validated against fp32 yet"
        elif not cosine >= min_cosine:
            raise Refused(_disagrees(recipe, cosine, min_cosine))
        else:
            try:
                return om.session(target, threads), cosine
            except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
                why = f"onnxruntime cannot load it: {exc}"
    if why != "missing":
        log.warning("%s image tower %s is unusable (%s); rebuilding it", recipe.name,
                    target, why)
    _quantise(source, target, source_meta, recipe)
    sess = om.session(target, threads)
    cosine = _score(sess, om.session(source), om.validation_pixels(image_size), recipe)
    _store_cosine(target, cosine)
    if not cosine >= min_cosine:
        raise Refused(_disagrees(recipe, cosine, min_cosine))
    log.info("built the %s image tower of %s (%s cosine %.5f to fp32)", recipe.name,
             model_id, recipe.statistic, cosine)
    return sess, cosine


def _disagrees(recipe: Recipe, cosine: float, min_cosine: float) -> str:
    return (f"the {recipe.name} image tower disagrees with fp32 ({recipe.statistic} cosine "
            f"{cosine:.4f} < {min_cosine} on the validation pixels)")


def _stored_cosine(path: Path) -> float | None:
    try:
        value = json.loads(_meta_path(path).read_text(encoding="utf-8")).get("cosine")
    except (OSError, ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, (int, float)) else None


def _store_cosine(path: Path, cosine: float) -> None:
    meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
    om.write_json_atomic(_meta_path(path), {**meta, "cosine": cosine})
