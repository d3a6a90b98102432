"""Auto-tagging with the user's own labels: zero-shot CLIP classification with calibration.

How a photo x (unit image embedding) is scored against a label:

1. **Prompt ensemble.** Each prompt is written into every template (prompts.TEMPLATES), the
   text embeddings are averaged and renormalised; the prompts' vectors are averaged and
   renormalised again into the label's text prototype t.
2. **Calibration against a background.** The same templates filled with generic nouns
   ("something", "a scene", ...) give K background vectors b_k. The label's score is the
   probability CLIP's own softmax (logit scale T = 100) gives the label when it competes
   with the background:  p = e^{T x.t} / (e^{T x.t} + sum_k e^{T x.b_k}),
   i.e. sigmoid(z_text) with z_text = T x.t - log sum_k e^{T x.b_k}.
   Why this and not a z-score over the library or a softmax over the user's labels:
   - it does not depend on what else is in the library, so a photo's tags do not flip as
     the library grows, and a label works on a library of ten photos;
   - it does not depend on the other labels, so adding "dog" never removes "pets", and a
     photo can carry several labels (tags are not mutually exclusive);
   - template wording appears on both sides and cancels, and every label's score is a
     probability with the same meaning, so one default threshold (0.5: "more like the
     label than like a generic photo") is a sensible start for every label.
3. **Example photos.** Image-to-image cosines are on a different scale from image-to-text
   ones (CLIP's modality gap), so averaging example vectors into t would drown the text.
   Examples therefore add evidence on the logit scale instead:
   z_examples = T * w * (pos(x) - neg(x)), where pos(x) is the highest cosine to a positive
   example and neg(x) the highest to a negative one. A missing side is replaced by g(x),
   the cosine to the library's mean image ("a generic photo"); with negatives only, the
   term can only lower a score. A photo is never its own example (self-matches are
   masked), which keeps threshold tuning from reviewed photos honest.
   Final score: sigmoid(z_text + z_examples).
4. **Thresholds and review.** A photo is tagged when its score >= the label's threshold.
   Review decisions are stored as 'confirmed'/'rejected' rows that the model never
   overrides, become positive/negative examples, and (unless the user fixed the threshold)
   re-tune the threshold to best separate confirmed from rejected photos.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import imaging
from . import prompts as prompts_mod
from .catalog import Catalog
from .paths import is_under
from .tagging_store import Example, Label, LabelStore, TaggingError, has_labels, is_tagged

log = logging.getLogger(__name__)

LOGIT_SCALE = 100.0  # CLIP's learned softmax temperature (OpenAI and LAION models: 100)
# Image-image cosines spread about twice as wide as image-text ones; 0.5 puts the two kinds
# of evidence on a similar scale (a heuristic, not tuned with real weights).
EXAMPLE_WEIGHT = 0.5
BORDERLINE_BAND = 0.15  # scores within this of the threshold are "borderline"
THRESHOLD_RANGE = (0.02, 0.98)
APPLY_CHUNK = 4096  # photos scored and committed together by a retroactive apply

__all__ = ["Tagger", "TaggingConfig", "TaggingError", "tagged_hashes", "tag_new_photos",
           "tag_keywords",
           "has_labels", "LabelStore", "Label", "Example"]


@dataclass(frozen=True)
class TaggingConfig:
    templates: tuple[str, ...] = prompts_mod.TEMPLATES
    background: tuple[str, ...] = prompts_mod.BACKGROUND_FILLERS
    logit_scale: float = LOGIT_SCALE
    example_weight: float = EXAMPLE_WEIGHT
    band: float = BORDERLINE_BAND


@dataclass
class Prototype:
    """Everything needed to score photos against one label under one model."""

    label: Label
    text: np.ndarray  # (D,)
    background: np.ndarray  # (K, D)
    pos: np.ndarray  # (P, D)
    pos_hashes: np.ndarray
    neg: np.ndarray  # (N, D)
    neg_hashes: np.ndarray
    centroid: np.ndarray | None  # (D,) mean library image; only when there are examples

    def __post_init__(self) -> None:
        self.text_and_background = np.ascontiguousarray(
            np.vstack([self.text[None], self.background]).T.astype(np.float32))  # (D, 1 + K)


@dataclass
class Progress:
    """Shaped like indexer.Progress so the same progress bars work."""

    phase: str
    done: int
    total: int
    problems: int = 0


@dataclass
class ApplyReport:
    label: str
    tagged: int = 0  # photos carrying the tag afterwards (auto + confirmed)
    added: int = 0
    removed: int = 0
    scored: int = 0


@dataclass
class TagInfo:
    label: str
    score: float | None
    source: str | None  # auto | confirmed | rejected | None (not tagged)
    tagged: bool

    def to_json(self) -> dict:
        return {"label": self.label, "score": None if self.score is None else round(self.score, 4),
                "source": self.source, "tagged": self.tagged}


@dataclass
class LabelViews:
    """What the GUI shows for one label: sure tags, the ones worth a look, and the no's."""

    confident: list[tuple[str, float | None, str]] = field(default_factory=list)
    borderline: list[tuple[str, float | None, str | None]] = field(default_factory=list)
    rejected: list[tuple[str, float | None, str]] = field(default_factory=list)


