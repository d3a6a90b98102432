"""Export a loaded model's towers to ONNX once, so later queries run without torch.

Called after a model is loaded with torch (``embedder.load``). Each tower is exported with
torch.onnx.export into a temp file in the target folder, fsynced, checked against torch on
fixed inputs (worst cosine >= onnx_models.MIN_COSINE, else discarded and logged), then its
metadata and the file are renamed into place. An existing export is kept when its
metadata matches and its sha256 is intact; anything else is rebuilt. Failures are logged
and never stop the caller: torch keeps working without the ONNX files.
"""

from __future__ import annotations

import copy
import logging
import os
import tempfile
import threading
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import onnx_models as om
from .onnx_models import validation_pixels

log = logging.getLogger(__name__)

# Fixed validation inputs: unicode, punctuation and a text longer than the context.
VALIDATION_TEXTS = ["a photo of a dog", "Café au lait, s'il vous plaît 🐶", "",
                    "a very long caption about a beach at sunset " * 12]


class _TextTower(torch.nn.Module):
    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.model.encode_text(tokens)  # type: ignore[operator]


class _ImageTower(torch.nn.Module):
    """uint8 NHWC pixels in (what Embedder.encode_images takes), features out."""

    def __init__(self, model: torch.nn.Module, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.model = model
        self.register_buffer("mean", mean.float().cpu().view(1, 3, 1, 1))
        self.register_buffer("std", std.float().cpu().view(1, 3, 1, 1))

    mean: torch.Tensor
    std: torch.Tensor

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        x = pixels.permute(0, 3, 1, 2).float()
        return self.model.encode_image((x - self.mean) / self.std)  # type: ignore[operator]


def _versions() -> str:
    out = []
    for dist in ("torch", "open_clip_torch", "onnxruntime"):
        try:
            out.append(f"{dist}=={version(dist)}")
        except PackageNotFoundError:
            pass
    return " ".join(out)


def _cpu_model(embedder: Any) -> torch.nn.Module:
    """The model in fp32 on the CPU (a copy when it runs elsewhere or in fp16)."""
    model = embedder.model
    if embedder.device != "cpu" or embedder.fp16:
        model = copy.deepcopy(model).float().cpu()
    return model.eval()


def _export(module: torch.nn.Module, example: torch.Tensor, name: str, path: Path) -> None:
    # Not under no_grad: there nn.MultiheadAttention takes its fused fast path
    # (aten::_native_multi_head_attention), which has no ONNX export.
    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (example,), str(path), input_names=[name],
                              output_names=["features"],
                              dynamic_axes={name: {0: "n"}, "features": {0: "n"}},
                              opset_version=om.OPSET, dynamo=False)
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _worst_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float((a * b).sum(axis=1).min())


STALE_TEMP_SECONDS = 3600  # an export takes under a minute; older temps are leftovers


