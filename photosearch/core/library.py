"""One open library: catalog connections, settings, and (lazily) the model and its vector index.

This is the object the CLI, the GUI and the tests hold. Opening it is cheap: torch is only
imported when something needs embeddings. Every thread that touches `lib.catalog` gets its
own SQLite connection (a transaction on a shared connection would swallow another thread's
writes); the model and the vector index are shared, both being thread-safe.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import weights
from .catalog import Catalog, CatalogError, is_busy_error
from .config import Settings
from .paths import LibraryPaths
from .vector_index import VectorIndex

if TYPE_CHECKING:
    from .embedder import Embedder

__all__ = ["CatalogError", "Library", "is_busy_error", "model_id_for"]

log = logging.getLogger(__name__)


def model_id_for(model: str, pretrained: str) -> str:
    """The id embeddings are stored under; computed without importing torch."""
    return weights.model_id(model, pretrained)


class Library:
    """A library on disk, opened for this process.

    `embedder`: a ready model to use instead of loading one from the settings (tests inject
    deterministic models this way; the app could share one between libraries)."""

    def __init__(self, paths: LibraryPaths, settings: Settings | None = None,
                 *, readonly: bool = False, embedder: Embedder | Any | None = None):
        self.paths = paths.ensure() if not readonly else paths
        self.settings = settings or Settings.load(paths.settings)
        self.readonly = readonly
        self._connections: dict[int, Catalog] = {}
        self._connections_lock = threading.Lock()
        self._embedder = embedder
        self._index: VectorIndex | None = None
        self._index_rebuilt = False  # the last index load found none usable: rebuilt
        self._last_save = time.monotonic()
        self._lock = threading.RLock()
        self._model_lock = threading.RLock()  # held while torch loads: queries never wait on it
        # The ONNX (torch-free) query encoder when an export exists; False once found missing
        self._query_encoder: Any = None
        self._query_lock = threading.Lock()  # never held while torch loads
        # A process that asks one query and exits (CLI search/similar): the ONNX sessions
        # skip start-up work that only pays off over many queries (onnx_runtime_cache).
        self.one_shot_queries = False
        # Embed on the CPU with the model's ONNX export instead of torch when it exists
        # (_onnx_embedder); False forces torch (tests comparing the two paths).
        self.cpu_onnx = True
        # ... and with the image tower's 8-bit-weight copy (_u8_images); False keeps fp32.
        self.cpu_u8 = True
        # Why onnx-int8 was refused: here, or by an earlier process (kept in the catalog, so
        # every process of this library agrees on its model id until a retry)
        self.runtime_note: str | None = None
        if self.settings.runtime == "onnx-int8":
            self.runtime_note = self.catalog.get_meta(self._refusal_key) or None
        if embedder is not None and not readonly:
            self.catalog.set_meta(f"dim:{self.model_id}", str(embedder.dim))
        else:
            self.catalog  # noqa: B018 - open (and migrate) now: errors surface at open

    @classmethod
    def open(cls, paths: LibraryPaths, *, embedder: Any | None = None,
             **overrides: Any) -> Library:
        """Open with saved settings, overridden for this session by non-None keywords."""
        settings = Settings.load(paths.settings).with_overrides(**overrides)
        return cls(paths, settings, embedder=embedder)

    # -- catalog connections ------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        """The calling thread's own connection to the catalog, opened on first use."""
        key = threading.get_ident()
        cat = self._connections.get(key)
        if cat is None:
            cat = Catalog(self.paths.catalog, readonly=self.readonly)
            with self._connections_lock:
                self._connections[key] = cat
        return cat

    def close_thread_catalog(self) -> None:
        """Close the calling thread's connection (a worker thread that is about to end)."""
        with self._connections_lock:
            cat = self._connections.pop(threading.get_ident(), None)
        if cat is not None:
            cat.close()

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings)

    @property
    def base_model_id(self) -> str:
        """The model's own id (its fp32 weights and ONNX exports are stored under it)."""
        return model_id_for(self.settings.model, self.settings.pretrained)

    @property
    def runtime(self) -> str:
        """How photos are embedded: the settings' runtime, or torch once onnx-int8 was
        refused, in this process or an earlier one (runtime_note says why)."""
        return "torch" if self.runtime_note else self.settings.runtime

    @property
    def _refusal_key(self) -> str:
        return f"runtime_refused:{self.base_model_id}"

    def retry_runtime(self) -> None:
        """Forget an earlier onnx-int8 refusal: the next model load tries it again."""
        with self._lock:
            if self._embedder is not None:
                return  # loaded: this process keeps what it has
            self.runtime_note = None
            self._index = None
            self._forget_refusal()

    def _forget_refusal(self) -> None:
        if not self.readonly and self.catalog.get_meta(self._refusal_key):
            self.catalog.set_meta(self._refusal_key, "")

    @property
    def model_id(self) -> str:
        """The id embeddings are stored under: the model's, plus '+int8' on the int8
        runtime (int8 vectors never mix with fp32 ones; core/int8_runtime.py)."""
        from .int8_runtime import runtime_model_id

        return runtime_model_id(self.base_model_id, self.runtime)

    # -- model --------------------------------------------------------------------------
    @property
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    def embedder(self, download: bool = True) -> Any:
        """The loaded model (imports torch on first call); raises WeightsUnavailable."""
        with self._model_lock:
            if self._embedder is None:
                loaded = self._onnx_embedder() or self._torch_embedder(download)
                self._embedder = self._with_runtime(loaded)
                if not self.readonly:
                    self.catalog.set_meta(f"dim:{self.model_id}", str(self._embedder.dim))
            return self._embedder

    def _torch_embedder(self, download: bool) -> Any:
        from . import embedder as embedder_mod

        return embedder_mod.load(self.settings.model, self.settings.pretrained,
                                 self.paths.models, self.settings.device, download=download)

    def _onnx_embedder(self) -> Any:
        """The model's fp32 ONNX export as the embedder, on a CPU-only machine, once both
        towers were exported and validated by an earlier torch load (None otherwise: torch
        loads, and exports them). Its vectors equal torch's within the export check
        (cosine >= 0.999; measured about 1 - 1e-6), so they share the model id; what it
        saves is the torch start-up of every indexing process (docs/benchmarks.md)."""
        from . import device_probe, onnx_models

        if not (self.cpu_onnx and onnx_models.enabled()
                and device_probe.runs_on_cpu(self.settings.device)):
            return None
        with self._query_lock:
            enc = self._query_encoder
        if not enc or enc.one_shot:  # one-shot sessions are tuned for a single query
            enc = onnx_models.load_query_encoder(self.base_model_id, self.paths.models)
        # the int8 runtime opens its own image tower (_with_runtime): the fp32 one must
        # only exist then, not be loaded beside it
        ready = enc is not None and (enc.has_image_tower() if self.runtime == "onnx-int8"
                                     else self._u8_images(enc) or enc.open_tower("image"))
        if not ready:
            return None
        log.info("embedding with onnxruntime on the CPU (the ONNX export of %s, %s image "
                 "tower)", self.base_model_id, enc.image_precision)
        return enc

    def _u8_images(self, enc: Any) -> bool:
        """Embed photos with the image tower's copy with 8-bit weights (quantised_tower.U8:
        within a worst cosine of 0.9995 of fp32, checked when it is built, so it keeps the
        model id; 1.3-1.5x faster on the test box's CPU). Built on first use (a few
        seconds, once per model). False when it is off, refused or cannot be built: the
        fp32 export is used."""
        from . import quantised_tower as qt

        if not (self.cpu_u8 and qt.u8_enabled()):
            return False
        try:
            session, cosine = qt.open_copy(self.paths.models, self.base_model_id,
                                           enc.image_size, qt.U8)
        except Exception as exc:  # noqa: BLE001 - a speed-up only: fp32 still works
            log.info("8-bit image tower not used for %s (%s): fp32 instead",
                     self.base_model_id, exc)
            return False
        enc.use_image_copy(session, "u8")
        log.debug("u8 image tower: worst cosine %.5f to fp32", cosine)
        return True

    def _with_runtime(self, loaded: Any) -> Any:
        """The loaded torch model, or its int8 wrapper on the onnx-int8 runtime. A refused
        int8 runtime falls back to torch for this process, under the fp32 model id (an
        index loaded under the int8 id is dropped, so nothing mixes)."""
        if self.runtime != "onnx-int8":
            return loaded
        from . import int8_runtime

        try:
            wrapped = int8_runtime.wrap(loaded, self.paths.models)
            self._forget_refusal()
            return wrapped
        except int8_runtime.Int8Refused as exc:
            note = (f"onnx-int8 runtime refused: {exc}; indexing in fp32 instead (torch or "
                    "its ONNX export), under the fp32 model id (choosing onnx-int8 again "
                    "tries again)")
            log.warning("%s", note)
            with self._lock:
                self.runtime_note = note
                self._index = None
                if not self.readonly:
                    self.catalog.set_meta(self._refusal_key, note)
            return loaded

    def query_encoder(self, images: bool = False) -> Any:
        """What encodes a query: the loaded model if there is one, else the model's ONNX
        export (onnxruntime, no torch; see onnx_models), else the model (imports torch).
        `images`: the query also embeds image files, so the ONNX image tower is needed."""
        if self._embedder is not None:
            return self._embedder
        if images and self.runtime == "onnx-int8":
            return self.embedder()  # image queries must use the int8 tower, like the index
        with self._query_lock:
            if self._query_encoder is None:
                from . import onnx_models

                self._query_encoder = onnx_models.load_query_encoder(
                    self.base_model_id, self.paths.models, self.one_shot_queries) or False
            enc = self._query_encoder
        if enc and (enc.has_image_tower() if images else enc.open_tower("text")):
            return enc  # an image query never builds the text session (onnx_models)
        return self.embedder()

    def embedding_dim(self) -> int | None:
        """The model's vector size, known without loading it once anything was embedded."""
        if self._embedder is not None:
            return int(self._embedder.dim)
        value = self.catalog.get_meta(f"dim:{self.model_id}")
        return int(value) if value else None

    # -- vector index -------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        slug = hashlib.blake2b(self.model_id.encode(), digest_size=6).hexdigest()
        return self.paths.index_dir / f"{slug}.hnsw"

    @property
    def index_loaded(self) -> bool:
        return self._index is not None

    def index(self) -> VectorIndex:
        """The index for the current model, loaded or rebuilt, and agreeing with the catalog."""
        with self._lock:
            if self._index is None:
                self._index = self._open_index()
                if self._index_rebuilt and self._index.dirty and not self.readonly:
                    # A lost or unreadable index is rebuilt once, not on every command.
                    self.save_index()
            return self._index

    def _open_index(self) -> VectorIndex:
        cat = self.catalog
        dim = self.embedding_dim() or self.query_encoder().dim
        index = VectorIndex.load(self.index_path, dim, self.model_id)
        self._index_rebuilt = index is None
        if index is None:
            index = VectorIndex(dim, self.model_id, capacity=max(
                1024, int(cat.live_embedding_ids(self.model_id).size)))
        if not index.vectors_complete:  # saved before vectors were kept beside it
            index.fill_vectors(cat.iter_embeddings(self.model_id))
        self.reconcile_index(index)
        return index

    def reconcile_index(self, index: VectorIndex | None = None) -> tuple[int, int]:
        """Make the index serve exactly the catalog's live embeddings; (added, removed).

        Only the use-case layer and the pipeline call this, after they changed which files
        exist; it is cheap when nothing changed."""
        if index is None:
            if self._index is None:  # not loaded: it reconciles when it is
                return 0, 0
            index = self._index
        cat = self.catalog
        live = cat.live_embedding_ids(self.model_id)
        added, removed = index.reconcile(live, lambda ids: cat.iter_embeddings(self.model_id, ids))
        if added or removed:  # saved later by save_index(), if this process writes
            log.info("index reconciled with catalog: +%d -%d", added, removed)
        return added, removed

    def save_index(self) -> bool:
        """Write the index if it changed; returns whether it was written."""
        with self._lock:
            if self._index is None or self.readonly or not self._index.dirty:
                return False
            self._index.save(self.index_path)
            self._last_save = time.monotonic()
            return True

    def maybe_save_index(self) -> bool:
        """Save during long work only when due. Each save rewrites the whole index (about
        2 GB at a million photos), and the catalog can always catch a stale index up on
        open, so the interval grows with the index: 30 s for a small one, ~17 min at 1M."""
        with self._lock:
            if self._index is None:
                return False
            due = 30.0 + len(self._index) / 1000.0
            if time.monotonic() - self._last_save < due:
                return False
        return self.save_index()

    def close(self) -> None:
        """Save the index and close every thread's catalog connection."""
        self.save_index()
        with self._connections_lock:
            connections, self._connections = list(self._connections.values()), {}
        for cat in connections:
            cat.close()
