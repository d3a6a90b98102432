"""Labels, their prompts and examples, and per-photo tags as stored in the catalog.

Plain SQL over the tables of migration 0003; no model here. The scoring engine lives in
tagging.py. A label's definition hash changes whenever anything that affects its scores
changes, which is how "this label needs to be applied again" is detected.
"""

from __future__ import annotations

import hashlib
import json
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .catalog import Catalog
from .query import QueryError

DEFAULT_THRESHOLD = 0.5
SOURCES = ("auto", "confirmed", "rejected")

# The one "is tagged" rule, used by search, browse, the preview, the labels screen and XMP
# export: a user confirmation, or an automatic score at or above the label's threshold; a
# user rejection never. TAGGED_SQL is the same rule over `photo_tags t JOIN labels l`.
TAGGED_SQL = "(t.source = 'confirmed' OR (t.source = 'auto' AND t.score >= l.threshold))"


def is_tagged(source: str | None, score: float | None, threshold: float) -> bool:
    """TAGGED_SQL for one stored row (source, score) of a label with this threshold."""
    return source == "confirmed" or (source == "auto" and score is not None
                                     and score >= threshold)


class TaggingError(QueryError):
    """A tagging request the user has to fix (unknown label, duplicate name...)."""


@dataclass
class Example:
    hash: str
    positive: bool
    origin: str  # user | review
    path: str | None = None
    model_id: str | None = None
    vector: np.ndarray | None = None


@dataclass
class Label:
    id: int
    name: str
    threshold: float
    threshold_user: bool
    use_templates: bool
    starter_set: str | None
    prompts: list[str]
    examples: list[Example] = field(default_factory=list)
    def_hash: str | None = None
    applied_hash: str | None = None
    applied_model: str | None = None

    def needs_apply(self, model_id: str) -> bool:
        return self.applied_hash != self.def_hash or self.applied_model != model_id

    @property
    def positives(self) -> list[Example]:
        return [e for e in self.examples if e.positive]

    @property
    def negatives(self) -> list[Example]:
        return [e for e in self.examples if not e.positive]

    def to_json(self) -> dict:
        return {"name": self.name, "prompts": self.prompts, "threshold": round(self.threshold, 4),
                "threshold_from": "user" if self.threshold_user else "auto",
                "templates": self.use_templates, "starter_set": self.starter_set,
                "examples": sum(e.positive for e in self.examples),
                "not_examples": sum(not e.positive for e in self.examples)}


def has_labels(catalog: Catalog) -> bool:
    """Cheap check used on every indexing batch."""
    return catalog.conn.execute("SELECT 1 FROM labels LIMIT 1").fetchone() is not None