# -- public functions used by other modules ---------------------------------------------
def tagged_hashes(catalog: Catalog, tags: list[str]) -> set[str]:
    """Content hashes carrying ALL the given tags (see tagging_store.TAGGED_SQL)."""
    return LabelStore(catalog).tagged_hashes(tags)


def tag_keywords(catalog: Catalog, folder: str | None = None) -> list[tuple[str, list[str]]]:
    """(file path, sorted tag names) for every tagged file, optionally under one folder:
    what XMP export writes (labels only, not the keywords files already carry)."""
    by_hash: dict[str, list[str]] = {}
    store = LabelStore(catalog)
    for lab in store.all():
        for h in store.tagged_hashes([lab.name], keywords=False):
            by_hash.setdefault(h, []).append(lab.name)
    out = []
    for h, paths in catalog.paths_of(list(by_hash)).items():
        for p in paths:
            if folder is None or is_under(p, folder):
                out.append((p, sorted(by_hash[h], key=str.lower)))
    return sorted(out)


def tag_new_photos(library, hashes: Sequence[str], vectors: np.ndarray | None = None) -> int:
    """Tag freshly embedded photos with every label; called by the indexer after each batch
    commit. Costs one tiny query when no labels exist. Returns the number of tags added."""
    if not hashes or not has_labels(library.catalog):
        return 0
    return Tagger(library).tag_photos(list(hashes), vectors)


# -- the engine ---------------------------------------------------------------------------
_cache_lock = threading.Lock()
# embedder -> {text: unit vector}; weak so a closed library's model is not kept alive
_text_cache: weakref.WeakKeyDictionary[object, dict[str, np.ndarray]] = \
    weakref.WeakKeyDictionary()
_TEXT_CACHE_MAX = 20_000


