"""Duplicate grouping in three tiers that are never mixed; each group says why it exists.

- exact:   several files with identical bytes (one content hash, several paths).
- same:    one photo re-encoded, resized, converted, lightly cropped or EXIF-rotated:
           perceptual hashes close (multi-index hashing, never all pairs), and, when both
           photos have embeddings, a tight embedding distance that can veto the match.
           Works with no model at all (perceptual part alone).
- similar: bursts and near-identical compositions: embedding kNN (from the HNSW index)
           plus capture-time proximity. Never auto-selected for deletion.

Tiers are layered: exact decides between files of one photo, same between photos, similar
between same-photo clusters (each represented by its suggested keeper). Grouping is
transitive within a tier, but a merge that would put two photos further apart than the
group limits (or two photos the user said are not duplicates) is refused, so one chain of
look-alikes never becomes a giant group.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .catalog import Catalog
from .config import read_section
from .keeper import DEFAULT_RULES, Item, build_rules, choose_keeper
from .pairs import pair_hash_links
from .paths import from_db_path, prefix_range, to_db_path
from .phash_index import HammingIndex, hamming, parse_hex

log = logging.getLogger(__name__)

TIERS = ("exact", "same", "similar")
AUTO_TIERS = ("exact", "same")  # tiers whose non-keepers may be pre-selected for trash
KNN_CHUNK = 4096


@dataclass
class DupeSettings:
    """Thresholds and keeper rules (the `duplicates` section of settings.json)."""

    # phash bits that may differ for "same photo", and dhash bits (a second, independent
    # check; 64 = off). Chosen with bench/bench_dupes_quality.py (see docs/benchmarks.md):
    # no chance match among 500k pairs of different photos, crops are the hard case.
    same_phash_max: int = 10
    same_dhash_max: int = 16
    same_min_cosine: float = 0.90  # with embeddings on both: veto below this
    same_rescue_phash_max: int = 14  # looser phash accepted when embeddings are very close
    same_rescue_cosine: float = 0.97
    same_group_phash_max: int = 14  # any two photos of one group (anti-chaining)
    similar_min_cosine: float = 0.90
    similar_group_min_cosine: float = 0.85  # any two photos of one group (anti-chaining)
    similar_max_gap_s: float = 120.0  # capture times of a linked pair
    similar_max_span_s: float = 900.0  # first to last capture of a group
    knn_k: int = 10
    knn_ef: int = 16  # HNSW search breadth: only very close neighbours matter here
    max_group_size: int = 100
    # Files not on disk right now (offline folders, moved away) are left out of groups;
    # False skips the per-file check (synthetic benchmarks whose files do not exist).
    hide_offline: bool = True
    keep_rules: list[str] = field(default_factory=lambda: list(DEFAULT_RULES))
    preferred_folders: list[str] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings) -> DupeSettings:
        def accepts(default: object, v: object) -> bool:  # lists for lists, else numbers
            if isinstance(default, list):
                return isinstance(v, list)
            return not isinstance(v, list) and isinstance(v, (int, float))

        out: DupeSettings = read_section(cls, getattr(settings, "duplicates", None),
                                         "duplicates", accepts)
        return out


@dataclass
class Group:
    """One duplicate group of one tier: the keeper is items[0]."""

    tier: str
    items: list[Item]
    keeper_reason: str
    reason: str
    id: str = ""

    @property
    def keeper(self) -> Item:
        return self.items[0]

    @property
    def others(self) -> list[Item]:
        return self.items[1:]

    @property
    def auto_select(self) -> bool:
        return self.tier in AUTO_TIERS

    @property
    def hashes(self) -> list[str]:
        return sorted({it.hash for it in self.items})

    def reclaimable(self) -> int:
        """Bytes freed by trashing every non-keeper file of this group."""
        return sum(it.size * (1 + len(it.copies)) for it in self.others)

    def to_json(self) -> dict:
        return {"tier": self.tier, "id": self.id, "reason": self.reason,
                "keeper": self.keeper.path, "keeper_reason": self.keeper_reason,
                "auto_select": self.auto_select, "reclaimable_bytes": self.reclaimable(),
                "items": [{**it.to_json(), "keeper": i == 0} for i, it in enumerate(self.items)]}


@dataclass
class Grouping:
    """Groups per tier, plus notices (e.g. 'similar tier needs embeddings')."""

    groups: dict[str, list[Group]]
    notices: list[str] = field(default_factory=list)

    def all(self) -> list[Group]:
        return [g for t in TIERS for g in self.groups.get(t, [])]


# -- not-duplicates decisions ---------------------------------------------------------
def mark_not_duplicates(catalog, hashes: Sequence[str]) -> int:
    """Remember that these photos are not duplicates of each other (every pair). One hash
    alone means its identical copies are intentional. Returns pairs recorded."""
    import time

    uniq = sorted(set(hashes))
    pairs = [(a, a) for a in uniq] if len(uniq) == 1 else \
        [(a, b) for i, a in enumerate(uniq) for b in uniq[i + 1:]]
    now = time.time()
    with catalog.transaction():
        catalog.conn.executemany(
            "INSERT OR REPLACE INTO dupe_not_duplicates(hash_a, hash_b, decided_at) "
            "VALUES (?, ?, ?)", [(a, b, now) for a, b in pairs])
    return len(pairs)


def forget_not_duplicates(catalog, hashes: Sequence[str]) -> int:
    """Undo not-duplicates decisions among these photos."""
    uniq = sorted(set(hashes))
    with catalog.transaction():
        return sum(catalog.conn.execute(
            "DELETE FROM dupe_not_duplicates WHERE hash_a = ? AND hash_b = ?", (a, b)).rowcount
            for i, a in enumerate(uniq) for b in uniq[i:])


def not_duplicate_pairs(catalog) -> set[tuple[str, str]]:
    return {(a, b) for a, b in catalog.conn.execute(
        "SELECT hash_a, hash_b FROM dupe_not_duplicates")}


# -- the finder ---------------------------------------------------------------------------
@dataclass
class _Photos:
    """Per distinct photo (content hash): its files and hashes, as arrays for grouping."""

    hashes: list[str]
    files: dict[str, list[Item]]
    phash: np.ndarray
    phash_ok: np.ndarray
    dhash: np.ndarray
    dhash_ok: np.ndarray
    taken: np.ndarray  # NaN when unknown


# how a notice says "index the photos with a model"; callers pass their own wording
# (the CLI names its command, the app its button)
INDEX_HINT = "indexing the photos with a search model"


class DuplicateFinder:
    """Groups a library's files into duplicate tiers. Read-only: never touches files."""

    def __init__(self, library, settings: DupeSettings | None = None,
                 progress: Callable[[str], None] | None = None, index_hint: str = INDEX_HINT):
        self.lib = library
        self.index_hint = index_hint
        self.settings = settings or DupeSettings.from_settings(library.settings)
        self.progress = progress or (lambda msg: None)
        self.rules = build_rules(self.settings.keep_rules, self.settings.preferred_folders)
        self.hidden_offline = 0  # files of the last find() not on disk (left out)

    @property
    def catalog(self) -> Catalog:
        """The calling thread's connection (this object may be used from another thread)."""
        return self.lib.catalog

    # -- public ---------------------------------------------------------------------
    def find(self, tiers: Sequence[str] = TIERS, folder: str | None = None) -> Grouping:
        """Groups of the requested tiers; `folder` limits grouping to files under it."""
        bad = [t for t in tiers if t not in TIERS]
        if bad:
            raise ValueError(f"unknown tier {bad[0]!r}; use one of {', '.join(TIERS)}")
        self.progress("loading catalog")
        photos = self._load(folder)
        refused = not_duplicate_pairs(self.catalog)
        # a RAW+JPEG pair is one photo with two files, never a duplicate group of itself
        refused |= pair_hash_links((it.path, h) for h, items in photos.files.items()
                                   for it in items)
        out = Grouping({t: [] for t in tiers})
        if self.hidden_offline:
            out.notices.append(
                f"{self.hidden_offline} cataloged files are not on disk right now (an offline "
                "folder or drive, or moved away) and are left out of duplicate groups")
        if "exact" in tiers:
            out.groups["exact"] = self._exact(photos, refused)
        if "same" in tiers or "similar" in tiers:
            emb = self._embeddings(photos, out.notices)
            same_clusters = self._same_clusters(photos, emb, refused)
            same = [self._group("same", photos, c, self._same_reason(photos, emb, c))
                    for c in same_clusters]
            if "same" in tiers:
                out.groups["same"] = same
            if "similar" in tiers:
                out.groups["similar"] = self._similar(photos, emb, refused, same)
        for t in out.groups:
            out.groups[t].sort(key=lambda g: (-g.reclaimable(), g.keeper.path))
        return out

    def groups(self, tier: str, folder: str | None = None) -> list[Group]:
        return self.find((tier,), folder).groups[tier]

    # -- loading --------------------------------------------------------------------
    def _load(self, folder: str | None) -> _Photos:
        sql = ("SELECT f.path, f.hash, f.size, f.mtime_ns, p.width, p.height, p.format, "
               "p.taken_at, p.has_exif, p.phash, p.dhash, p.camera_make, p.camera_model "
               "FROM files f JOIN photos p ON p.hash = f.hash")
        args: tuple = ()
        if folder:
            sql += " WHERE f.path >= ? AND f.path < ?"
            args = prefix_range(os.path.abspath(folder))
        files: dict[str, list[Item]] = defaultdict(list)
        meta: dict[str, tuple] = {}
        self.hidden_offline = 0
        for path, h, size, mtime, w, ht, fmt, taken, exif, ph, dh, make, model in \
                self.catalog.conn.execute(sql, args):
            path = from_db_path(path)
            # never group (or plan to trash) a file that is not on disk right now
            if self.settings.hide_offline and not os.path.lexists(path):
                self.hidden_offline += 1
                continue
            camera = " ".join(x for x in (make, model) if x) or None
            files[h].append(Item(path, h, size, mtime, w, ht, fmt, taken,
                                 bool(exif), camera=camera))
            meta[h] = (ph, dh, taken)
        hashes = sorted(files)
        phash, phash_ok = parse_hex([meta[h][0] for h in hashes])
        dhash, dhash_ok = parse_hex([meta[h][1] for h in hashes])
        taken = np.array([np.nan if meta[h][2] is None else meta[h][2] for h in hashes],
                         dtype=np.float64)
        return _Photos(hashes, dict(files), phash, phash_ok, dhash, dhash_ok, taken)

    # -- exact ----------------------------------------------------------------------
    def _exact(self, photos: _Photos, refused) -> list[Group]:
        groups = []
        for h in photos.hashes:
            items = photos.files[h]
            if len(items) < 2 or (h, h) in refused:
                continue
            keeper, why = choose_keeper(items, self.rules)
            ordered = [keeper] + sorted((i for i in items if i is not keeper), key=lambda i: i.path)
            groups.append(_finish(Group("exact", ordered, why,
                                        f"identical content (BLAKE2b {h[:12]}), "
                                        f"{len(items)} copies")))
        return groups

    # -- embeddings -----------------------------------------------------------------
    def _embeddings(self, photos: _Photos, notices: list[str]) -> _Embeddings | None:
        """Labels, and kNN pairs among these photos, or None when there are none."""
        if self.lib.embedding_dim() is None:
            notices.append("no embeddings for this model yet: 'same photo' uses perceptual "
                           f"hashes only and 'similar shots' needs {self.index_hint}")
            return None
        labels = self.catalog.embedding_ids_for(self.lib.model_id, photos.hashes)
        if not labels:
            notices.append("no photo has an embedding for this model yet: 'similar shots' "
                           f"needs {self.index_hint}")
            return None
        self.progress("kNN graph")
        index = self.lib.index()
        pos = {h: i for i, h in enumerate(photos.hashes)}
        node_of_label = {lab: pos[h] for h, lab in labels.items()}
        nodes = np.array(sorted(node_of_label.values()), dtype=np.int64)
        label_of_node = {n: lab for lab, n in node_of_label.items()}
        live = index.only_live(np.array([label_of_node[n] for n in nodes], dtype=np.int64))
        live_set = set(live.tolist())
        nodes = np.array([n for n in nodes if label_of_node[n] in live_set], dtype=np.int64)
        emb = _Embeddings(self.catalog, self.lib.model_id, label_of_node, nodes)
        emb.pairs = self._knn_pairs(emb, index, {lab: node_of_label[lab] for lab in live_set})
        return emb

    def _knn_pairs(self, emb: _Embeddings, index, node_of_label) -> dict[tuple[int, int], float]:
        """Close pairs from each photo's k nearest neighbours (vectorised per chunk). Query
        vectors are read from the catalog in one scan: far faster than out of hnswlib."""
        s = self.settings
        floor = min(s.similar_min_cosine, s.same_rescue_cosine)
        k = s.knn_k + 1  # the photo itself comes back first
        if not node_of_label:
            return {}
        top = max(node_of_label) + 1
        node_by_label = np.full(top, -1, dtype=np.int64)
        node_by_label[np.fromiter(node_of_label, np.int64)] = \
            np.fromiter(node_of_label.values(), np.int64)
        found_a, found_b, found_s = [], [], []
        for ids, vecs in emb.iter_vectors(node_of_label):
            chunk = node_by_label[ids]
            labels, scores = _knn_many(index, vecs, k, s.knn_ef)
            ok = (labels >= 0) & (labels < top) & (scores >= floor)
            m = np.where(ok, node_by_label[np.clip(labels, 0, top - 1)], -1)
            n = np.broadcast_to(chunk[:, None], m.shape)
            keep = (m >= 0) & (m != n)
            a, b = n[keep], m[keep]
            found_a.append(np.minimum(a, b))
            found_b.append(np.maximum(a, b))
            found_s.append(scores[keep])
        pairs: dict[tuple[int, int], float] = {}
        if found_a:
            for a, b, sc in zip(np.concatenate(found_a).tolist(), np.concatenate(found_b).tolist(),
                                np.concatenate(found_s).tolist()):
                if sc > pairs.get((a, b), -1.0):
                    pairs[(a, b)] = sc
        return pairs

    # -- same photo -----------------------------------------------------------------
    def _same_edges(self, photos: _Photos, emb) -> list[tuple[float, int, int]]:
        s = self.settings
        valid = np.flatnonzero(photos.phash_ok)
        edges: dict[tuple[int, int], float] = {}
        if valid.size > 1:
            self.progress("perceptual hashes")
            i, j, d = _phash_candidates(photos.phash[valid], s.same_phash_max)
            i, j = valid[i], valid[j]
            both_d = photos.dhash_ok[i] & photos.dhash_ok[j]
            dd = hamming(photos.dhash[i], photos.dhash[j])
            keep = ~both_d | (dd <= s.same_dhash_max)
            if emb is not None:
                emb.prefetch(set(i[keep].tolist()) | set(j[keep].tolist()))
            for a, b, dist in zip(i[keep].tolist(), j[keep].tolist(), d[keep].tolist()):
                if emb is None or not emb.has(a, b) or emb.cos(a, b) >= s.same_min_cosine:
                    edges[(a, b)] = float(dist)
        if emb is not None:  # rescue: embeddings nearly identical, phash a bit further
            for (a, b), cos in emb.pairs.items():
                if cos >= s.same_rescue_cosine and (a, b) not in edges and \
                        photos.phash_ok[a] and photos.phash_ok[b]:
                    dist = int(hamming(photos.phash[a], photos.phash[b]))
                    if dist <= s.same_rescue_phash_max:
                        edges[(a, b)] = float(dist) + 0.5  # after plain matches
        return sorted((d, a, b) for (a, b), d in edges.items())

    def _same_clusters(self, photos: _Photos, emb, refused) -> list[list[int]]:
        s = self.settings
        edges = self._same_edges(photos, emb)
        self.progress("grouping same photos")
        if emb is not None:
            emb.prefetch({n for _, a, b in edges for n in (a, b)})
        ph = photos.phash

        def compatible(a: list[int], b: list[int]) -> bool:
            ia, ib = np.array(a)[:, None], np.array(b)[None, :]
            if (hamming(ph[ia], ph[ib]) > s.same_group_phash_max).any():
                return False
            return emb is None or emb.min_cos(a, b) >= s.same_min_cosine

        return _cluster(edges, compatible, photos.hashes, refused, s.max_group_size)

    def _same_reason(self, photos: _Photos, emb, cluster: list[int]) -> str:
        idx = np.array(cluster)
        d = hamming(photos.phash[idx][:, None], photos.phash[idx][None, :]).max()
        text = (f"same photo: perceptual hashes within {d} bits "
                f"(limit {self.settings.same_phash_max}")
        text += f", {self.settings.same_rescue_phash_max} with near-identical embeddings)" \
            if emb is not None else ")"
        embedded = [n for n in cluster if emb is not None and n in emb.vec_nodes()]
        if emb is not None and len(embedded) == len(cluster):
            text += f"; embeddings agree (cosine >= {emb.min_cos(cluster, cluster):.3f})"
        else:
            text += "; perceptual hash only (no embeddings)"
        return text

    # -- similar shots --------------------------------------------------------------
    def _similar(self, photos: _Photos, emb, refused, same: list[Group]) -> list[Group]:
        if emb is None:
            return []
        s = self.settings
        pos = {h: i for i, h in enumerate(photos.hashes)}
        hidden = {pos[it.hash] for g in same for it in g.others}  # represented by keeper
        t = photos.taken
        edges = []
        for (a, b), cos in emb.pairs.items():
            if cos < s.similar_min_cosine or a in hidden or b in hidden:
                continue
            if np.isnan(t[a]) or np.isnan(t[b]) or abs(t[a] - t[b]) > s.similar_max_gap_s:
                continue
            edges.append((-cos, a, b))
        edges.sort()
        self.progress("grouping similar shots")
        emb.prefetch({n for _, a, b in edges for n in (a, b)})

        def compatible(a: list[int], b: list[int]) -> bool:
            times = t[np.array(a + b)]
            if times.max() - times.min() > s.similar_max_span_s:
                return False
            return emb.min_cos(a, b) >= s.similar_group_min_cosine

        groups = []
        for cluster in _cluster(edges, compatible, photos.hashes, refused, s.max_group_size):
            times = t[np.array(cluster)]
            reason = (f"similar shots: embeddings close (cosine >= "
                      f"{emb.min_cos(cluster, cluster):.3f}), taken within "
                      f"{times.max() - times.min():.0f} s; review by hand, nothing is "
                      "pre-selected")
            groups.append(self._group("similar", photos, cluster, reason))
        return groups

    # -- building groups ------------------------------------------------------------
    def _group(self, tier: str, photos: _Photos, cluster: list[int], reason: str) -> Group:
        """One item per photo (its best file; other identical files ride along as copies)."""
        items = []
        for n in cluster:
            files = photos.files[photos.hashes[n]]
            best = choose_keeper(files, self.rules)[0] if len(files) > 1 else files[0]
            copies = tuple(sorted(f.path for f in files if f is not best))
            items.append(replace(best, copies=copies))
        keeper, why = choose_keeper(items, self.rules)
        ordered = [keeper] + sorted((i for i in items if i is not keeper), key=lambda i: i.path)
        return _finish(Group(tier, ordered, why, reason))