class LabelStore:
    """CRUD for labels, examples and decisions in one catalog."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.conn = catalog.conn

    # -- labels -------------------------------------------------------------------------
    def all(self) -> list[Label]:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM labels ORDER BY name")]
        return [self._load(i) for i in ids]

    def get(self, name: str) -> Label:
        return self._load(self._id(name))

    def _id(self, name: str) -> int:
        check_text(name, "label name")
        row = self.conn.execute("SELECT id FROM labels WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise TaggingError(f"no label named '{name}' (see 'photosearch labels list')")
        return int(row[0])

    def exists(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM labels WHERE name = ?", (name,)).fetchone() \
            is not None

    def add(self, name: str, prompts: list[str] | None = None, threshold: float | None = None,
            use_templates: bool = True, starter_set: str | None = None) -> Label:
        name = _clean_name(name)
        if self.exists(name):
            raise TaggingError(f"a label named '{name}' already exists; use 'labels edit'")
        prompts = _clean_prompts(prompts) or [name.replace("-", " ").replace("_", " ")]
        now = time.time()
        with self.catalog.transaction():
            cur = self.conn.execute(
                "INSERT INTO labels(name, threshold, threshold_user, use_templates, starter_set, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (name, _check_threshold(threshold) if threshold is not None else DEFAULT_THRESHOLD,
                 int(threshold is not None), int(use_templates), starter_set, now, now))
            label_id = int(cur.lastrowid or 0)
            self._set_prompts(label_id, prompts)
            self._rehash(label_id)
        return self._load(label_id)

    def update(self, label: Label, *, name: str | None = None, prompts: list[str] | None = None,
               threshold: float | None = None, threshold_user: bool | None = None,
               use_templates: bool | None = None) -> Label:
        """Change a label's definition; None leaves a field as it is."""
        sets: dict[str, object] = {"updated_at": time.time()}
        if name is not None and name != label.name:
            name = _clean_name(name)
            if name.lower() != label.name.lower() and self.exists(name):
                raise TaggingError(f"a label named '{name}' already exists")
            sets["name"] = name
        if threshold is not None:
            sets["threshold"] = _check_threshold(threshold)
        if threshold_user is not None:
            sets["threshold_user"] = int(threshold_user)
        if use_templates is not None:
            sets["use_templates"] = int(use_templates)
        with self.catalog.transaction():
            cols = ", ".join(f"{k} = ?" for k in sets)
            self.conn.execute(f"UPDATE labels SET {cols} WHERE id = ?", (*sets.values(), label.id))
            if prompts is not None:
                cleaned = _clean_prompts(prompts)
                if not cleaned:
                    raise TaggingError("a label needs at least one prompt")
                self._set_prompts(label.id, cleaned)
            self._rehash(label.id)
        return self._load(label.id)

    def remove(self, label: Label) -> None:
        with self.catalog.transaction():
            self.conn.execute("DELETE FROM labels WHERE id = ?", (label.id,))

    def mark_applied(self, label: Label, def_hash: str | None, model_id: str) -> None:
        self.conn.execute("UPDATE labels SET applied_hash = ?, applied_model = ? WHERE id = ?",
                          (def_hash, model_id, label.id))

    # -- examples -----------------------------------------------------------------------
    def put_example(self, label: Label, ex: Example) -> None:
        vec = None if ex.vector is None else np.asarray(ex.vector, np.float32).tobytes()
        self.conn.execute(
            "INSERT OR REPLACE INTO label_examples(label_id, hash, positive, origin, path, "
            "model_id, vector, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (label.id, ex.hash, int(ex.positive), ex.origin, ex.path, ex.model_id, vec,
             time.time()))

    def drop_examples(self, label: Label, hashes: list[str]) -> int:
        return self.conn.executemany(
            "DELETE FROM label_examples WHERE label_id = ? AND hash = ?",
            [(label.id, h) for h in hashes]).rowcount

    def rehash(self, label: Label) -> Label:
        self._rehash(label.id)
        return self._load(label.id)

    # -- tags ---------------------------------------------------------------------------
    def tag_rows(self, label: Label, sources=SOURCES) -> dict[str, tuple[float | None, str]]:
        q = ",".join("?" * len(sources))
        return {h: (s, src) for h, s, src in self.conn.execute(
            f"SELECT hash, score, source FROM photo_tags WHERE label_id = ? AND source IN ({q})",
            (label.id, *sources))}

    def tagged_hashes(self, names: list[str], keywords: bool = True) -> set[str]:
        """Content hashes carrying ALL the given tags; a tag is a label or (keywords=True) a
        keyword a file already carries (core/keywords.py). Names that are neither raise
        TaggingError."""
        from .keywords_store import KeywordStore

        result: set[str] | None = None
        for name in names:
            hashes = KeywordStore(self.catalog).hashes_with_keyword(name) if keywords \
                else set()
            if hashes and not self.exists(name):
                result = hashes if result is None else result & hashes
                continue
            hashes |= {h for (h,) in self.conn.execute(
                "SELECT t.hash FROM photo_tags t JOIN labels l ON l.id = t.label_id "
                f"WHERE t.label_id = ? AND {TAGGED_SQL}", (self._id(name),))}
            result = hashes if result is None else result & hashes
        return result or set()

    def tagged_counts(self) -> dict[int, int]:
        """label id -> how many photos it tags (files or not)."""
        return dict(self.conn.execute(
            "SELECT t.label_id, COUNT(*) FROM photo_tags t JOIN labels l ON l.id = t.label_id "
            f"WHERE {TAGGED_SQL} GROUP BY t.label_id").fetchall())

    def tag_names_of(self, hash_: str) -> list[str]:
        """The names of the labels a photo is tagged with, in label order (by name)."""
        return [name for (name,) in self.conn.execute(
            "SELECT l.name FROM photo_tags t JOIN labels l ON l.id = t.label_id "
            f"WHERE t.hash = ? AND {TAGGED_SQL} ORDER BY l.name", (hash_,))]

    def tags_of(self, hash_: str) -> dict[int, tuple[float | None, str]]:
        return {lid: (s, src) for lid, s, src in self.conn.execute(
            "SELECT label_id, score, source FROM photo_tags WHERE hash = ?", (hash_,))}

    def set_tags(self, label: Label, rows: Sequence[tuple[str, float | None, str]],
                 model_id: str | None) -> None:
        """Upsert (hash, score, source) rows."""
        now = time.time()
        self.conn.executemany(
            "INSERT OR REPLACE INTO photo_tags(hash, label_id, score, source, model_id, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(h, label.id, s, src, model_id, now) for h, s, src in rows])

    def update_scores(self, label: Label, rows: list[tuple[str, float]]) -> None:
        self.conn.executemany("UPDATE photo_tags SET score = ? WHERE label_id = ? AND hash = ?",
                              [(s, label.id, h) for h, s in rows])

    def delete_tags(self, label: Label, hashes: list[str], only_auto: bool = True) -> int:
        extra = " AND source = 'auto'" if only_auto else ""
        return self.conn.executemany(
            f"DELETE FROM photo_tags WHERE label_id = ? AND hash = ?{extra}",
            [(label.id, h) for h in hashes]).rowcount

    # -- internals ----------------------------------------------------------------------
    def _set_prompts(self, label_id: int, prompts: list[str]) -> None:
        self.conn.execute("DELETE FROM label_prompts WHERE label_id = ?", (label_id,))
        self.conn.executemany(
            "INSERT INTO label_prompts(label_id, position, prompt) VALUES (?, ?, ?)",
            [(label_id, i, p) for i, p in enumerate(prompts)])

    def _rehash(self, label_id: int) -> None:
        lab = self._load(label_id)
        spec = {"prompts": lab.prompts, "threshold": round(lab.threshold, 6),
                "templates": lab.use_templates,
                "examples": sorted((e.hash, e.positive) for e in lab.examples)}
        digest = hashlib.blake2b(json.dumps(spec).encode(), digest_size=8).hexdigest()
        self.conn.execute("UPDATE labels SET def_hash = ? WHERE id = ?", (digest, label_id))

    def _load(self, label_id: int) -> Label:
        row = self.conn.execute(
            "SELECT id, name, threshold, threshold_user, use_templates, starter_set, def_hash, "
            "applied_hash, applied_model FROM labels WHERE id = ?", (label_id,)).fetchone()
        prompts = [r[0] for r in self.conn.execute(
            "SELECT prompt FROM label_prompts WHERE label_id = ? ORDER BY position", (label_id,))]
        examples = [Example(h, bool(pos), origin, path, mid,
                            None if vec is None else np.frombuffer(vec, np.float32))
                    for h, pos, origin, path, mid, vec in self.conn.execute(
                        "SELECT hash, positive, origin, path, model_id, vector FROM label_examples "
                        "WHERE label_id = ? ORDER BY added_at, hash", (label_id,))]
        return Label(row[0], row[1], row[2], bool(row[3]), bool(row[4]), row[5], prompts,
                     examples, row[6], row[7], row[8])


def merge_photo_tags(catalog: Catalog, removed: Sequence[str], keeper: str,
                     prior: list | None = None) -> int:
    """Give `keeper` the tags and review decisions of the `removed` copies; returns rows
    changed. The keeper's own decisions win; a removed copy's decision (confirmed/rejected)
    replaces the keeper's automatic tag; other rows are copied where the keeper has none.
    The removed photos' rows stay, so an undo restores them unchanged."""
    def rows(h: str) -> dict[int, tuple]:
        return {r[0]: r for r in catalog.conn.execute(
            "SELECT label_id, score, source, model_id FROM photo_tags WHERE hash = ?", (h,))}

    mine = rows(keeper)
    changes = []
    for h in removed:
        for label, (_, score, source, model_id) in rows(h).items():
            have = mine.get(label)
            if have is None or (have[2] == "auto" and source != "auto"):
                if prior is not None:  # what the keeper had: an undo puts it back
                    prior.append([label, *(have[1:] if have else (None, None, None))])
                mine[label] = (label, score, source, model_id)
                changes.append((keeper, label, score, source, model_id, time.time()))
    with catalog.transaction():
        catalog.conn.executemany(
            "INSERT OR REPLACE INTO photo_tags(hash, label_id, score, source, model_id, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)", changes)
    return len(changes)


def restore_photo_tags(catalog: Catalog, keeper: str, prior: Sequence[Sequence]) -> int:
    """Undo `merge_photo_tags`: each merged label of `keeper` goes back to what it was
    (`prior` rows: label, score, source, model_id; source None: the keeper had no row)."""
    with catalog.transaction():
        for label, score, source, model_id in prior:
            if source is None:
                catalog.conn.execute("DELETE FROM photo_tags WHERE hash = ? AND label_id = ?",
                                     (keeper, label))
            else:
                catalog.conn.execute(
                    "INSERT OR REPLACE INTO photo_tags(hash, label_id, score, source, "
                    "model_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (keeper, label, score, source, model_id, time.time()))
    return len(prior)

MAX_NAME_CHARS = 64


def check_text(text: str, what: str) -> str:
    """Reject text no catalog, filter or XMP sidecar can hold: undecodable bytes (from a
    terminal in another encoding), control characters, non-characters. Clear error naming
    the bad character, raised in core so the CLI and the app both get it."""
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            raise TaggingError(f"{what} {ascii(text)} is not valid text (undecodable bytes: "
                               "is the terminal set to UTF-8?); use letters, digits, - or _")
        if cat == "Cc" or cat == "Co" or ch in "\ufffe\uffff":
            raise TaggingError(f"{what} {ascii(text)} contains the control character "
                               f"U+{ord(ch):04X}; use letters, digits, - or _")
    return text


def _clean_name(name: str) -> str:
    check_text(name, "label name")
    name = " ".join(name.split())
    if not name:
        raise TaggingError("a label needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise TaggingError(f"label name is {len(name)} characters long; the limit is "
                           f"{MAX_NAME_CHARS} (put longer descriptions in --prompt)")
    if ":" in name or "," in name:
        raise TaggingError(f"label names cannot contain ':' or ',' ('{name}'); "
                           "they are used in tag: filters")
    if " " in name:
        raise TaggingError(f"label names are single words, for tag:NAME filters ('{name}'); "
                           "use - or _ (e.g. 'my-red-bike') and put the words in --prompt")
    return name


def _clean_prompts(prompts: list[str] | None) -> list[str]:
    out: list[str] = []
    for p in prompts or []:
        p = " ".join(check_text(p, "prompt").split())
        if p and p not in out:
            out.append(p)
    return out


def _check_threshold(x: float) -> float:
    if not 0.0 < x < 1.0:
        raise TaggingError(f"threshold {x} is out of range; it is a calibrated score "
                           "between 0 and 1 (default 0.5)")
    return float(x)