class Tagger:
    """Scores, applies and reviews labels for one library under its current model."""

    def __init__(self, library, config: TaggingConfig | None = None):
        self.lib = library
        self.catalog: Catalog = library.catalog
        self.store = LabelStore(library.catalog)
        self.config = config or TaggingConfig()
        self._centroid: np.ndarray | None = None

    @property
    def model_id(self) -> str:
        return self.lib.model_id

    # -- prototypes ---------------------------------------------------------------------
    def encode_texts(self, texts: list[str]) -> np.ndarray:
        """Unit text embeddings, cached per model across calls (and indexing batches)."""
        emb = self.lib.query_encoder()
        with _cache_lock:
            cache = _text_cache.setdefault(emb, {})
            missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            vecs = np.concatenate([np.asarray(emb.encode_text(missing[i:i + 256]), np.float32)
                                   for i in range(0, len(missing), 256)])
            with _cache_lock:
                if len(cache) > _TEXT_CACHE_MAX:
                    cache.clear()
                cache.update(zip(missing, vecs))
        with _cache_lock:
            return np.stack([cache[t] for t in texts])

    def _texts(self, prompt: str, use_templates: bool) -> list[str]:
        return [t.format(prompt) for t in self.config.templates] if use_templates else [prompt]

    def _ensemble_key(self, texts: list[str]) -> str:
        return "tagging:text:" + hashlib.blake2b(
            json.dumps([self.model_id, texts]).encode(), digest_size=12).hexdigest()

    def prefetch(self, labels: list[Label]) -> None:
        """Encode every text these labels (and the background) still need in one batched
        model call: per-call overhead dominates when ensembles are encoded one by one."""
        wanted: list[str] = []
        for use in {lab.use_templates for lab in labels}:
            for prompt in [*self.config.background,
                           *(p for lab in labels if lab.use_templates == use for p in lab.prompts)]:
                texts = self._texts(prompt, use)
                if self.catalog.get_meta(self._ensemble_key(texts)) is None:
                    wanted += texts
        if wanted:
            self.encode_texts(wanted)

    def ensemble(self, prompt: str, use_templates: bool = True) -> np.ndarray:
        """One prompt through every template: mean of the text embeddings, renormalised.
        Stored in the catalog per model, so a CLI call does not re-encode every label's
        templates (hundreds of texts: minutes on a busy CPU)."""
        texts = self._texts(prompt, use_templates)
        key = self._ensemble_key(texts)
        cached = self.catalog.get_meta(key)
        if cached:
            return np.frombuffer(base64.b64decode(cached), np.float32)
        vec = _unit(self.encode_texts(texts).mean(axis=0))
        if not getattr(self.lib, "readonly", False):
            self.catalog.set_meta(key, base64.b64encode(vec.astype(np.float32).tobytes())
                                  .decode())
        return vec

    def text_prototype(self, label: Label) -> np.ndarray:
        return _unit(np.stack([self.ensemble(p, label.use_templates)
                               for p in label.prompts]).mean(axis=0))

    def background(self, use_templates: bool = True) -> np.ndarray:
        return np.stack([self.ensemble(f, use_templates) for f in self.config.background])

    def prototype(self, label: Label) -> Prototype:
        pos_h, pos = self._example_vectors(label.positives)
        neg_h, neg = self._example_vectors(label.negatives)
        centroid = self.centroid() if (len(pos_h) or len(neg_h)) else None
        return Prototype(label, self.text_prototype(label), self.background(label.use_templates),
                         pos, pos_h, neg, neg_h, centroid)

    def centroid(self, refresh: bool = False) -> np.ndarray:
        """Mean image embedding of the library under this model ("a generic photo").
        Cached in the catalog: computed by a full apply, reused by per-batch tagging so
        indexing never rescans the library (the mean drifts slowly as photos arrive)."""
        if self._centroid is not None and not refresh:
            return self._centroid
        key = f"tagging:centroid:{self.model_id}"
        cached = None if refresh else self.catalog.get_meta(key)
        if cached:
            self._centroid = np.asarray(json.loads(cached), np.float32)
            return self._centroid
        total: np.ndarray | None = None
        n = 0
        for _, vecs in self.catalog.iter_embeddings(self.model_id):
            total = vecs.sum(axis=0) if total is None else total + vecs.sum(axis=0)
            n += len(vecs)
        dim = self.lib.embedding_dim() or self.lib.query_encoder().dim
        self._centroid = _unit(total / n) if total is not None else np.zeros(dim, np.float32)
        if n:
            self.catalog.set_meta(key, json.dumps([round(float(v), 6) for v in self._centroid]))
        return self._centroid

    def _example_vectors(self, examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
        hashes, vecs = [], []
        for ex in examples:
            vec = self.catalog.embedding(ex.hash, self.model_id)
            if vec is None and ex.vector is not None and ex.model_id == self.model_id:
                vec = ex.vector
            if vec is None and ex.path:
                vec = self._embed_file(ex.path, quiet=True)
            if vec is None:
                log.warning("example %s of label %s has no embedding under %s; ignored",
                            ex.path or ex.hash, ex.hash, self.model_id)
                continue
            hashes.append(ex.hash)
            vecs.append(vec)
        dim = self.lib.embedding_dim() or self.lib.query_encoder().dim
        return (np.array(hashes, dtype=object),
                np.stack(vecs).astype(np.float32) if vecs else np.zeros((0, dim), np.float32))

    def _embed_file(self, path: str, quiet: bool = False) -> np.ndarray | None:
        emb = self.lib.query_encoder(images=True)
        try:
            decoded = imaging.decode_file(path, emb.image_size,
                                          **imaging.limits_of(self.lib.settings))
        except (OSError, imaging.ImageError) as exc:
            if quiet:
                return None
            raise TaggingError(f"cannot use {path} as an example: {exc}") from exc
        return np.asarray(emb.encode_images(decoded.pixels[None])[0], np.float32)

    # -- scoring ------------------------------------------------------------------------
    def score(self, proto: Prototype, vectors: np.ndarray, hashes: Sequence[str]) -> np.ndarray:
        """Calibrated scores in [0, 1] of photos (rows of `vectors`) for one label."""
        x = np.asarray(vectors, np.float32)  # float32 matmuls stay on the BLAS fast path
        if x.size == 0:
            return np.zeros(0)
        return _sigmoid(self.logits(proto, x, np.asarray(list(hashes), dtype=object)))

    def score_many(self, protos: list[Prototype], vectors: np.ndarray,
                   hashes: Sequence[str]) -> list[np.ndarray]:
        """score() for several labels with one matrix product (what apply uses)."""
        x = np.asarray(vectors, np.float32)
        if not protos or x.size == 0:
            return [np.zeros(0) for _ in protos]
        sims = (x @ np.hstack([p.text_and_background for p in protos])).astype(np.float64)
        h = np.asarray(list(hashes), dtype=object)
        out, col = [], 0
        for p in protos:
            width = p.text_and_background.shape[1]
            out.append(_sigmoid(self.logits(p, x, h, sims[:, col:col + width])))
            col += width
        return out

    def logits(self, proto: Prototype, x: np.ndarray, hashes: np.ndarray,
               sims: np.ndarray | None = None) -> np.ndarray:
        T = self.config.logit_scale
        if sims is None:
            sims = (x @ proto.text_and_background).astype(np.float64)  # (N, 1 + K)
        z = T * sims[:, 0] - _logsumexp(T * sims[:, 1:])
        if proto.centroid is None:
            return z
        generic = (x @ proto.centroid).astype(np.float64)
        pos = _best((x @ proto.pos.T).astype(np.float64), hashes, proto.pos_hashes, generic)
        neg = _best((x @ proto.neg.T).astype(np.float64), hashes, proto.neg_hashes, generic)
        ev = pos - neg
        if not len(proto.pos_hashes):
            ev = np.minimum(ev, 0.0)  # negatives alone can only lower a score
        return z + T * self.config.example_weight * ev

    def scores_for(self, label: Label, hashes: Sequence[str]) -> dict[str, float]:
        """Scores of library photos (by hash) that have an embedding under this model."""
        have = self.catalog.embedding_ids_for(self.model_id, list(hashes))
        if not have:
            return {}
        hs = list(have)
        found = self.catalog.embeddings_of(self.model_id, hs)
        hs = [h for h in hs if h in found]
        vecs = np.stack([found[h] for h in hs])
        return dict(zip(hs, self.score(self.prototype(label), vecs, hs).tolist()))

    # -- tagging ------------------------------------------------------------------------
    def tag_photos(self, hashes: list[str], vectors: np.ndarray | None = None,
                   labels: list[Label] | None = None) -> int:
        """(Re)compute auto tags of these photos for every label; decisions are kept."""
        if vectors is None:
            found = self.catalog.embeddings_of(self.model_id, hashes)
            hashes = [h for h in hashes if h in found]
            if not hashes:
                return 0
            vectors = np.stack([found[h] for h in hashes])
        added = 0
        labels = self.store.all() if labels is None else labels
        self.prefetch(labels)
        protos = [(lab, self.prototype(lab)) for lab in labels]
        with self.catalog.transaction():
            got = self.score_many([p for _, p in protos], vectors, hashes)
            for (lab, _), scores in zip(protos, got):
                added += self._sync(lab, dict(zip(hashes, scores.tolist())))[0]
        return added

    def apply(self, names: Iterable[str] | None = None,
              progress: Callable[[Progress], None] | None = None,
              cancel: threading.Event | None = None) -> list[ApplyReport]:
        """Retroactive tagging: score every embedded photo for the given labels (default all)
        and add/remove auto tags to match the current definitions. Decisions are kept."""
        labels = [self.store.get(n) for n in names] if names else self.store.all()
        if not labels:
            return []
        progress = progress or (lambda p: None)
        total = self.catalog.counts(self.model_id)["embedded"]
        if total == 0:  # nothing to score: no need to load the model
            with self.catalog.transaction():
                for lab in labels:
                    self.store.mark_applied(lab, lab.def_hash, self.model_id)
            return [ApplyReport(lab.name) for lab in labels]
        if any(lab.examples for lab in labels):
            self.centroid(refresh=True)  # fresh mean image for this full pass
        self.prefetch(labels)
        protos = [self.prototype(lab) for lab in labels]
        # Stored rows are read once; each chunk is then scored and committed on its own,
        # so memory stays flat at any library size and a kill loses one chunk. A label is
        # marked applied only after its last chunk, so an interrupted apply shows as
        # "needs apply" and simply runs again.
        rows = [self.store.tag_rows(lab) for lab in labels]
        reports = [ApplyReport(lab.name) for lab in labels]
        done = 0
        progress(Progress("tagging", 0, total))
        for ids, vecs in self.catalog.iter_embeddings(self.model_id, batch=APPLY_CHUNK):
            if cancel is not None and cancel.is_set():
                raise TaggingError("tagging cancelled; run 'photosearch labels apply' again")
            by_id = self.catalog.ids_to_hashes(ids.tolist())
            hashes = [by_id[i] for i in ids.tolist()]
            got = self.score_many(protos, vecs, hashes)
            with self.catalog.transaction():
                for lab, stored, rep, scores in zip(labels, rows, reports, got):
                    added, removed = self._sync(lab, dict(zip(hashes, scores.tolist())), stored)
                    rep.added += added
                    rep.removed += removed
                    rep.scored += len(hashes)
            done += len(ids)
            progress(Progress("tagging", done, total))
        with self.catalog.transaction():
            for lab, rep in zip(labels, reports):
                self.store.mark_applied(lab, lab.def_hash, self.model_id)
                rep.tagged = len(self.store.tag_rows(lab, ("auto", "confirmed")))
        progress(Progress("done", done, total))
        return reports

    def _sync(self, label: Label, scores: dict[str, float],
              rows: dict[str, tuple[float | None, str]] | None = None) -> tuple[int, int]:
        """Make the stored auto tags of these photos match their scores; returns (added,
        removed). Confirmed and rejected rows only get their score refreshed."""
        rows = self.store.tag_rows(label) if rows is None else rows
        decided = {h for h, (_, src) in rows.items() if src != "auto"}
        auto = {h for h, (_, src) in rows.items() if src == "auto"}
        keep = [(h, s, "auto") for h, s in scores.items()
                if s >= label.threshold and h not in decided]
        drop = [h for h, s in scores.items() if h in auto and s < label.threshold]
        changed = [row for row in keep if row[0] not in auto
                   or abs((rows[row[0]][0] or 0.0) - row[1]) > 1e-6]  # skip identical rows
        self.store.set_tags(label, changed, self.model_id)
        self.store.delete_tags(label, drop)
        self.store.update_scores(label, [(h, scores[h]) for h in decided if h in scores])
        added = sum(1 for h, _, _ in keep if h not in auto)
        return added, len(drop)

    # -- reading tags -------------------------------------------------------------------
    def tags_of(self, hash_: str, all_labels: bool = False) -> list[TagInfo]:
        """A photo's tags (or every label's score) with live scores under this model."""
        stored = self.store.tags_of(hash_)
        vec = self.catalog.embedding(hash_, self.model_id)
        out = []
        labels = self.store.all()
        if vec is not None:
            self.prefetch(labels)
        for lab in labels:
            score = None
            if vec is not None:
                score = float(self.score(self.prototype(lab), vec[None], [hash_])[0])
            s_score, source = stored.get(lab.id, (None, None))
            if score is None:
                score = s_score
            # tagged as search sees it (stored rows); the score shown is the live one
            tagged = is_tagged(source, s_score, lab.threshold)
            if tagged or all_labels or source == "rejected":
                out.append(TagInfo(lab.name, score, source, tagged))
        return sorted(out, key=lambda t: (not t.tagged, -(t.score or 0)))

    def views(self, name: str, limit: int = 100) -> LabelViews:
        """Confident (confirmed, or auto well above threshold), borderline (undecided, within
        the band around the threshold) and rejected photos of a label, best first."""
        lab = self.store.get(name)
        rows = self.store.tag_rows(lab)
        band = self.config.band
        v = LabelViews()
        proto = self.prototype(lab)
        for ids, vecs in self.catalog.iter_embeddings(self.model_id, batch=4096):
            by_id = self.catalog.ids_to_hashes(ids.tolist())
            hashes = [by_id[i] for i in ids.tolist()]
            for h, s in zip(hashes, self.score(proto, vecs, hashes).tolist()):
                src = rows.get(h, (None, None))[1]
                if src == "rejected":
                    v.rejected.append((h, s, src))
                elif src == "confirmed" or s >= lab.threshold + band:
                    v.confident.append((h, s, src or "auto"))
                elif abs(s - lab.threshold) < band:
                    v.borderline.append((h, s, src))
        for h, (s, src) in rows.items():  # decided photos without an embedding (model switch)
            if src == "confirmed" and all(h != c[0] for c in v.confident):
                v.confident.append((h, s, src))
            elif src == "rejected" and all(h != r[0] for r in v.rejected):
                v.rejected.append((h, s, src))
        key = lambda t: -(t[1] if t[1] is not None else -1)  # noqa: E731
        v.confident.sort(key=key)
        v.rejected.sort(key=key)
        v.borderline.sort(key=lambda t: abs((t[1] or 0) - lab.threshold))
        v.confident, v.borderline, v.rejected = (v.confident[:limit], v.borderline[:limit],
                                                 v.rejected[:limit])
        return v

    # -- definitions --------------------------------------------------------------------
    def add_examples(self, label: Label, paths: list[str], positive: bool) -> Label:
        """Example photos (files in the library or not). Library photos also become
        confirmed/rejected decisions, so an example is never contradicted by its own tag."""
        for path in paths:
            h = self.catalog.hash_of(path)
            if h is None:
                try:
                    h = imaging.hash_file(path)[0]
                except OSError as exc:
                    raise TaggingError(f"cannot read example {path}: "
                                       f"{exc.strerror or exc}") from exc
            vec = self.catalog.embedding(h, self.model_id)
            if vec is None:
                vec = self._embed_file(path)
                self.store.put_example(label, Example(h, positive, "user", path,
                                                      self.model_id, vec))
            else:
                self.store.put_example(label, Example(h, positive, "user", path))
            if self.catalog.paths_of([h]):
                self.store.set_tags(label, [(h, None, "confirmed" if positive else "rejected")],
                                    self.model_id)
        return self.store.rehash(label)

    def remove_examples(self, label: Label, hashes: list[str]) -> Label:
        """Forget example photos, and the decisions they stood for."""
        with self.catalog.transaction():
            self.store.drop_examples(label, hashes)
            self.store.delete_tags(label, hashes, only_auto=False)
            return self.store.rehash(label)

    def review(self, name: str, hashes: list[str], accept: bool) -> Label:
        """Record the user's decision on photos of a label. Decisions win over the model
        forever, become examples, and re-tune the threshold unless the user set it."""
        lab = self.store.get(name)
        scores = self.scores_for(lab, hashes)
        src = "confirmed" if accept else "rejected"
        with self.catalog.transaction():
            self.store.set_tags(lab, [(h, scores.get(h), src) for h in hashes], self.model_id)
            for h in hashes:
                self.store.put_example(lab, Example(h, accept, "review"))
            lab = self.store.rehash(lab)
        return self.tune_threshold(lab)

    def clear_decisions(self, name: str, hashes: list[str]) -> Label:
        """Forget decisions (and review-learnt examples): the model decides again."""
        lab = self.store.get(name)
        with self.catalog.transaction():
            self.store.delete_tags(lab, hashes, only_auto=False)
            review = [e.hash for e in lab.examples if e.origin == "review" and e.hash in hashes]
            self.store.drop_examples(lab, review)
            lab = self.store.rehash(lab)
        return lab

    def tune_threshold(self, label: Label) -> Label:
        """Pick the threshold that best separates confirmed from rejected photos (balanced
        accuracy; scores are leave-one-out, since a photo never matches itself as an
        example). Needs at least one of each; a user-set threshold is never changed."""
        if label.threshold_user:
            return label
        rows = self.store.tag_rows(label, ("confirmed", "rejected"))
        scores = self.scores_for(label, list(rows))
        yes = np.array([s for h, s in scores.items() if rows[h][1] == "confirmed"])
        no = np.array([s for h, s in scores.items() if rows[h][1] == "rejected"])
        if not len(yes) or not len(no):
            return label
        best = pick_threshold(yes, no, label.threshold)
        if abs(best - label.threshold) < 1e-6:
            return label
        log.info("label %s: threshold tuned %.3f -> %.3f from %d/%d decisions",
                 label.name, label.threshold, best, len(yes), len(no))
        return self.store.update(label, threshold=best, threshold_user=False)


def pick_threshold(yes: np.ndarray, no: np.ndarray, current: float) -> float:
    """Midpoint cut with the best balanced accuracy; ties go to the one nearest `current`."""
    values = np.unique(np.concatenate([yes, no]))
    cuts = np.concatenate([[values[0] - 1e-3], (values[:-1] + values[1:]) / 2,
                           [values[-1] + 1e-3]])
    lo, hi = THRESHOLD_RANGE
    cuts = np.clip(cuts, lo, hi)
    acc = np.array([((yes >= c).mean() + (no < c).mean()) / 2 for c in cuts])
    best = np.flatnonzero(acc >= acc.max() - 1e-9)
    return float(cuts[best[np.argmin(np.abs(cuts[best] - current))]])


def _best(sims: np.ndarray, hashes: np.ndarray, example_hashes: np.ndarray,
          fallback: np.ndarray) -> np.ndarray:
    """Highest similarity to any example other than the photo itself, else `fallback`."""
    if sims.shape[1] == 0:
        return fallback
    sims = sims.copy()
    sims[hashes[:, None] == example_hashes[None, :]] = -np.inf
    best = sims.max(axis=1)
    return np.where(np.isfinite(best), best, fallback)


def _logsumexp(a: np.ndarray) -> np.ndarray:
    m = a.max(axis=1)
    return m + np.log(np.exp(a - m[:, None]).sum(axis=1))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, np.float64)))


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else np.asarray(v, np.float32)
