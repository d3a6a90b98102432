"""Recognised text in the catalog (tables of migration 0006): the only SQL of the feature.

Per photo (content hash) a record of which engine read it; per text line the raw text, its
folded form, the recogniser's score and its box in oriented full-resolution pixels. Search
goes through `text_fts`, an FTS5 trigram index over the compact form (normalize.py), with
LIKE for queries shorter than a trigram. Queries of FUZZY_MIN+ characters also match a word
of a line within one edit (OCR misreads or drops a letter: CUISIN, LONDOA): the trigram
index picks the candidate lines, plain SQL settles most of them and an SQL function
(`ps_text_near`, registered on the connection here) checks the rest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from ..catalog import Catalog
from .normalize import FUZZY_MIN, compact, fold, near

_FTS_IDS = "SELECT rowid FROM text_fts WHERE text_fts MATCH ?"
_LIKE_IDS = "SELECT id FROM text_lines WHERE compact LIKE ? ESCAPE '\\'"


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float
    box: tuple[tuple[float, float], ...]  # 4 corners, oriented full-resolution pixels

    def to_json(self) -> dict:
        return {"text": self.text, "score": round(self.score, 4),
                "box": [[round(x, 1), round(y, 1)] for x, y in self.box]}


@dataclass(slots=True)
class TextMatch:
    """A photo whose text matched a query: the matching lines, best first."""

    hash: str
    lines: list[str] = field(default_factory=list)
    best_score: float = 0.0


@dataclass(frozen=True)
class TextRecord:
    engine: str
    lines: int
    error: str | None
    seconds: float | None
    done_at: float


class TextStore:
    """Text rows of one catalog connection (not shared between threads)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.conn = catalog.conn
        # idempotent and cheap; every SQL built by match_sql comes from a TextStore on the
        # connection that runs it, so the function is always there
        self.conn.create_function("ps_text_near", 2, _near_sql, deterministic=True)

    # -- writing ------------------------------------------------------------------------
    def save(self, hash_: str, engine: str, lines: Sequence[TextLine], *,
             error: str | None = None, seconds: float | None = None) -> None:
        """Replace a photo's text (one transaction: a kill leaves the old or the new)."""
        with self.catalog.transaction():
            self._delete_lines([hash_])
            for n, line in enumerate(lines):
                packed = compact(line.text)
                cur = self.conn.execute(
                    "INSERT INTO text_lines(hash, line_no, text, norm, compact, score, box) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (hash_, n, line.text, fold(line.text), packed, float(line.score),
                     json.dumps([[round(x, 1), round(y, 1)] for x, y in line.box])))
                self.conn.execute("INSERT INTO text_fts(rowid, compact) VALUES (?, ?)",
                                  (cur.lastrowid, packed))
            self.conn.execute(
                "INSERT OR REPLACE INTO text_photos(hash, engine, lines, error, seconds, done_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (hash_, engine, len(lines), error, seconds, time.time()))

    def _delete_lines(self, hashes: Sequence[str]) -> None:
        for chunk in _chunks(list(hashes), 500):
            q = ",".join("?" * len(chunk))
            ids = [r[0] for r in self.conn.execute(
                f"SELECT id FROM text_lines WHERE hash IN ({q})", chunk)]
            for id_chunk in _chunks(ids, 500):
                qi = ",".join("?" * len(id_chunk))
                self.conn.execute(f"DELETE FROM text_fts WHERE rowid IN ({qi})", id_chunk)
            self.conn.execute(f"DELETE FROM text_lines WHERE hash IN ({q})", chunk)

    def forget(self, hashes: Sequence[str] | None = None) -> int:
        """Drop recognised text (of these photos, or all); returns photo records dropped."""
        with self.catalog.transaction():
            if hashes is None:
                n = self.conn.execute("DELETE FROM text_photos").rowcount
                self.conn.execute("DELETE FROM text_lines")
                self.conn.execute("DELETE FROM text_fts")
                return n
            self._delete_lines(hashes)
            n = 0
            for chunk in _chunks(list(hashes), 500):
                q = ",".join("?" * len(chunk))
                n += self.conn.execute(f"DELETE FROM text_photos WHERE hash IN ({q})",
                                       chunk).rowcount
            return n

    def vacuum_index(self) -> None:
        """Rebuild the FTS index compactly (after a large forget)."""
        self.conn.execute("INSERT INTO text_fts(text_fts) VALUES ('optimize')")

    def purge_missing(self) -> int:
        """Drop text of photos whose catalog row is gone (purged orphans)."""
        gone = [r[0] for r in self.conn.execute(
            "SELECT t.hash FROM text_photos t WHERE NOT EXISTS "
            "(SELECT 1 FROM photos p WHERE p.hash = t.hash)")]
        return self.forget(gone) if gone else 0

    # -- reading ------------------------------------------------------------------------
    def pending(self, engine: str, limit: int = 1000) -> list[str]:
        """Photos with a file that this engine has not read yet, oldest additions first."""
        return [r[0] for r in self.conn.execute(
            "SELECT p.hash FROM photos p WHERE EXISTS (SELECT 1 FROM files f WHERE "
            "f.hash = p.hash) AND NOT EXISTS (SELECT 1 FROM text_photos t WHERE "
            "t.hash = p.hash AND t.engine = ?) ORDER BY p.added_at, p.hash LIMIT ?",
            (engine, limit))]

    def pending_count(self, engine: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM photos p WHERE EXISTS (SELECT 1 FROM files f WHERE "
            "f.hash = p.hash) AND NOT EXISTS (SELECT 1 FROM text_photos t WHERE "
            "t.hash = p.hash AND t.engine = ?)", (engine,)).fetchone()[0]

    def record(self, hash_: str) -> TextRecord | None:
        row = self.conn.execute("SELECT engine, lines, error, seconds, done_at FROM "
                                "text_photos WHERE hash = ?", (hash_,)).fetchone()
        return TextRecord(*row) if row else None

    def lines(self, hash_: str) -> list[TextLine]:
        return [TextLine(t, s, tuple((float(x), float(y)) for x, y in json.loads(b)))
                for t, s, b in self.conn.execute(
                    "SELECT text, score, box FROM text_lines WHERE hash = ? ORDER BY line_no",
                    (hash_,))]

    def counts(self) -> dict[str, int | float | None]:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "read": one("SELECT COUNT(*) FROM text_photos"),
            "with_text": one("SELECT COUNT(*) FROM text_photos WHERE lines > 0"),
            "lines": one("SELECT COUNT(*) FROM text_lines"),
            "failed": one("SELECT COUNT(*) FROM text_photos WHERE error IS NOT NULL "
                          "AND error NOT LIKE 'skipped:%'"),
            "skipped": one("SELECT COUNT(*) FROM text_photos WHERE error LIKE 'skipped:%'"),
            "mean_seconds": one("SELECT AVG(seconds) FROM (SELECT seconds FROM text_photos "
                                "WHERE seconds IS NOT NULL ORDER BY done_at DESC LIMIT 200)"),
        }

    def has_any(self) -> bool:
        return self.conn.execute("SELECT 1 FROM text_lines LIMIT 1").fetchone() is not None

    def search(self, query: str, limit: int | None = None) -> list[TextMatch]:
        """Photos (with a file) whose text contains the query, ignoring case, accents and
        spaces; most matching lines first, then the best recogniser score."""
        cond, args = self._line_condition(query)
        if cond is None:
            return []
        # one pass over the candidate lines (the fuzzy path once ran match_sql as a subquery
        # and looked its lines up again); `IN (SELECT hash FROM files)` probes the
        # files_hash index directly (a correlated EXISTS ran a subquery per line); the
        # cursor is read row by row, not fetchall(): 10k+ rows alive at once made the
        # garbage collector run several passes
        rows = self.conn.execute(
            "SELECT l.hash, l.text, l.score FROM text_lines l "
            f"WHERE {cond} AND l.hash IN (SELECT hash FROM files) "
            "ORDER BY l.hash, l.line_no", args)
        # the hot loop of a common short word (10k+ photos): one dict lookup per line, a
        # TextMatch built once per photo
        by_hash: dict[str, TextMatch] = {}
        for h, text, score in rows:
            m = by_hash.get(h)
            if m is None:
                by_hash[h] = TextMatch(h, [text], score)
            else:
                m.lines.append(text)
                if score > m.best_score:
                    m.best_score = score
        # most matching lines first, then the best score, then the hash: rows came in hash
        # order, and two stable sorts (the last one decides first) keep that as the tie-break
        ranked = sorted(by_hash.values(), key=attrgetter("best_score"), reverse=True)
        ranked.sort(key=_line_count, reverse=True)
        return ranked[:limit] if limit else ranked

    def match_sql(self, query: str) -> tuple[str | None, list]:
        """(SELECT of matching text_lines ids, args); (None, []) for an empty query."""
        needle = compact(query)
        if needle and not (FUZZY_MIN and len(needle) >= FUZZY_MIN):
            return _plain_ids(needle)
        cond, args = self._line_condition(query)
        return (None, []) if cond is None else (f"SELECT l.id FROM text_lines l WHERE {cond}",
                                                args)

    def _line_condition(self, query: str) -> tuple[str | None, list]:
        """(condition on `text_lines l` that its matching lines meet, args); (None, []) for
        an empty query. Below FUZZY_MIN characters: the ids of _plain_ids. FUZZY_MIN+
        characters: lines with a word within one edit of the query too: the trigram index
        picks the candidates (one_edit_fts_query), a line holding the needle itself is
        answered in SQL, and so are most of the others (word_edges_sql); ps_text_near
        (Python) checks the few left."""
        needle = compact(query)
        if not needle:
            return None, []
        if FUZZY_MIN and len(needle) >= FUZZY_MIN:
            edges, edge_args = word_edges_sql(needle, "l.norm")
            return ("l.id IN (SELECT rowid FROM text_fts WHERE text_fts MATCH ?) AND "
                    "(instr(replace(l.norm, ' ', ''), ?) > 0 "
                    f"OR ({edges} AND ps_text_near(?, l.norm)))",
                    [one_edit_fts_query(needle), needle, *edge_args, needle])
        # a subquery even for LIKE: `l.compact LIKE ?` beside the ORDER BY led the planner
        # to walk the hash index (every row read out of order: 3x slower than a scan)
        ids, args = _plain_ids(needle)
        return f"l.id IN ({ids})", args

    def hashes_sql(self, query: str) -> tuple[str, list]:
        """(SELECT of photo hashes whose text matches, args): for filters in other SQL."""
        sql, args = self.match_sql(query)
        if sql is None:
            return "SELECT hash FROM text_lines WHERE 0", []
        return f"SELECT hash FROM text_lines WHERE id IN ({sql})", args

    def matching_hashes(self, query: str) -> set[str]:
        sql, args = self.hashes_sql(query)
        return {r[0] for r in self.conn.execute(sql, args)}

    def hashes_with_text(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT hash FROM text_photos WHERE lines > 0")}

    def iter_all(self) -> Iterator[tuple[str, str]]:
        yield from self.conn.execute("SELECT hash, text FROM text_lines ORDER BY id")


def _plain_ids(needle: str) -> tuple[str, list]:
    """(SELECT of the ids of lines holding `needle`, args): trigram MATCH for 3+
    characters, LIKE below (a trigram index cannot answer those)."""
    if len(needle) >= 3:
        return _FTS_IDS, [_fts_phrase(needle)]
    return _LIKE_IDS, [f"%{_like_escape(needle)}%"]


_MAX_PART_CLAUSES = 9  # longer queries: "either half" candidates (one_edit_fts_query)
_MAX_EDIT_POSITIONS = 18  # longer queries: no word-edge test (word_edges_sql)


def one_edit_fts_query(needle: str) -> str:
    """An FTS5 query every line within one edit of `needle` matches (its compact form).

    One edit at position p (a letter changed, dropped or added before it) leaves both
    needle[:p] and needle[p+1:] intact, so a line holds both; only parts of >= 3 characters
    can be asked of a trigram index. The OR over p of those ANDs is much narrower than
    "either half" (station: "tion" OR "stat" OR ("sta" AND "ion") checks 826 lines of the
    benchmark's 100k instead of 5970 for "sta" OR "tion"). A clause is dropped when another
    one is implied by it (every part of the other lies inside one of its parts)."""
    if len(needle) < 6:
        raise ValueError(f"{needle!r}: the one-edit rule needs 6+ characters here")
    if len(needle) > _MAX_PART_CLAUSES:
        # either half (5+ characters) is rare enough already, while every clause costs the
        # index its phrases (two random words: 1.8 ms with 10 clauses, 0.6 ms with halves),
        # and a pasted sentence would take O(n^3) to simplify; one edit leaves a half intact
        mid = len(needle) // 2
        return f"{_fts_phrase(needle[:mid])} OR {_fts_phrase(needle[mid:])}"
    clauses: list[tuple[str, ...]] = []
    for p in range(len(needle)):
        parts = tuple(x for x in (needle[:p], needle[p + 1:]) if len(x) >= 3)
        if len(parts) == 2 and parts[0] in parts[1]:  # zqxjzqxj: "zqx" in "zqxj"
            parts = parts[1:]
        elif len(parts) == 2 and parts[1] in parts[0]:
            parts = parts[:1]
        if parts not in clauses:
            clauses.append(parts)

    def implies(strong: tuple[str, ...], weak: tuple[str, ...]) -> bool:
        return all(any(w in s for s in strong) for w in weak)

    kept: list[tuple[str, ...]] = []
    for c in clauses:  # an OR of clauses loses nothing by dropping one that implies another
        if not any(implies(c, k) for k in kept):
            kept = [k for k in kept if not implies(k, c)] + [c]
    return " OR ".join("(" + " AND ".join(_fts_phrase(x) for x in c) + ")" for c in kept)


def word_edges_sql(needle: str, col: str) -> tuple[str, list]:
    """(SQL condition, args) that a line (`col`: its fold() form, words split by single
    spaces) meets whenever normalize.near's one-edit regex matches it: plain instr() calls,
    so most candidate lines are turned down without a call into Python.

    That regex matches a span that starts at a word start, ends at a word end and is one
    edit away from the needle. With the edit at position p, the span starts with
    needle[:p] and ends with needle[p+1:] (and with needle[p:] when a letter was added), so
    S(p) = (' ' + norm holds ' ' + needle[:p]) and E(p) = (norm + ' ' holds needle[p+1:] +
    ' ') both hold for some p. S(p+1) implies S(p), so the OR over p of S(p) AND E(p) is
    written nested, E(0) OR (S(1) AND (E(1) OR (S(2) AND ...))): a line without a word
    starting like the needle stops after two or three instr() calls."""
    n = len(needle)
    if n > _MAX_EDIT_POSITIONS:  # a pasted sentence: few candidates, and SQLite caps how
        return "1", []  # deeply expressions nest (1000)
    args: list = [needle[1:] + " "]
    sql = f"instr({col} || ' ', ?) > 0"  # E(0); S(0) always holds
    tail = ""
    for p in range(1, n):
        sql += f" OR (instr(' ' || {col}, ?) > 0"  # S(p)
        args.append(" " + needle[:p])
        tail += ")"
        if p < n - 1:  # E(n-1) always holds
            sql += f" AND (instr({col} || ' ', ?) > 0"
            args.append(needle[p + 1:] + " ")
            tail += ")"
    return "(" + sql + tail + ")", args


def _line_count(m: TextMatch) -> int:
    return len(m.lines)


def _near_sql(needle: str, norm: str | None) -> int:
    return int(norm is not None and near(needle, norm))


def _fts_phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]