@dataclass
class _Embeddings:
    """Vectors of the embedded photos (read from the catalog on demand) and kNN pairs."""

    catalog: Catalog
    model_id: str
    label_of_node: dict[int, int]
    nodes: np.ndarray
    pairs: dict[tuple[int, int], float] = field(default_factory=dict)
    _vecs: dict[int, np.ndarray] = field(default_factory=dict)
    _node_set: set[int] | None = None

    def iter_vectors(self, wanted_labels) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(labels, vectors) chunks of the wanted labels: one scan of the catalog when they
        are most of it, else lookups by id."""
        wanted = np.fromiter(wanted_labels, np.int64)
        if wanted.size * 2 < len(self.catalog.live_embedding_ids(self.model_id)):
            yield from self.catalog.iter_embeddings(self.model_id, sorted(wanted.tolist()))
            return
        keep_set = np.sort(wanted)
        for ids, vecs in self.catalog.iter_embeddings(self.model_id, batch=KNN_CHUNK):
            mask = np.isin(ids, keep_set, assume_unique=True)
            if mask.any():
                yield ids[mask], vecs[mask]

    def vec_nodes(self) -> set[int]:
        if self._node_set is None:
            self._node_set = set(self.nodes.tolist())
        return self._node_set

    def has(self, a: int, b: int) -> bool:
        nodes = self.vec_nodes()
        return a in nodes and b in nodes

    def prefetch(self, ns) -> None:
        """Fetch many vectors in one go (one query per 500 instead of one per pair)."""
        self._fetch(sorted(ns))

    def _fetch(self, ns: Sequence[int]) -> None:
        need = {self.label_of_node[n]: n for n in ns
                if n not in self._vecs and n in self.vec_nodes()}
        for ids, vecs in self.catalog.iter_embeddings(self.model_id, list(need)):
            self._vecs.update(zip((need[i] for i in ids.tolist()), vecs))

    def cos(self, a: int, b: int) -> float:
        if (a, b) in self.pairs:
            return self.pairs[(a, b)]
        self._fetch([a, b])
        return float(np.dot(self._vecs[a], self._vecs[b]))

    def min_cos(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Smallest cosine between embedded members of a and b (1.0 when none)."""
        self._fetch(list(a) + list(b))
        va = [self._vecs[n] for n in a if n in self._vecs]
        vb = [self._vecs[n] for n in b if n in self._vecs]
        if not va or not vb:
            return 1.0
        return float((np.stack(va) @ np.stack(vb).T).min())


