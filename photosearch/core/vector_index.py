"""The HNSW index (hnswlib): derived from the catalog, never the source of truth.

Beside the graph it keeps a float16 copy of the vectors, indexed by label (1 KiB a photo at
512-d): scoring a filtered subset exactly is then a numpy gather, where hnswlib's get_items
costs ~25 us per vector and made selective filters slow (see docs/benchmarks.md).

Labels are embedding row ids. The file records the model id it was built for; on open
the index is reconciled with the catalog (missing ids added, stale ids marked deleted),
and rebuilt from scratch when the file is absent, unreadable or for another model.
Saves are atomic (temp file, fsync, rename) so a crash never leaves a torn index.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

import hnswlib
import numpy as np

log = logging.getLogger(__name__)

M = 16
EF_CONSTRUCTION = 200
# Search breadth. Measured recall@10 on structured 512-d vectors (bench_query):
#   100k: ef 128 -> 0.956, 512 -> 0.998;  1M: ef 128 -> 0.846, 256 -> 0.940, 512 -> 0.980
# Unfiltered kNN is sub-millisecond, so it affords ef 512 (2.4 ms at 1M). Filtered searches
# call a Python predicate per visited node, so they keep the smaller ef.
MIN_EF = 128
UNFILTERED_EF = 512


class VectorIndex:
    """Inner-product kNN over L2-normalised vectors (so scores are cosine similarities)."""

    def __init__(self, dim: int, model_id: str, capacity: int = 1024):
        self.dim = dim
        self.model_id = model_id
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._index.init_index(max_elements=max(capacity, 16), M=M,
                               ef_construction=EF_CONSTRUCTION, allow_replace_deleted=False)
        self._index.set_ef(MIN_EF)
        self._live: set[int] = set()  # labels served by queries
        self._stored: set[int] = set()  # labels in the graph, deleted ones included
        self._dirty = False
        self.vectors_complete = True
        self._mat = np.zeros((max(capacity, 16), dim), np.float16)  # row = label
        self._live_mask = np.zeros(len(self._mat), bool)
        self._lock = threading.RLock()  # hnswlib is not safe for concurrent add + query

    # -- content ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._live)

    def labels(self) -> set[int]:
        with self._lock:
            return set(self._live)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Serve these labels with these vectors. A label that is already live keeps its
        vector (same row, same photo); a deleted one is re-added with the vector given,
        because the catalog may have reused its id for another photo after a purge."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size == 0:
            return
        with self._lock:
            todo = np.array([i not in self._live for i in ids.tolist()], dtype=bool)
            if not todo.any():
                return
            grow = sum(1 for i in ids[todo].tolist() if i not in self._stored)
            needed = self._index.element_count + grow
            if needed > self._index.get_max_elements():
                self._index.resize_index(max(needed, int(self._index.get_max_elements() * 1.5)))
            # add_items replaces the vector of a stored label and un-deletes it.
            vecs = np.asarray(vectors, dtype=np.float32)[todo]
            self._index.add_items(vecs, ids[todo])
            self._stored.update(ids[todo].tolist())
            self._live.update(ids[todo].tolist())
            self._set_rows(ids[todo], vecs)
            self._dirty = True

    def _set_rows(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        self._store_rows(ids, vecs)
        self._live_mask[ids] = True

    def _store_rows(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        top = int(ids.max()) + 1
        if top > len(self._mat):
            rows = max(top, int(len(self._mat) * 1.5))
            self._mat = _grown(self._mat, rows)
            self._live_mask = _grown(self._live_mask, rows)
        self._mat[ids] = vecs

    def remove(self, ids) -> None:
        with self._lock:
            for label in [int(i) for i in ids]:
                if label in self._live:
                    self._index.mark_deleted(label)
                    self._live.discard(label)
                    self._live_mask[label] = False
                    self._dirty = True

    @property
    def dirty(self) -> bool:
        """Changed since it was last saved or loaded."""
        return self._dirty

    def only_live(self, ids: np.ndarray) -> np.ndarray:
        """The subset of `ids` the index currently serves."""
        ids = np.asarray(ids, dtype=np.int64)
        with self._lock:
            ok = ids < len(self._live_mask)
            ok[ok] = self._live_mask[ids[ok]]
            return ids[ok]

    def score(self, ids: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k among `ids` (the live ones), under one lock so a concurrent removal
        cannot slip in between choosing the labels and reading their vectors."""
        with self._lock:
            live = self.only_live(np.asarray(ids, dtype=np.int64))
            if live.size == 0:
                return np.empty(0, np.int64), np.empty(0, np.float32)
            scores = self._mat[live].astype(np.float32) @ np.asarray(query, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return live[order], scores[order]

    def vectors(self, ids) -> np.ndarray:
        with self._lock:
            return np.asarray(self._index.get_items(list(ids), return_type="numpy"),
                              dtype=np.float32)

    # -- queries ------------------------------------------------------------------------
    def knn(self, query: np.ndarray, k: int, allowed=None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, scores), best first; `allowed` is an optional label predicate."""
        with self._lock:
            k = min(k, len(self._live))
            if k <= 0:
                return np.empty(0, np.int64), np.empty(0, np.float32)
            self._index.set_ef(max(MIN_EF if allowed is not None else UNFILTERED_EF, k))
            labels, dists = self._index.knn_query(
                np.asarray(query, dtype=np.float32).reshape(1, -1), k=k, filter=allowed)
        # hnswlib's "ip" distance is 1 - dot.
        return labels[0].astype(np.int64), (1.0 - dists[0]).astype(np.float32)

    def knn_many(self, queries: np.ndarray, k: int, ef: int = MIN_EF
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, scores) per row of `queries`, searched in parallel: for building a
        kNN graph (duplicate grouping), where one query per call would dominate the run.
        A small `ef` is enough when only very close neighbours matter (and much faster).
        Raises RuntimeError when hnswlib cannot return k live results for some row."""
        q = np.asarray(queries, dtype=np.float32).reshape(-1, self.dim)
        with self._lock:
            k = min(k, len(self._live))
            if k <= 0 or q.shape[0] == 0:
                return np.empty((q.shape[0], 0), np.int64), np.empty((q.shape[0], 0), np.float32)
            self._index.set_ef(max(ef, k))
            labels, dists = self._index.knn_query(q, k=k)
        return labels.astype(np.int64), (1.0 - dists).astype(np.float32)

    # -- persistence --------------------------------------------------------------------
    # `path` is a logical name. Each save writes a new generation data file, then atomically
    # replaces `path`.json (meta: model, dim, count, data file, deleted labels). That rename
    # is the single commit point: a crash at any moment leaves the previous generation whole.
    def save(self, path: Path) -> None:
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = path.with_name(f"{path.stem}.g{time.time_ns()}{path.suffix}")
            tmp = data.with_name(data.name + ".tmp")
            self._index.save_index(str(tmp))
            _fsync(tmp)
            os.replace(tmp, data)
            vec_file = data.with_name(data.name + ".f16.npy")
            with open(vec_file, "wb") as f:
                np.save(f, self._mat[: max(self._stored, default=0) + 1])
                f.flush()
                os.fsync(f.fileno())
            meta = {"model_id": self.model_id, "dim": self.dim, "count": len(self._live),
                    "file": data.name, "vectors": vec_file.name,
                    "deleted": sorted(self._stored - self._live)}
            _atomic_write(_meta_path(path), json.dumps(meta))
            self._dirty = False
        _drop_old_generations(path, data)

    @classmethod
    def load(cls, path: Path, dim: int, model_id: str) -> VectorIndex | None:
        """The saved index, or None when it is missing, unreadable or for another model."""
        try:
            meta = json.loads(_meta_path(path).read_text("utf-8"))
            data = path.with_name(meta["file"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if meta.get("model_id") != model_id or meta.get("dim") != dim:
            log.info("index %s is for %s, not %s: rebuilding", path, meta.get("model_id"), model_id)
            return None
        self = cls.__new__(cls)
        self.dim, self.model_id = dim, model_id
        self._lock = threading.RLock()
        try:
            self._index = hnswlib.Index(space="ip", dim=dim)
            self._index.load_index(str(data), allow_replace_deleted=False)
        except (RuntimeError, OSError, ValueError, MemoryError) as exc:
            log.warning("index %s is unreadable (%s): rebuilding", data, exc)
            return None
        self._index.set_ef(MIN_EF)
        self._stored = set(self._index.get_ids_list())
        self._live = self._stored - set(meta.get("deleted", []))
        self._dirty = False
        self._mat = _load_matrix(path.with_name(meta.get("vectors", "-")), dim,
                                 max(self._stored, default=0) + 1)
        self._live_mask = np.zeros(len(self._mat), bool)
        if self._live:
            self._live_mask[np.fromiter(self._live, np.int64, len(self._live))] = True
        self.vectors_complete = meta.get("vectors") is not None and \
            (path.with_name(meta["vectors"])).exists()
        if len(self._live) != meta.get("count"):
            log.warning("index %s disagrees with its metadata: rebuilding", data)
            return None
        return self

    def fill_vectors(self, chunks) -> None:
        """Restore the float16 copy from (ids, vectors) chunks (e.g. the catalog's)."""
        with self._lock:
            for ids, vecs in chunks:
                if len(ids):
                    self._store_rows(np.asarray(ids, np.int64), vecs)
            self.vectors_complete = True

    def reconcile(self, live_ids: np.ndarray, fetch_vectors) -> tuple[int, int]:
        """Make the index serve exactly `live_ids`; returns (added, removed)."""
        want = set(np.asarray(live_ids, dtype=np.int64).tolist())
        with self._lock:
            stale = self._live - want
            missing = sorted(want - self._live)
        self.remove(stale)
        for ids, vecs in fetch_vectors(missing):
            self.add(ids, vecs)
        return len(missing), len(stale)


def _generation(path: Path) -> int:
    try:
        return int(path.name.split(".g", 1)[1].split(".", 1)[0])
    except (IndexError, ValueError):
        return -1


def _drop_old_generations(path: Path, ours: Path) -> None:
    """Delete data files older than both ours and the one the meta names now: another
    process may have committed after us, and its in-progress .tmp files are never touched."""
    try:
        current = path.with_name(json.loads(_meta_path(path).read_text("utf-8"))["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    keep_from = min(_generation(ours), _generation(current))
    for old in path.parent.glob(f"{path.stem}.g*{path.suffix}*"):
        if old.name.endswith(".tmp"):
            continue  # another process may be writing it
        if _generation(old) < keep_from:
            old.unlink(missing_ok=True)


def _grown(a: np.ndarray, rows: int) -> np.ndarray:
    """`a` with zero rows appended up to `rows`."""
    out = np.zeros((rows, *a.shape[1:]), a.dtype)
    out[: len(a)] = a
    return out


def _load_matrix(file: Path, dim: int, rows: int) -> np.ndarray:
    """The saved float16 vectors, or zeros when missing (then filled from the catalog)."""
    try:
        mat = np.load(file)
        if mat.ndim == 2 and mat.shape[1] == dim and mat.dtype == np.float16:
            return _grown(mat, rows) if len(mat) < rows else np.ascontiguousarray(mat)
    except (OSError, ValueError):
        pass
    return np.zeros((max(rows, 16), dim), np.float16)


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
