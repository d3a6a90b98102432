"""The face descriptors' own HNSW index (Euclidean), next to the CLIP one.

Derived from the catalog like the CLIP index: the file records the model id and the face
ids it serves; on open it is reconciled with the catalog (missing faces added, deleted ones
dropped) and rebuilt when absent, unreadable or for another model. Saved atomically.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import hnswlib
import numpy as np

from .describe import DESCRIPTOR_DIM
from .store import FaceStore

log = logging.getLogger(__name__)


class FaceIndex:
    def __init__(self, model_id: str, capacity: int = 1024):
        self.model_id = model_id
        self._index = hnswlib.Index(space="l2", dim=DESCRIPTOR_DIM)
        self._index.init_index(max_elements=max(capacity, 64), M=16, ef_construction=100)
        self._index.set_ef(64)
        self._live: set[int] = set()
        self._stored: set[int] = set()
        self.dirty = False

    def __len__(self) -> int:
        return len(self._live)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, np.int64)
        todo = np.array([i not in self._live for i in ids.tolist()], bool)
        if ids.size == 0 or not todo.any():
            return
        need = self._index.element_count + sum(
            1 for i in ids[todo].tolist() if i not in self._stored)
        if need > self._index.get_max_elements():
            self._index.resize_index(max(need, int(self._index.get_max_elements() * 1.5)))
        self._index.add_items(np.asarray(vectors, np.float32)[todo], ids[todo])
        self._stored.update(ids[todo].tolist())
        self._live.update(ids[todo].tolist())
        self.dirty = True

    def remove(self, ids) -> None:
        for i in [int(x) for x in ids]:
            if i in self._live:
                self._index.mark_deleted(i)
                self._live.discard(i)
                self.dirty = True

    def knn(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(face ids, Euclidean distances), each len(vectors) x min(k, len(self))."""
        k = min(k, len(self._live))
        if k == 0:
            n = len(vectors)
            return np.empty((n, 0), np.int64), np.empty((n, 0), np.float32)
        self._index.set_ef(max(64, 2 * k))
        labels, d2 = self._index.knn_query(np.asarray(vectors, np.float32), k=k)
        return labels.astype(np.int64), np.sqrt(np.maximum(d2, 0))

    # -- persistence --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        self._index.save_index(str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        meta = path.with_name(path.name + ".json")
        meta_tmp = meta.with_name(meta.name + ".tmp")
        meta_tmp.write_text(json.dumps({"model_id": self.model_id, "live": sorted(self._live),
                                        "stored": sorted(self._stored)}), "utf-8")
        os.replace(tmp, path)
        os.replace(meta_tmp, meta)
        self.dirty = False

    @classmethod
    def load(cls, path: Path, model_id: str) -> FaceIndex | None:
        meta = path.with_name(path.name + ".json")
        try:
            info = json.loads(meta.read_text("utf-8"))
            if info.get("model_id") != model_id:
                return None
            if not path.is_file():
                return None
            self = cls.__new__(cls)
            self.model_id, self.dirty = model_id, False
            self._index = hnswlib.Index(space="l2", dim=DESCRIPTOR_DIM)
            self._index.load_index(str(path))
            self._live = set(info["live"])
            self._stored = set(info["stored"])
            if self._index.element_count != len(self._stored):
                return None
            return self
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.info("face index at %s unusable (%s); rebuilding from the catalog", path, exc)
            return None


def index_path(index_dir: Path, model_id: str) -> Path:
    return index_dir / f"faces-{model_id}.hnsw"


def delete_index(index_dir: Path, model_id: str) -> None:
    path = index_path(index_dir, model_id)
    for p in (path, path.with_name(path.name + ".json")):
        p.unlink(missing_ok=True)


def open_index(store: FaceStore, index_dir: Path, model_id: str) -> FaceIndex:
    """The face index, loaded or rebuilt, agreeing with the catalog."""
    path = index_path(index_dir, model_id)
    live = set(store.live_face_ids(model_id).tolist())
    index = FaceIndex.load(path, model_id)
    if index is None:
        index = FaceIndex(model_id, capacity=len(live) + 64)
    stale = [i for i in index._live if i not in live]
    index.remove(stale)
    missing = [i for i in live if i not in index._live]
    if missing:
        ids, vecs = store.descriptors(model_id, ids=missing)
        index.add(ids, vecs)
    if stale or missing:
        log.info("face index reconciled with catalog: +%d -%d", len(missing), len(stale))
    return index
