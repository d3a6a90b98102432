"""One open library: catalog, settings, and (lazily) the model and its vector index.

This is the object the CLI, the GUI and the tests hold. Opening it is cheap: torch is only
imported when something needs embeddings.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import replace
from pathlib import Path

from .catalog import Catalog
from .config import Settings
from .paths import LibraryPaths
from .vector_index import VectorIndex
from .weights import RANDOM_INIT

log = logging.getLogger(__name__)


def model_id_for(model: str, pretrained: str) -> str:
    """The id embeddings are stored under; computed without importing torch."""
    if pretrained.lower() == RANDOM_INIT:
        return f"{model}/{RANDOM_INIT}"
    if os.path.isfile(os.path.expanduser(pretrained)):
        return f"{model}/file:{os.path.basename(pretrained)}"
    return f"{model}/{pretrained}"


class Library:
    def __init__(self, paths: LibraryPaths, settings: Settings | None = None,
                 *, readonly: bool = False):
        self.paths = paths.ensure() if not readonly else paths
        self.settings = settings or Settings.load(paths.settings)
        self.readonly = readonly
        self.catalog = Catalog(paths.catalog, readonly=readonly)
        self._embedder = None
        self._index: VectorIndex | None = None
        self._lock = threading.RLock()

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

    def embedder(self, download: bool = True):
        """The loaded model (imports torch on first call); raises WeightsUnavailable."""
        with self._lock:
            if self._embedder is None:
                from . import embedder as embedder_mod

                self._embedder = embedder_mod.load(
                    self.settings.model, self.settings.pretrained, self.paths.models,
                    self.settings.device, download=download)
                self.catalog.set_meta(f"dim:{self.model_id}", str(self._embedder.dim))
            return self._embedder

    def embedding_dim(self) -> int | None:
        if self._embedder is not None:
            return self._embedder.dim
        value = self.catalog.get_meta(f"dim:{self.model_id}")
        return int(value) if value else None

    # -- vector index -------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        slug = hashlib.blake2b(self.model_id.encode(), digest_size=6).hexdigest()
        return self.paths.index_dir / f"{slug}.hnsw"

    def index(self) -> VectorIndex:
        """The index for the current model, loaded or rebuilt, and agreeing with the catalog."""
        with self._lock:
            if self._index is None:
                dim = self.embedding_dim() or self.embedder().dim
                index = VectorIndex.load(self.index_path, dim, self.model_id)
                if index is None:
                    index = VectorIndex(dim, self.model_id,
                                        capacity=max(1024, self._live_count()))
                live = self.catalog.live_embedding_ids(self.model_id)
                added, removed = index.reconcile(
                    live, lambda ids: self.catalog.iter_embeddings(self.model_id, ids))
                if added or removed:
                    log.info("index reconciled with catalog: +%d -%d", added, removed)
                    index.save(self.index_path)
                self._index = index
            return self._index

    def save_index(self) -> None:
        with self._lock:
            if self._index is not None and not self.readonly:
                self._index.save(self.index_path)

    def _live_count(self) -> int:
        return int(self.catalog.live_embedding_ids(self.model_id).size)

    def close(self) -> None:
        self.save_index()
        self.catalog.close()
