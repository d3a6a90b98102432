"""Grouping face descriptors into people, and the measures used to choose how.

Average-link agglomerative clustering cut at a distance is computed exactly per connected
component of the "closer than the cut" graph: two groups whose average distance is below
the cut have at least one pair below it, so no average-link cluster spans two components.
Components come from an exact distance matrix for small sets and from an hnswlib kNN graph
for large ones, so 10k faces cluster in seconds instead of one 10k x 10k linkage.

Why average link at 0.55 by default: on the shared labelled faces it gave the best purity of
the alternatives measured (docs/benchmarks.md, "People (faces)"); a wrong merge is
expensive for a user to undo, a split is one merge.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_THRESHOLD = 0.55
EXACT_LIMIT = 3000  # faces up to which components come from the full distance matrix
KNN = 32


def pairwise(x: np.ndarray) -> np.ndarray:
    """Euclidean distance matrix (float32)."""
    x = np.asarray(x, np.float32)
    sq = (x * x).sum(1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.maximum(d2, 0.0, out=d2)
    return np.sqrt(d2)


def _components(x: np.ndarray, threshold: float) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(x)
    if n <= EXACT_LIMIT:
        d = pairwise(x)
        rows, cols = np.nonzero(d <= threshold)
    else:
        import hnswlib

        index = hnswlib.Index(space="l2", dim=x.shape[1])
        index.init_index(max_elements=n, M=16, ef_construction=100)
        index.add_items(x, np.arange(n))
        k = min(KNN, n)
        index.set_ef(max(64, k))
        labels, d2 = index.knn_query(x, k=k)
        near = d2 <= threshold * threshold
        rows = np.repeat(np.arange(n), k)[near.ravel()]
        cols = labels.ravel()[near.ravel()]
    graph = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def average_link(x: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """Cluster labels (0..k-1) from average-link agglomeration cut at `threshold`."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    x = np.asarray(x, np.float64)
    n = len(x)
    out = np.full(n, -1, np.int64)
    if n == 0:
        return out
    comp = _components(x.astype(np.float32), threshold)
    next_label = 0
    for c in np.unique(comp):
        members = np.flatnonzero(comp == c)
        if len(members) == 1:
            out[members] = next_label
            next_label += 1
            continue
        z = linkage(pdist(x[members]), method="average")
        sub = fcluster(z, t=threshold, criterion="distance")
        out[members] = sub - 1 + next_label
        next_label += int(sub.max())
    return out


def single_link(x: np.ndarray, threshold: float) -> np.ndarray:
    """Connected components at `threshold` (for comparison: merges by chaining)."""
    return _components(np.asarray(x, np.float32), threshold).astype(np.int64)


def chinese_whispers(x: np.ndarray, threshold: float) -> np.ndarray:
    """dlib's Chinese Whispers on the graph of pairs closer than `threshold`."""
    from .models import require_dlib

    dlib = require_dlib()
    vecs = [dlib.vector(row.astype(float).tolist()) for row in np.asarray(x)]
    if not vecs:
        return np.empty(0, np.int64)
    return np.asarray(dlib.chinese_whispers_clustering(vecs, float(threshold)), np.int64)


METHODS = {"average-link": average_link, "single-link": single_link,
           "chinese-whispers": chinese_whispers}


# -- measures ----------------------------------------------------------------------------
def scores(truth: Sequence, predicted: Sequence) -> dict[str, float]:
    """Pairwise precision/recall/F1 and B-cubed precision/recall/F1 of a clustering.

    Pairwise precision: of the pairs put together, the share that are the same person.
    B-cubed: per item, the share of its cluster that is its identity (precision) and the
    share of its identity in its cluster (recall), averaged over items."""
    t = np.asarray(truth)
    p = np.asarray(predicted)
    n = len(t)
    same_t = t[:, None] == t[None, :]
    same_p = p[:, None] == p[None, :]
    off = ~np.eye(n, dtype=bool)
    tp = float((same_t & same_p & off).sum())
    pred_pairs = float((same_p & off).sum())
    true_pairs = float((same_t & off).sum())
    pp = tp / pred_pairs if pred_pairs else 1.0
    pr = tp / true_pairs if true_pairs else 1.0
    both = (same_t & same_p).sum(1).astype(float)
    bp = float(np.mean(both / same_p.sum(1)))
    br = float(np.mean(both / same_t.sum(1)))
    return {
        "pairwise_precision": pp, "pairwise_recall": pr,
        "pairwise_f1": 2 * pp * pr / (pp + pr) if pp + pr else 0.0,
        "bcubed_precision": bp, "bcubed_recall": br,
        "bcubed_f1": 2 * bp * br / (bp + br) if bp + br else 0.0,
        "clusters": float(len(set(p.tolist()))),
    }
