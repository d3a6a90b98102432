"""Near-neighbour pairs among 64-bit perceptual hashes, without comparing all pairs.

Multi-index hashing (Norouzi et al.): split each hash into 4 chunks of 16 bits. If two
hashes differ in at most r bits, by pigeonhole at least one chunk differs in at most
r // 4 bits. So for every chunk and every flip mask of weight <= r // 4 we look up the
bucket of (chunk XOR mask) and verify the few candidates with a full popcount. Everything
is vectorised with numpy: one pass per (chunk, mask), i.e. 4 * 137 passes for r <= 11.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np

CHUNKS = 4
CHUNK_BITS = 16
MAX_RADIUS = 15  # r // 4 <= 3: 4 * 697 passes; beyond that MIH stops paying off


def parse_hex(values: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """imagehash hex strings to uint64; returns (hashes, valid mask). None/garbage -> invalid."""
    out = np.zeros(len(values), dtype=np.uint64)
    ok = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if v and len(v) == 16:
            try:
                out[i] = int(v, 16)
                ok[i] = True
            except ValueError:
                pass
    return out, ok


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise Hamming distance between uint64 arrays (broadcasting)."""
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int16)


def _masks(weight: int) -> np.ndarray:
    """All 16-bit masks with at most `weight` bits set."""
    masks = [0]
    for w in range(1, weight + 1):
        for bits in combinations(range(CHUNK_BITS), w):
            masks.append(sum(1 << b for b in bits))
    return np.array(masks, dtype=np.int64)


class HammingIndex:
    """Finds all pairs of hashes within a Hamming radius (multi-index hashing)."""

    def __init__(self, hashes: np.ndarray):
        self.hashes = np.asarray(hashes, dtype=np.uint64)
        n = self.hashes.size
        self._chunks = [((self.hashes >> np.uint64(CHUNK_BITS * c)) & np.uint64(0xFFFF))
                        .astype(np.int64) for c in range(CHUNKS)]
        # Per chunk: items sorted by chunk value, and bucket start/count per value.
        self._order, self._start, self._count = [], [], []
        for vals in self._chunks:
            order = np.argsort(vals, kind="stable")
            count = np.bincount(vals, minlength=1 << CHUNK_BITS)
            start = np.concatenate(([0], np.cumsum(count)[:-1]))
            self._order.append(order)
            self._start.append(start)
            self._count.append(count)
        self.size = n

    def pairs_within(self, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All (i, j, distance) with i < j and distance <= radius, sorted by (i, j)."""
        if radius > MAX_RADIUS:
            raise ValueError(f"radius {radius} too large for multi-index hashing "
                             f"(max {MAX_RADIUS})")
        found_i, found_j = [], []
        masks = _masks(radius // CHUNKS)
        idx = np.arange(self.size, dtype=np.int64)
        for c in range(CHUNKS):
            vals, order = self._chunks[c], self._order[c]
            start, count = self._start[c], self._count[c]
            for mask in masks:
                i, j = _bucket_join(idx, vals ^ mask, order, start, count)
                keep = i < j
                i, j = i[keep], j[keep]
                close = hamming(self.hashes[i], self.hashes[j]) <= radius
                found_i.append(i[close])
                found_j.append(j[close])
        return _dedupe(np.concatenate(found_i), np.concatenate(found_j), self.hashes)

    def distances(self, i: Iterable[int], j: Iterable[int]) -> np.ndarray:
        return hamming(self.hashes[np.asarray(list(i))], self.hashes[np.asarray(list(j))])


def _bucket_join(idx, keys, order, start, count) -> tuple[np.ndarray, np.ndarray]:
    """For each query i with key k, every item j in bucket k: (i, j) pairs."""
    n = count[keys]
    has = n > 0
    q, n, s = idx[has], n[has], start[keys[has]]
    total = int(n.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    rep_q = np.repeat(q, n)
    # position within each bucket: 0..n-1, built without a Python loop
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    j = order[np.repeat(s, n) + offsets]
    return rep_q, j


def _dedupe(i: np.ndarray, j: np.ndarray, hashes: np.ndarray):
    if i.size == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, np.int16)
    n = np.int64(hashes.size)
    key = np.unique(i * n + j)
    i, j = key // n, key % n
    return i, j, hamming(hashes[i], hashes[j])
