"""One open library: catalog, settings, and (lazily) the model and its vector index.

This is the object the CLI, the GUI and the tests hold. Opening it is cheap: torch is only
imported when something needs embeddings.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import replace
from typing import Any
from pathlib import Path

from .catalog import Catalog
from .config import Settings
from .paths import LibraryPaths
from .vector_index import VectorIndex
from . import weights

log = logging.getLogger(__name__)


def model_id_for(model: str, pretrained: str) -> str:
    """The id embeddings are stored under; computed without importing torch."""
    return weights.model_id(model, pretrained)


class Library:
    def __init__(self, paths: LibraryPaths, settings: Settings | None = None,
                 *, readonly: bool = False):
        self.paths = paths.ensure() if not readonly else paths
        self.settings = settings or Settings.load(paths.settings)
        self.readonly = readonly
        self.catalog = Catalog(paths.catalog, readonly=readonly)
        self._embedder = None
        # ONNX (torch-free) encoder when an export exists; False once found missing
        self._query_encoder: Any = None
        self._query_lock = threading.Lock()  # never held while torch loads
        self._index: VectorIndex | None = None
        self._last_save = time.monotonic()
        self._lock = threading.RLock()
        self._model_lock = threading.RLock()  # held while torch loads: queries never wait on it

    @classmethod
    def open(cls, paths: LibraryPaths, **overrides) -> "Library":
        """Open with saved settings, overridden for this session by non-None keywords."""
        settings = Settings.load(paths.settings)
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        return cls(paths, settings)

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings)

    @property
    def model_id(self) -> str:
        return model_id_for(self.settings.model, self.settings.pretrained)

    # -- model --------------------------------------------------------------------------
    @property
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    def embedder(self, download: bool = True, catalog: Catalog | None = None):
        """The loaded model (imports torch on first call); raises WeightsUnavailable.

        `catalog`: the calling thread's own connection, when it is not the library's."""
        with self._model_lock:
            if self._embedder is None:
                from . import embedder as embedder_mod

                self._embedder = embedder_mod.load(
                    self.settings.model, self.settings.pretrained, self.paths.models,
                    self.settings.device, download=download)
                (catalog or self.catalog).set_meta(f"dim:{self.model_id}", str(self._embedder.dim))
            return self._embedder

    def query_encoder(self, catalog: Catalog | None = None, images: bool = False):
        """What encodes a query: the loaded model if there is one, else the model's ONNX
        export (onnxruntime, no torch; see onnx_models), else the model (imports torch).
        `images`: the query also embeds image files, so the ONNX image tower is needed."""
        if self._embedder is not None:
            return self._embedder
        with self._query_lock:
            if self._query_encoder is None:
                from . import onnx_models

                self._query_encoder = onnx_models.load_query_encoder(
                    self.model_id, self.paths.models) or False
            enc = self._query_encoder
        if enc and (not images or enc.has_image_tower()):
            return enc
        return self.embedder(catalog=catalog)

    def embedding_dim(self, catalog: Catalog | None = None) -> int | None:
        if self._embedder is not None:
            return self._embedder.dim
        value = (catalog or self.catalog).get_meta(f"dim:{self.model_id}")
        return int(value) if value else None

    # -- vector index -------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        slug = hashlib.blake2b(self.model_id.encode(), digest_size=6).hexdigest()
        return self.paths.index_dir / f"{slug}.hnsw"

    def index(self, catalog: Catalog | None = None) -> VectorIndex:
        """The index for the current model, loaded or rebuilt, and agreeing with the catalog.

        `catalog`: the calling thread's own connection (SQLite connections are not shared
        between threads doing work: a transaction on one would swallow the other's writes)."""
        cat = catalog or self.catalog
        with self._lock:
            if self._index is None:
                dim = self.embedding_dim(cat) or self.query_encoder(catalog=cat).dim
                index = VectorIndex.load(self.index_path, dim, self.model_id)
                if index is None:
                    index = VectorIndex(dim, self.model_id, capacity=max(
                        1024, int(cat.live_embedding_ids(self.model_id).size)))
                if not index.vectors_complete:  # saved before vectors were kept beside it
                    index.fill_vectors(cat.iter_embeddings(self.model_id))
                live = cat.live_embedding_ids(self.model_id)
                added, removed = index.reconcile(
                    live, lambda ids: cat.iter_embeddings(self.model_id, ids))
                if added or removed:  # saved later by save_index(), if this process writes
                    log.info("index reconciled with catalog: +%d -%d", added, removed)
                self._index = index
            return self._index

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
        self.save_index()
        self.catalog.close()
