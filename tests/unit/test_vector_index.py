"""The HNSW index is derived state: persisted atomically, rebuilt or reconciled, never trusted."""

from __future__ import annotations

import numpy as np
import pytest

from photosearch.core.vector_index import VectorIndex


def vecs(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def index():
    ix = VectorIndex(16, "m/1", capacity=16)  # small capacity: adds must grow it
    ix.add(np.arange(1, 201), vecs(200))
    return ix


def test_knn_returns_cosine_scores_best_first(index):
    v = vecs(200)
    ids, scores = index.knn(v[41], 5)
    assert ids[0] == 42 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert list(scores) == sorted(scores, reverse=True)
    assert scores[1] == pytest.approx(float(v[ids[1] - 1] @ v[41]), abs=1e-5)


def test_remove_hides_and_re_add_restores(index):
    v = vecs(200)
    index.remove([42])
    assert 42 not in index.knn(v[41], 10)[0] and len(index) == 199
    index.add(np.array([42]), v[41:42])
    assert index.knn(v[41], 1)[0][0] == 42 and len(index) == 200


def test_filter_predicate_restricts_results(index):
    ids, _ = index.knn(vecs(200)[0], 10, allowed=lambda label: label % 2 == 0)
    assert len(ids) == 10 and all(i % 2 == 0 for i in ids)


def test_save_load_round_trip_keeps_deletions(index, tmp_path):
    index.remove([7, 8])
    path = tmp_path / "ix.hnsw"
    index.save(path)
    index.remove([9])
    index.save(path)  # a second generation replaces the first
    assert not list(tmp_path.glob("*.tmp"))  # written via temp + rename
    assert len(list(tmp_path.glob("ix.g*.hnsw"))) == 1
    loaded = VectorIndex.load(path, 16, "m/1")
    assert loaded.labels() == set(range(1, 201)) - {7, 8, 9}


def test_a_crash_before_the_meta_commit_keeps_the_previous_generation(index, tmp_path,
                                                                      monkeypatch):
    from photosearch.core import vector_index

    path = tmp_path / "ix.hnsw"
    index.save(path)
    index.remove([1, 2, 3])

    def crash(*_):
        raise OSError("killed")
    monkeypatch.setattr(vector_index, "_atomic_write", crash)
    with pytest.raises(OSError):
        index.save(path)
    loaded = VectorIndex.load(path, 16, "m/1")
    assert loaded.labels() == set(range(1, 201))  # the last committed state, whole


def test_an_index_for_another_model_or_dim_is_not_used(index, tmp_path):
    path = tmp_path / "ix.hnsw"
    index.save(path)
    assert VectorIndex.load(path, 16, "m/2") is None
    assert VectorIndex.load(path, 32, "m/1") is None


def test_a_corrupt_or_missing_index_file_means_rebuild_not_crash(index, tmp_path):
    path = tmp_path / "ix.hnsw"
    assert VectorIndex.load(path, 16, "m/1") is None
    index.save(path)
    next(tmp_path.glob("ix.g*.hnsw")).write_bytes(b"garbage" * 10)
    assert VectorIndex.load(path, 16, "m/1") is None


def test_reconcile_adds_missing_and_drops_stale(index):
    v = vecs(300)
    want = np.arange(101, 301)  # 1..100 gone, 201..300 new

    def fetch(ids):
        ids = np.array(ids, dtype=np.int64)
        yield ids, v[ids - 1]
    added, removed = index.reconcile(want, fetch)
    assert (added, removed) == (100, 100)
    assert index.labels() == set(range(101, 301))
    assert index.knn(v[250], 1)[0][0] == 251


def test_a_reused_label_serves_the_new_vector(index, tmp_path):
    """After a purge the catalog may give a deleted photo's id to a new photo: the index must
    serve the new vector, not silently keep the old one (also across save/load)."""
    v = vecs(200)
    new = vecs(1, seed=99)[0]
    index.remove([42])
    index.add(np.array([42]), new[None])
    assert np.allclose(index.vectors([42])[0], new, atol=1e-6)
    ids, scores = index.knn(new, 1)
    assert ids[0] == 42 and scores[0] == pytest.approx(1.0, abs=1e-5)
    assert index.knn(v[41], 1)[0][0] != 42
    path = tmp_path / "ix.hnsw"
    index.save(path)
    assert np.allclose(VectorIndex.load(path, 16, "m/1").vectors([42])[0], new, atol=1e-6)


def test_adding_a_live_label_again_is_a_no_op_and_saves_track_changes(index, tmp_path):
    path = tmp_path / "ix.hnsw"
    index.save(path)
    assert not index.dirty
    index.add(np.array([5]), vecs(1, seed=3))  # live already: same row, same photo
    assert not index.dirty and np.allclose(index.vectors([5])[0], vecs(200)[4], atol=1e-6)
    index.remove([5])
    assert index.dirty


def test_exact_subset_scoring_matches_the_graph_and_survives_save_load(index, tmp_path):
    v = vecs(200)
    q = vecs(1, seed=5)[0]
    subset = np.arange(1, 201, 3)
    ids, scores = index.score(subset, q, 5)
    exact = sorted(subset.tolist(), key=lambda i: -float(v[i - 1] @ q))[:5]
    assert ids.tolist() == exact
    assert np.allclose(scores, [v[i - 1] @ q for i in exact], atol=2e-3)  # float16 copy
    index.remove([exact[0]])
    assert exact[0] not in index.score(subset, q, 5)[0]
    path = tmp_path / "ix.hnsw"
    index.save(path)
    loaded = VectorIndex.load(path, 16, "m/1")
    assert loaded.vectors_complete
    assert loaded.score(subset, q, 4)[0].tolist() == exact[1:5]


def test_missing_vector_copy_is_refilled_from_the_catalog(index, tmp_path):
    v = vecs(200)
    path = tmp_path / "ix.hnsw"
    index.save(path)
    next(tmp_path.glob("ix.g*.hnsw.f16.npy")).unlink()
    loaded = VectorIndex.load(path, 16, "m/1")
    assert not loaded.vectors_complete
    loaded.fill_vectors([(np.arange(1, 201), v)])
    q = v[10]
    assert loaded.score(np.arange(1, 201), q, 1)[0][0] == 11