def _phash_candidates(ph: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i, j, distance) of positions in `ph` within `radius`, without blowing up on
    many identical hashes (black frames, blank scans): photos sharing one hash are linked
    as a chain and different hashes through one representative each. Clustering merges
    the same groups from these edges, and its limits still check every member."""
    uniq, first, inverse = np.unique(ph, return_index=True, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    same = inverse[order[1:]] == inverse[order[:-1]]
    chain_i, chain_j = order[:-1][same], order[1:][same]
    i, j, d = HammingIndex(uniq).pairs_within(radius)
    return (np.concatenate([chain_i, first[i]]), np.concatenate([chain_j, first[j]]),
            np.concatenate([np.zeros(chain_i.size, np.int16), d]))


def _knn_many(index, vecs: np.ndarray, k: int, ef: int) -> tuple[np.ndarray, np.ndarray]:
    """Batched kNN; rows hnswlib cannot fill (many deleted labels) fall back to one by one."""
    try:
        return index.knn_many(vecs, k, ef)
    except RuntimeError:
        rows = [index.knn(v, k) for v in vecs]
        width = max((r[0].size for r in rows), default=0)
        labels = np.full((len(rows), width), -1, np.int64)
        scores = np.full((len(rows), width), -1.0, np.float32)
        for i, (lab, sc) in enumerate(rows):
            labels[i, :lab.size], scores[i, :sc.size] = lab, sc
        return labels, scores


def _cluster(edges, compatible, hashes: list[str], refused: set, max_size: int) -> list[list[int]]:
    """Greedy agglomerative merging over edges (best first) with union-find: a merge happens
    only if the merged group stays within the limits (`compatible`), below `max_size`, and
    contains no pair the user marked as not duplicates."""
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    refused_by: dict[str, set[str]] = defaultdict(set)
    for a, b in refused:
        refused_by[a].add(b)
        refused_by[b].add(a)

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    for _, a, b in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ma, mb = members.get(ra, [a]), members.get(rb, [b])
        if len(ma) + len(mb) > max_size:
            continue
        if refused_by and _any_refused(ma, mb, hashes, refused_by):
            continue
        if not compatible(ma, mb):
            continue
        parent[rb] = ra
        members[ra] = ma + mb
        members.pop(rb, None)
    return [sorted(m) for m in members.values() if len(m) > 1]


def _any_refused(ma, mb, hashes, refused_by) -> bool:
    hb = {hashes[n] for n in mb}
    return any(refused_by.get(hashes[n], set()) & hb for n in ma)


def _finish(group: Group) -> Group:
    """Give a group a stable id: tier + its files' paths and hashes."""
    key = "\n".join([group.tier] + sorted(f"{i.hash} {to_db_path(i.path)}" for i in group.items))
    group.id = hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
    return group
