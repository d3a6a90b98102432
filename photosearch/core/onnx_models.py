"""ONNX exports of a CLIP model's towers, and a torch-free encoder that runs them.

When a model is loaded with torch, ``onnx_export`` writes its text and image towers to
``<models cache>/onnx/<model slug>/{text,image}.onnx``, each with a small JSON beside it
(model id, tower, export format, opset, size, sha256, head/tail fingerprint, embedding
size, the cosine it reached against torch). A query then needs only onnxruntime, numpy
and ``clip_tokenizer``: no torch, no open_clip.

This module never imports torch. A file whose JSON is missing, unreadable, for another
model id, an older export format or opset, or whose size/fingerprint do not match, is
treated as absent (the torch path then re-exports it); so is a file onnxruntime rejects.

The exported graphs take exactly what ``Embedder`` takes (uint8 NHWC pixels; int64 token
ids) and return unnormalised features; both runtimes compute fp32 on the CPU, so their
embeddings agree to ~1e-6 cosine (checked at export, >= MIN_COSINE, and by the tests) and
share the model id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FORMAT_VERSION = 1  # bump when the exported graphs' inputs/outputs change
OPSET = 17
MIN_COSINE = 0.999
TOWERS = ("text", "image")
DISABLE_ENV = "PHOTOSEARCH_ONNX"  # "0"/"off": neither export nor use ONNX files


class OnnxUnavailable(RuntimeError):
    """No usable ONNX export (or no onnxruntime) for this model/tower."""


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "1").lower() not in ("0", "off", "false", "no")


def model_dir(cache_dir: Path, model_id: str) -> Path:
    """Per-model folder: a readable slug plus a hash (model ids hold '/' and ':')."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", model_id)[:60]
    digest = hashlib.blake2b(model_id.encode(), digest_size=6).hexdigest()
    return Path(cache_dir) / "onnx" / f"{safe}-{digest}"


def tower_path(cache_dir: Path, model_id: str, tower: str) -> Path:
    return model_dir(cache_dir, model_id) / f"{tower}.onnx"


def meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


@dataclass
class TowerMeta:
    model_id: str
    tower: str
    format_version: int
    opset: int
    size: int
    sha256: str
    fingerprint: str
    dim: int
    image_size: int
    context_length: int
    cosine: float  # worst cosine against torch on the fixed validation inputs
    random_weights: bool
    exporter: str = ""  # torch / open_clip versions, for the record

    @classmethod
    def read(cls, path: Path) -> TowerMeta:
        data = json.loads(meta_path(path).read_text(encoding="utf-8"))
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def fingerprint(path: Path, size: int | None = None) -> str:
    """Cheap identity of a large file: its size and a hash of its first and last MiB."""
    size = os.path.getsize(path) if size is None else size
    h = hashlib.blake2b(str(size).encode(), digest_size=8)
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
        if size > 2 << 20:
            fh.seek(-(1 << 20), os.SEEK_END)
            h.update(fh.read(1 << 20))
    return h.hexdigest()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def check(path: Path, model_id: str, tower: str, *, full: bool = False) -> str | None:
    """Why the export at `path` cannot be used (None when it can). `full` also re-hashes
    the whole file (the torch path does, once per model load; queries check the cheap
    fingerprint only)."""
    if not path.is_file():
        return "missing"
    try:
        meta = TowerMeta.read(path)
    except FileNotFoundError:
        return "no metadata beside it"
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return f"unreadable metadata ({exc})"
    if meta.model_id != model_id or meta.tower != tower:
        return f"stale: made for {meta.model_id}/{meta.tower}"
    if meta.format_version != FORMAT_VERSION or meta.opset != OPSET:
        return f"stale: export format {meta.format_version}/opset {meta.opset}"
    size = path.stat().st_size
    if size != meta.size or fingerprint(path, size) != meta.fingerprint:
        return "corrupt: size or fingerprint differs from its metadata"
    if full and sha256(path) != meta.sha256:
        return "corrupt: sha256 differs from its metadata"
    if meta.cosine < MIN_COSINE:
        return f"failed validation (cosine {meta.cosine:.4f})"
    return None


