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

import logging
from pathlib import Path
from typing import Any

import numpy as np

from . import onnx_models as om
from . import quantised_tower as qt

log = logging.getLogger(__name__)

RUNTIMES = ("torch", "onnx-int8")
INT8 = "onnx-int8"
INT8_SUFFIX = "+int8"
MIN_MEAN_COSINE = qt.INT8.min_cosine  # int8 vs the fp32 export, on the validation pixels


class Int8Refused(RuntimeError):
    """The int8 copy cannot be used (no fp32 export, not on the CPU, or it failed
    validation); str() says why, and that torch is used instead."""


def runtime_model_id(base_model_id: str, runtime: str) -> str:
    """The id a library's embeddings are stored under for this runtime."""
    return base_model_id + INT8_SUFFIX if runtime == INT8 else base_model_id


def int8_path(cache_dir: Path, model_id: str) -> Path:
    return qt.copy_path(cache_dir, model_id, qt.INT8)


def open_int8(cache_dir: Path, model_id: str, image_size: int,
              min_cosine: float | None = None) -> tuple[Any, float]:
    """(onnxruntime session of the validated int8 image tower, its mean cosine to fp32).
    Built and validated once (quantised_tower.open_copy: a later load checks the file's
    fingerprint instead of running the fp32 tower again: ~2 s and ~1 GB saved per
    indexing process). Raises Int8Refused when there is no fp32 export or the copy fails
    validation."""
    min_cosine = MIN_MEAN_COSINE if min_cosine is None else min_cosine
    try:
        return qt.open_copy(cache_dir, model_id, image_size, qt.INT8, min_cosine)
    except qt.Refused as exc:
        raise Int8Refused(str(exc)) from exc


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