def _drop_stale_temps(folder: Path, tower: str) -> None:
    """Delete half-written exports a killed process left behind; recent temps may be
    another process's export in progress."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for tmp in folder.glob(f".{tower}.*.onnx.tmp"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
        except OSError as exc:
            log.info("stale export temp %s not removed: %s", tmp, exc)


def export_tower(embedder: Any, tower: str, cache_dir: Path) -> Path | None:
    """Export one tower; returns its path, or None when it failed validation or export."""
    target = om.tower_path(cache_dir, embedder.model_id, tower)
    target.parent.mkdir(parents=True, exist_ok=True)
    model = _cpu_model(embedder)
    if tower == "text":
        tokens = embedder.tokenizer(VALIDATION_TEXTS).cpu()
        module: torch.nn.Module = _TextTower(model)
        example, name, feed = tokens, "tokens", tokens.numpy().astype(np.int64)
    else:
        px = validation_pixels(embedder.image_size)
        module = _ImageTower(model, embedder._mean, embedder._std)
        example, name, feed = torch.from_numpy(px), "pixels", px
    module.eval()
    _drop_stale_temps(target.parent, tower)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{tower}.", suffix=".onnx.tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        started = time.monotonic()
        _export(module, example, name, tmp)
        with torch.no_grad():
            want = module(example).float().numpy()
        got = om.session(tmp).run(None, {name: feed})[0]
        cosine = _worst_cosine(got, want)
        if not cosine >= om.MIN_COSINE:
            log.warning("ONNX %s tower of %s disagrees with torch (worst cosine %.5f < %s): "
                        "discarded, queries keep using torch", tower, embedder.model_id,
                        cosine, om.MIN_COSINE)
            return None
        os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a plain cache file
        size = tmp.stat().st_size
        meta = om.TowerMeta(
            model_id=embedder.model_id, tower=tower, format_version=om.FORMAT_VERSION,
            opset=om.OPSET, size=size, sha256=om.sha256(tmp),
            fingerprint=om.fingerprint(tmp, size), dim=int(want.shape[1]),
            image_size=int(embedder.image_size),
            context_length=int(embedder.context_length), cosine=round(cosine, 6),
            random_weights=bool(embedder.random_weights), exporter=_versions())
        target.with_suffix(".json").unlink(missing_ok=True)  # never new file + old metadata
        os.replace(tmp, target)
        om.write_meta(target, meta)
        log.info("exported the %s tower of %s to ONNX in %.1f s (%d MB, worst cosine %.6f)",
                 tower, embedder.model_id, time.monotonic() - started, size >> 20, cosine)
        return target
    except Exception as exc:  # noqa: BLE001 - export is an optimisation, never fatal
        log.warning("ONNX export of the %s tower of %s failed: %s", tower, embedder.model_id,
                    exc)
        return None
    finally:
        tmp.unlink(missing_ok=True)


def uses_clip_bpe(embedder: Any) -> bool:
    """Whether the model tokenises text with open_clip's CLIP BPE (what clip_tokenizer
    reimplements without torch)."""
    from open_clip.tokenizer import SimpleTokenizer

    return isinstance(embedder.tokenizer, SimpleTokenizer)


def ensure_exported(embedder: Any, cache_dir: Path, towers: tuple[str, ...] = om.TOWERS
                    ) -> dict[str, str]:
    """Make sure every tower has a valid export; returns {tower: 'ok'|'exported'|'failed'}.
    A corrupt or stale export is removed and rebuilt."""
    out: dict[str, str] = {}
    if not om.enabled():
        return out
    if "text" in towers and not uses_clip_bpe(embedder):
        # The torch-free query path tokenises with CLIP's BPE (clip_tokenizer); a model with
        # a Hugging Face or SentencePiece tokenizer (multilingual, SigLIP) keeps its text
        # queries on torch rather than feed ONNX token ids from the wrong vocabulary.
        towers = tuple(t for t in towers if t != "text")
        out["text"] = "skipped"
    for tower in towers:
        path = om.tower_path(cache_dir, embedder.model_id, tower)
        why = om.check(path, embedder.model_id, tower, full=True)
        if why is None:
            out[tower] = "ok"
            continue
        if why != "missing":
            om.discard(path, why)
        out[tower] = "exported" if export_tower(embedder, tower, cache_dir) else "failed"
    for tower, state in out.items():  # the copy queries load (a no-op when it is valid)
        if state in ("ok", "exported"):
            _prepare_runtime_copy(om.tower_path(cache_dir, embedder.model_id, tower), tower)
    return out


def _prepare_runtime_copy(path: Path, tower: str) -> None:
    from . import onnx_runtime_cache

    try:
        if onnx_runtime_cache.check(onnx_runtime_cache.runtime_dir(path),
                                    om.TowerMeta.read(path)) is not None:
            onnx_runtime_cache.open_session(path, tower)
    except Exception as exc:  # noqa: BLE001 - an optimisation: the query path retries
        log.info("optimised ONNX copy of %s not prepared: %s", path, exc)


class ExportJob:
    """The outcome of the ONNX export a model load ran (see export_job)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: dict[str, str] = {}

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


_export_locks: dict[tuple[str, str], threading.Lock] = {}
_export_locks_guard = threading.Lock()


def export_job(embedder: Any, cache_dir: Path) -> ExportJob:
    """ensure_exported for a freshly loaded model, in the calling thread, never fatal.

    It is not run on a thread of its own beside the load: tried, the export (torch.onnx
    plus an onnxruntime check) then made the process abort at exit in about half of our
    UI test runs ("terminate called without an active exception"). So a model load pays
    the export once per model (~20-45 s for ViT-B-32 on 2 cores; in the app on its model
    thread, never the GUI thread). One export per model and cache folder runs at a time,
    so a second load waits for the first and finds it done."""
    job = ExportJob()
    key = (str(Path(cache_dir).resolve()), embedder.model_id)
    with _export_locks_guard:
        lock = _export_locks.setdefault(key, threading.Lock())
    try:
        with lock:
            job.result = ensure_exported(embedder, cache_dir)
    except Exception as exc:  # noqa: BLE001 - export is an optimisation, never fatal
        log.warning("ONNX export of %s failed: %s", embedder.model_id, exc)
    finally:
        job.done.set()
    return job
