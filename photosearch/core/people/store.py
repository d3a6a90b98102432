"""All SQL of the people feature (schema: migrations/0005_people.sql).

A FaceStore wraps the calling thread's Catalog connection; it holds no state of its own.
Counts and listings only consider photos that still have a file.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..catalog import Catalog
from .analyze import FoundFace

_LIVE = "EXISTS (SELECT 1 FROM files f WHERE f.hash = faces.hash)"


@dataclass(frozen=True)
class FaceRow:
    id: int
    hash: str
    box: tuple[int, int, int, int]
    score: float | None
    person_id: int | None
    confirmed: bool


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str | None
    hidden: bool
    photos: int  # distinct photos with a file
    faces: int


def _chunks(items: list, n: int = 500) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


class FaceStore:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.conn = catalog.conn

    def transaction(self):
        return self.catalog.transaction()

    # -- the faces pass -----------------------------------------------------------------
    def pending_photos(self, model_id: str, limit: int = 256) -> list[tuple[str, list[str]]]:
        """Photos with a file that the faces pass has not looked at: (hash, paths)."""
        rows = self.conn.execute(
            "SELECT p.hash FROM photos p WHERE EXISTS (SELECT 1 FROM files f WHERE "
            "f.hash = p.hash) AND NOT EXISTS (SELECT 1 FROM face_scans s WHERE "
            "s.hash = p.hash AND s.model_id = ?) ORDER BY p.added_at, p.hash LIMIT ?",
            (model_id, limit)).fetchall()
        paths = self.catalog.paths_of([r[0] for r in rows])
        return [(r[0], paths[r[0]]) for r in rows if r[0] in paths]

    def pending_count(self, model_id: str) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM photos p WHERE EXISTS (SELECT 1 FROM files f WHERE "
            "f.hash = p.hash) AND NOT EXISTS (SELECT 1 FROM face_scans s WHERE "
            "s.hash = p.hash AND s.model_id = ?)", (model_id,)).fetchone()[0]

    def record_scan(self, hash_: str, model_id: str, detector: str,
                    faces: Sequence[FoundFace], error: str | None = None) -> list[int]:
        """Store one photo's faces and its scan record in one transaction; returns face ids.
        A photo scanned before (same model) is left as it was."""
        now = time.time()
        ids: list[int] = []
        with self.transaction():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO face_scans(hash, model_id, detector, faces, error, "
                "scanned_at) VALUES (?, ?, ?, ?, ?, ?)",
                (hash_, model_id, detector, len(faces), error, now))
            if cur.rowcount == 0:
                return ids
            for f in faces:
                cur = self.conn.execute(
                    "INSERT INTO faces(hash, model_id, detector, box_left, box_top, box_right, "
                    "box_bottom, score, landmarks, descriptor, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (hash_, model_id, detector, *f.box, f.score,
                     np.asarray(f.landmarks, np.float32).tobytes(),
                     np.asarray(f.descriptor, np.float32).tobytes(), now))
                ids.append(int(cur.lastrowid or 0))
        return ids

    def scan_counts(self, model_id: str) -> dict[str, int]:
        one = lambda sql, *a: self.conn.execute(sql, a).fetchone()[0]  # noqa: E731
        return {
            "scanned": one("SELECT COUNT(*) FROM face_scans WHERE model_id = ?", model_id),
            "failed": one("SELECT COUNT(*) FROM face_scans WHERE model_id = ? AND error IS NOT "
                          "NULL", model_id),
            "faces": one(f"SELECT COUNT(*) FROM faces WHERE model_id = ? AND {_LIVE}", model_id),
            "unassigned": one(f"SELECT COUNT(*) FROM faces WHERE model_id = ? AND person_id IS "
                              f"NULL AND {_LIVE}", model_id),
        }

    # -- descriptors --------------------------------------------------------------------
    def descriptors(self, model_id: str, *, ids: Sequence[int] | None = None,
                    unassigned: bool = False, unconfirmed_unnamed: bool = False
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(face ids, descriptors Nx128) of live faces, optionally only some of them."""
        if ids is not None:
            rows: list = []
            for chunk in _chunks([int(i) for i in ids]):
                q = ",".join("?" * len(chunk))
                rows += self.conn.execute(
                    f"SELECT id, descriptor FROM faces WHERE id IN ({q}) ORDER BY id",
                    chunk).fetchall()
        else:
            where = f"model_id = ? AND {_LIVE}"
            if unassigned:
                where += " AND person_id IS NULL"
            if unconfirmed_unnamed:
                where += (" AND confirmed = 0 AND (person_id IS NULL OR person_id IN "
                          "(SELECT id FROM people WHERE name IS NULL))")
            rows = self.conn.execute(
                f"SELECT id, descriptor FROM faces WHERE {where} ORDER BY id",
                (model_id,)).fetchall()
        if not rows:
            return np.empty(0, np.int64), np.empty((0, 128), np.float32)
        ids_out = np.fromiter((r[0] for r in rows), np.int64, count=len(rows))
        return ids_out, np.vstack([np.frombuffer(r[1], np.float32) for r in rows])

    def live_face_ids(self, model_id: str) -> np.ndarray:
        rows = self.conn.execute(f"SELECT id FROM faces WHERE model_id = ? AND {_LIVE}",
                                 (model_id,)).fetchall()
        return np.fromiter((r[0] for r in rows), np.int64, count=len(rows))

    def assignments(self, face_ids: Sequence[int]) -> dict[int, tuple[int | None, bool]]:
        """face id -> (person id, confirmed)."""
        out: dict[int, tuple[int | None, bool]] = {}
        for chunk in _chunks([int(i) for i in face_ids]):
            q = ",".join("?" * len(chunk))
            for i, p, c in self.conn.execute(
                    f"SELECT id, person_id, confirmed FROM faces WHERE id IN ({q})", chunk):
                out[i] = (p, bool(c))
        return out

    def rejections(self, face_ids: Sequence[int]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for chunk in _chunks([int(i) for i in face_ids]):
            q = ",".join("?" * len(chunk))
            for f, p in self.conn.execute(
                    f"SELECT face_id, person_id FROM face_rejections WHERE face_id IN ({q})",
                    chunk):
                out.setdefault(f, set()).add(p)
        return out

    # -- assignment ---------------------------------------------------------------------
    def new_person(self, name: str | None = None) -> int:
        cur = self.conn.execute("INSERT INTO people(name, created_at) VALUES (?, ?)",
                                (name, time.time()))
        return int(cur.lastrowid or 0)

    def assign(self, face_ids: Iterable[int], person_id: int | None, *,
               confirmed: bool = False, keep_confirmed: bool = True) -> int:
        """Put faces in a person (None: unassign). Confirmed faces are left alone unless
        `keep_confirmed` is False (a user action)."""
        sql = "UPDATE faces SET person_id = ?, confirmed = ? WHERE id = ?"
        if keep_confirmed:
            sql += " AND confirmed = 0"
        return self.conn.executemany(
            sql, [(person_id, int(confirmed), int(i)) for i in face_ids]).rowcount

    def confirm_person(self, person_id: int) -> None:
        self.conn.execute("UPDATE faces SET confirmed = 1 WHERE person_id = ?", (person_id,))

    def reject(self, face_id: int, person_id: int) -> None:
        self.conn.execute("INSERT OR IGNORE INTO face_rejections(face_id, person_id) "
                          "VALUES (?, ?)", (face_id, person_id))

    def drop_empty_people(self) -> int:
        """Unnamed people left with no face (named ones stay: the user made them)."""
        return self.conn.execute(
            "DELETE FROM people WHERE name IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM faces WHERE faces.person_id = people.id)").rowcount

    # -- people -------------------------------------------------------------------------
    def person(self, person_id: int) -> PersonRow | None:
        rows = self.people(include_hidden=True, ids=[person_id])
        return rows[0] if rows else None

    def people(self, *, include_hidden: bool = False, ids: Sequence[int] | None = None
               ) -> list[PersonRow]:
        """People with at least one live face (named people even with none), biggest first."""
        where = "1" if include_hidden else "p.hidden = 0"
        args: list = []
        if ids is not None:
            where += f" AND p.id IN ({','.join('?' * len(ids))})"
            args += list(ids)
        rows = self.conn.execute(
            "SELECT p.id, p.name, p.hidden, COUNT(DISTINCT faces.hash), COUNT(faces.id) "
            f"FROM people p LEFT JOIN faces ON faces.person_id = p.id AND {_LIVE} "
            f"WHERE {where} GROUP BY p.id "
            "HAVING COUNT(faces.id) > 0 OR p.name IS NOT NULL "
            "ORDER BY p.name IS NULL, COUNT(DISTINCT faces.hash) DESC, p.id", args).fetchall()
        return [PersonRow(i, n, bool(h), c, fc) for i, n, h, c, fc in rows]

    def set_name(self, person_id: int, name: str | None) -> None:
        self.conn.execute("UPDATE people SET name = ? WHERE id = ?", (name, person_id))

    def set_hidden(self, person_id: int, hidden: bool) -> None:
        self.conn.execute("UPDATE people SET hidden = ? WHERE id = ?", (int(hidden), person_id))

    def merge(self, keep: int, gone: int) -> int:
        """Move every face (and every 'not this person') of `gone` to `keep`, drop `gone`."""
        n = self.conn.execute("UPDATE faces SET person_id = ? WHERE person_id = ?",
                              (keep, gone)).rowcount
        self.conn.execute("INSERT OR IGNORE INTO face_rejections(face_id, person_id) "
                          "SELECT face_id, ? FROM face_rejections WHERE person_id = ?",
                          (keep, gone))
        self.conn.execute("DELETE FROM people WHERE id = ?", (gone,))
        return n

    def people_named(self, name: str) -> list[int]:
        """Ids of people with this name (case-insensitive; '_' also matches a space)."""
        wanted = name.strip()
        rows = self.conn.execute(
            "SELECT id FROM people WHERE name = ? OR replace(name, ' ', '_') = ? "
            "ORDER BY id", (wanted, wanted.replace(" ", "_"))).fetchall()
        if not rows and wanted.isdigit():
            rows = self.conn.execute("SELECT id FROM people WHERE id = ?",
                                     (int(wanted),)).fetchall()
        return [r[0] for r in rows]

    def hashes_of_people(self, person_ids: Sequence[int]) -> set[str]:
        if not person_ids:
            return set()
        q = ",".join("?" * len(person_ids))
        return {r[0] for r in self.conn.execute(
            f"SELECT DISTINCT hash FROM faces WHERE person_id IN ({q})", list(person_ids))}

    # -- faces --------------------------------------------------------------------------
    def faces(self, *, person_id: int | None = None, hash_: str | None = None,
              limit: int | None = None) -> list[FaceRow]:
        clauses: list[str] = [_LIVE]
        args: list[int | str] = []
        if person_id is not None:
            clauses.append("person_id = ?")
            args.append(person_id)
        if hash_ is not None:
            clauses.append("hash = ?")
            args.append(hash_)
        sql = ("SELECT id, hash, box_left, box_top, box_right, box_bottom, score, person_id, "
               f"confirmed FROM faces WHERE {' AND '.join(clauses)} ORDER BY score DESC, id")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [FaceRow(r[0], r[1], (r[2], r[3], r[4], r[5]), r[6], r[7], bool(r[8]))
                for r in self.conn.execute(sql, args)]

    def a_path(self, hashes: Sequence[str]) -> dict[str, str]:
        """One path (the first by name) per photo."""
        return {h: ps[0] for h, ps in self.catalog.paths_of(hashes).items()}

    def hash_of_path(self, path: str) -> str | None:
        return self.catalog.hash_of(path)

    # -- opt-out ------------------------------------------------------------------------
    def forget_all(self) -> int:
        """Delete every face, descriptor, scan record, person and decision; returns faces."""
        with self.transaction():
            self.conn.execute("DELETE FROM face_rejections")
            n = self.conn.execute("DELETE FROM faces").rowcount
            self.conn.execute("DELETE FROM face_scans")
            self.conn.execute("DELETE FROM people")
        return n