def write_json_atomic(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows: directories cannot be opened
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_meta(path: Path, meta: TowerMeta) -> None:
    write_json_atomic(meta_path(path), asdict(meta))


def discard(path: Path, why: str) -> None:
    """Remove an unusable export (and its metadata) so the next torch load rebuilds it."""
    log.warning("ONNX export %s is unusable (%s); removing it", path, why)
    for p in (path, meta_path(path)):
        try:
            p.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove %s: %s", p, exc)


def session(path: Path, threads: int | None = None) -> Any:
    """An onnxruntime CPU session (imports onnxruntime: ~0.1-0.4 s)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    if threads:
        opts.intra_op_num_threads = threads
    # idle pool threads sleep, not spin (see onnx_runtime_cache._options)
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), sess_options=opts,
                                providers=["CPUExecutionProvider"])


def _tower_session(path: Path, tower: str, one_shot: bool = False) -> Any:
    """A session from the export's optimised copy (see onnx_runtime_cache)."""
    from . import onnx_runtime_cache

    return onnx_runtime_cache.open_session(path, tower, one_shot=one_shot)


def validation_pixels(size: int) -> np.ndarray:
    """Fixed pixels every export and derived copy is checked on (noise and a gradient)."""
    rng = np.random.default_rng(1234)
    noise = rng.integers(0, 256, (2, size, size, 3), dtype=np.uint8)
    ramp = np.linspace(0, 255, size, dtype=np.float32)
    grad = np.stack([np.broadcast_to(ramp[None, :], (size, size)),
                     np.broadcast_to(ramp[:, None], (size, size)),
                     np.full((size, size), 90.0, np.float32)], axis=-1).astype(np.uint8)
    return np.concatenate([noise, grad[None]])


def _normalise(feats: np.ndarray) -> np.ndarray:
    feats = np.asarray(feats, dtype=np.float32)
    norms = np.linalg.norm(feats, axis=-1, keepdims=True)
    return feats / np.maximum(norms, 1e-12)


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two batches of vectors (how every copy is checked against its
    source)."""
    return np.asarray((_normalise(a) * _normalise(b)).sum(axis=1))


@dataclass
class TruncationNotice:  # same fields as embedder.TruncationNotice (which imports torch)
    text: str
    tokens: int
    limit: int


class OnnxEncoder:
    """The query half of ``Embedder`` (encode_text / encode_query / truncation /
    encode_images) on onnxruntime, without torch. Thread-safe (sessions are).

    Constructing it only reads the text export's metadata; each tower's session is built
    on first use (``open_tower`` builds one now and says whether it works)."""

    runtime = "onnxruntime"
    device = "cpu"

    def __init__(self, model_id: str, cache_dir: Path, one_shot: bool = False):
        self.one_shot = one_shot  # sessions tuned for a process that asks once (the CLI)
        self.cache_dir = Path(cache_dir)
        self.model_id = model_id
        self.text_path = tower_path(self.cache_dir, model_id, "text")
        why = check(self.text_path, model_id, "text")
        if why:
            raise OnnxUnavailable(f"text tower: {why}")
        meta = TowerMeta.read(self.text_path)
        self.dim = meta.dim
        self.image_size = meta.image_size
        self.context_length = meta.context_length
        self.random_weights = meta.random_weights
        if self.random_weights:  # the same warning as a torch load gives
            log.warning("model %s has RANDOM weights (--pretrained none): search results are "
                        "meaningless; use it only for tests", model_id.split("/")[0])
        # Each tower's session is built on its first use: `similar IMAGE` never pays for
        # the text tower (its session and the tokenizer: ~0.15 s quiet, 0.3-0.6 s at load
        # 6), and a caller that only wants `dim` pays for neither.
        self._text: Any = None
        self._tokenizer: Any = None
        self._text_lock = threading.Lock()
        self._image = None
        self._image_lock = threading.Lock()
        self.image_precision = "fp32"  # or "u8" (use_image_copy)
        self._text_cache: dict[str, np.ndarray] = {}
        self._cache_lock = threading.Lock()

    def _text_session(self) -> Any:
        """The text tower's session and the tokenizer, built together on first use (the
        tokenizer reads its vocabulary on a thread while onnxruntime builds the session).
        Raises OnnxUnavailable (and removes the export) when onnxruntime rejects it."""
        with self._text_lock:
            if self._text is None:
                from . import clip_tokenizer

                tokenizer: list[Any] = []
                reader = threading.Thread(target=lambda: tokenizer.append(
                    clip_tokenizer.get(self.context_length)), name="tokenizer", daemon=True)
                reader.start()
                try:
                    # Always the lean options (no weight prepacking, one thread): for a
                    # query of one text they build ~10x faster (0.03 vs 0.2-0.4 s) and
                    # run no slower (0.09 vs 0.11-0.14 s) on the 2-core box, in the app
                    # as in the CLI (docs/benchmarks.md, "Cold start").
                    session = _tower_session(self.text_path, "text", one_shot=True)
                except ImportError as exc:  # no onnxruntime: the export itself is fine
                    raise OnnxUnavailable(f"onnxruntime unavailable ({exc})") from exc
                except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
                    discard(self.text_path, f"onnxruntime cannot load it: {exc}")
                    raise OnnxUnavailable(f"text tower: {exc}") from exc
                finally:
                    reader.join()
                self._tokenizer = tokenizer[0] if tokenizer \
                    else clip_tokenizer.get(self.context_length)
                self._text = session
            return self._text

    def open_tower(self, tower: str) -> bool:
        """Build a tower's session now (a text query is coming; indexing embeds many
        photos: better to learn at load than mid-run that the export is unusable); False
        when it cannot be (logged; an export onnxruntime rejects is removed so the next
        torch load rebuilds it)."""
        try:
            (self._text_session if tower == "text" else self._image_session)()
        except OnnxUnavailable as exc:
            log.info("no ONNX %s tower for %s (%s)", tower, self.model_id, exc)
            return False
        return True

    @property
    def text_tower_open(self) -> bool:
        return self._text is not None

    @property
    def tokenizer(self) -> Any:
        self._text_session()
        return self._tokenizer

    def default_batch_size(self) -> int:
        return 32

    def encode_text(self, texts: list[str]) -> np.ndarray:
        session = self._text_session()
        tokens = self._tokenizer(list(texts))
        return _normalise(session.run(None, {"tokens": tokens})[0])

    def encode_query(self, text: str) -> np.ndarray:
        with self._cache_lock:
            vec = self._text_cache.get(text)
        if vec is None:
            vec = self.encode_text([text])[0]
            with self._cache_lock:
                if len(self._text_cache) > 256:
                    self._text_cache.pop(next(iter(self._text_cache)))
                self._text_cache[text] = vec
        return vec

    def truncation(self, text: str) -> TruncationNotice | None:
        n = len(self.tokenizer.encode(text)) + 2
        return TruncationNotice(text, n, self.context_length) if n > self.context_length \
            else None

    def _image_session(self) -> Any:
        with self._image_lock:
            if self._image is None:
                path = tower_path(self.cache_dir, self.model_id, "image")
                why = check(path, self.model_id, "image")
                if why:
                    raise OnnxUnavailable(f"image tower: {why}")
                try:
                    self._image = _tower_session(path, "image", self.one_shot)
                except ImportError as exc:  # no onnxruntime: the export itself is fine
                    raise OnnxUnavailable(f"onnxruntime unavailable ({exc})") from exc
                except Exception as exc:  # noqa: BLE001
                    discard(path, f"onnxruntime cannot load it: {exc}")
                    raise OnnxUnavailable(f"image tower: {exc}") from exc
            return self._image

    def use_image_copy(self, session: Any, precision: str) -> None:
        """Embed photos with `session`, a validated copy of the image tower with 8-bit
        weights (quantised_tower), instead of the fp32 export."""
        with self._image_lock:
            self._image = session
            self.image_precision = precision

    def has_image_tower(self) -> bool:
        path = tower_path(self.cache_dir, self.model_id, "image")
        return self._image is not None or check(path, self.model_id, "image") is None

    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 (N, S, S, 3) centre-cropped pixels -> L2-normalised float32 (N, D)."""
        sess = self._image_session()
        px = np.ascontiguousarray(pixels, dtype=np.uint8)
        return _normalise(sess.run(None, {"pixels": px})[0])


def load_query_encoder(model_id: str, cache_dir: Path,
                       one_shot: bool = False) -> OnnxEncoder | None:
    """The torch-free encoder for `model_id`, or None (logged) when there is no valid
    export yet or ONNX is disabled. Its sessions are built on first use (a missing
    onnxruntime or a rejected file shows then, as OnnxUnavailable)."""
    if not enabled():
        return None
    try:
        return OnnxEncoder(model_id, cache_dir, one_shot)
    except OnnxUnavailable as exc:
        log.info("no ONNX query path for %s (%s): using torch", model_id, exc)
    except ImportError as exc:
        log.info("onnxruntime unavailable (%s): using torch", exc)
    return None
