"""The catalog: SQLite, the single source of truth for photos, files, embeddings and problems.

Photos are identified by content hash; `files` points paths at them, so a move or rename
is a row update and never loses an embedding. Embeddings are stored per (hash, model id);
their integer row id doubles as the label in the derived HNSW index.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import catalog_safety as safety
from .paths import from_db_path, is_under, prefix_range, to_db_path

# Ordered migrations: migrations/NNNN_name.sql, applied in number order; user_version holds
# the highest number applied. Never edit a released file; add a higher number instead.
# Each feature owns its own file.
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def migrations() -> list[tuple[int, str]]:
    files = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    return [(int(f.name[:4]), f.read_text("utf-8")) for f in files]


@dataclass(frozen=True)
class FileState:
    """What the catalog knows about one path."""

    path: str
    hash: str
    size: int
    mtime_ns: int


class PhotoRow(NamedTuple):
    """The metadata a result shows."""

    taken_at: float | None
    width: int | None
    height: int | None
    format: str | None
    camera_make: str | None
    camera_model: str | None


# The camera a photo was taken with, as filters match it: "make model", lower-case. The
# `camera:` filter is a plain substring test on it (no wildcards), in SQL and in numpy alike.
CAMERA_SQL = ("lower(trim(coalesce(p.camera_make, '') || ' ' || "
              "coalesce(p.camera_model, '')))")


@dataclass(frozen=True)
class PhotoInfo:
    """Metadata of one photo (one content hash), as decoded once."""

    hash: str
    size: int
    width: int | None
    height: int | None
    format: str | None
    taken_at: float | None
    camera_make: str | None
    camera_model: str | None
    has_exif: bool
    phash: str | None = None
    dhash: str | None = None


class Catalog:
    """A connection to one library's catalog. Not shared between threads."""

    def __init__(self, path: Path, *, readonly: bool = False):
        self.path = Path(path)
        safety.check_file(self.path)  # a 0-byte or foreign file is refused, never "new"
        existed = self.path.exists()
        uri = f"file:{self.path}?mode=ro" if readonly else str(self.path)
        conn = sqlite3.connect(uri, uri=readonly, timeout=30, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                # WAL: readers (GUI, a second CLI) never block the indexer, and a killed
                # writer leaves the last committed batch intact.
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            if existed:
                safety.quick_check_once(conn, self.path)
            self.conn = conn
            if not readonly:
                self._migrate(backup=existed)
                if existed:
                    safety.maybe_daily_backup(conn, self.path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if safety.is_damage(exc):
                raise safety.damaged(self.path, f"is damaged ({exc})") from exc
            raise
        except BaseException:
            conn.close()
            raise

    # -- schema -------------------------------------------------------------------------
    def _migrate(self, backup: bool = True) -> None:
        steps = migrations()
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > steps[-1][0]:
            raise CatalogError(
                f"catalog {self.path} was written by a newer photosearch (schema {version}); "
                "upgrade photosearch to open it")
        if backup and version and version < steps[-1][0]:
            safety.make_backup(self.conn, self.path, "pre-migration")
        for number, script in steps:
            if number <= version:
                continue
            with self.transaction():
                for stmt in _split_sql(script):
                    self.conn.execute(stmt)
                self.conn.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def transaction(self):
        return _Transaction(self.conn)

    def close(self) -> None:
        self.conn.close()

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- folders ------------------------------------------------------------------------
    def add_folder(self, path: str) -> int:
        with self.transaction():
            self.conn.execute("INSERT OR IGNORE INTO folders(path, added_at) VALUES (?, ?)",
                              (to_db_path(path), time.time()))
            return self.conn.execute("SELECT id FROM folders WHERE path = ?",
                                     (to_db_path(path),)).fetchone()[0]

    def remove_folder(self, path: str) -> int:
        """Forget a folder and the files under it; returns how many files were dropped."""
        with self.transaction():
            row = self.conn.execute("SELECT id FROM folders WHERE path = ?",
                                    (to_db_path(path),)).fetchone()
            if row is None:
                return 0
            n = self.conn.execute("DELETE FROM files WHERE folder_id = ?", row).rowcount
            self.conn.execute("DELETE FROM problems WHERE path >= ? AND path < ?",
                              prefix_range(path))
            self.conn.execute("DELETE FROM folders WHERE id = ?", row)
            return n

    def folders(self) -> list[tuple[int, str]]:
        return [(i, from_db_path(p)) for i, p in
                self.conn.execute("SELECT id, path FROM folders ORDER BY path")]

    def folder_file_counts(self) -> dict[int, int]:
        """folder id -> how many files the catalog knows under it."""
        return dict(self.conn.execute(
            "SELECT folder_id, COUNT(*) FROM files GROUP BY folder_id").fetchall())

    def folder_id_of(self, path: str) -> int | None:
        """The library folder a path lies in (the deepest, when folders nest)."""
        inside = [(len(root), fid) for fid, root in self.folders() if is_under(path, root)]
        return max(inside)[1] if inside else None

    # -- files --------------------------------------------------------------------------
    def file_states(self, under: str | None = None) -> dict[str, FileState]:
        """Known files, optionally only those under one directory."""
        sql, args = "SELECT path, hash, size, mtime_ns FROM files", tuple[str, ...]()
        if under is not None:
            sql += " WHERE path >= ? AND path < ?"
            args = prefix_range(under)
        return {from_db_path(p): FileState(from_db_path(p), h, s, m)
                for p, h, s, m in self.conn.execute(sql, args)}

    def link_files(self, rows: Sequence[tuple[str, str, int | None, int, int]]) -> None:
        """Point paths at already-known photos: (path, hash, folder_id, size, mtime_ns)."""
        now = time.time()
        self.conn.executemany(
            "INSERT OR REPLACE INTO files(path, hash, folder_id, size, mtime_ns, seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(to_db_path(p), h, f, s, m, now) for p, h, f, s, m in rows])

    def delete_files(self, paths: Iterable[str]) -> int:
        return self.conn.executemany("DELETE FROM files WHERE path = ?",
                                     [(to_db_path(p),) for p in paths]).rowcount

    def paths_of(self, hashes: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in _chunks(list(hashes), 500):
            q = ",".join("?" * len(chunk))
            for h, p in self.conn.execute(
                    f"SELECT hash, path FROM files WHERE hash IN ({q}) ORDER BY path", chunk):
                out.setdefault(h, []).append(from_db_path(p))
        return out

    def hash_of(self, path: str) -> str | None:
        row = self.conn.execute("SELECT hash FROM files WHERE path = ?",
                                (to_db_path(path),)).fetchone()
        return row[0] if row else None

    # -- photos -------------------------------------------------------------------------
    def known_hashes(self, hashes: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(hashes), 500):
            q = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT hash FROM photos WHERE hash IN ({q})", chunk))
        return found

    def add_photos(self, photos: Iterable[PhotoInfo]) -> None:
        now = time.time()
        self.conn.executemany(
            "INSERT OR IGNORE INTO photos(hash, size, width, height, format, taken_at, "
            "camera_make, camera_model, has_exif, phash, dhash, added_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(p.hash, p.size, p.width, p.height, p.format, p.taken_at, p.camera_make,
              p.camera_model, int(p.has_exif), p.phash, p.dhash, now) for p in photos])

    def photo_rows(self, hashes: Sequence[str]) -> dict[str, PhotoRow]:
        """hash -> PhotoRow, one query per 500 hashes: what a page of results shows."""
        out: dict[str, PhotoRow] = {}
        for chunk in _chunks(list(hashes), 500):
            q = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                    "SELECT hash, taken_at, width, height, format, camera_make, camera_model "
                    f"FROM photos WHERE hash IN ({q})", chunk):
                out[row[0]] = PhotoRow(*row[1:])
        return out

    def photo(self, hash_: str) -> PhotoInfo | None:
        row = self.conn.execute(
            "SELECT hash, size, width, height, format, taken_at, camera_make, camera_model, "
            "has_exif, phash, dhash FROM photos WHERE hash = ?", (hash_,)).fetchone()
        if row is None:
            return None
        h, size, width, height, fmt, taken_at, make, model, has_exif, phash, dhash = row
        return PhotoInfo(h, size, width, height, fmt, taken_at, make, model, bool(has_exif),
                         phash, dhash)

    # -- embeddings ---------------------------------------------------------------------
    def embedded_hashes(self, model_id: str, hashes: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(hashes), 500):
            q = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT hash FROM embeddings WHERE model_id = ? AND hash IN ({q})",
                (model_id, *chunk)))
        return found

    def add_embeddings(self, model_id: str, items: Sequence[tuple[str, np.ndarray]]) -> list[int]:
        """Store vectors; returns their ids (labels in the vector index)."""
        now = time.time()
        ids = []
        for h, vec in items:
            self.conn.execute(
                "INSERT OR IGNORE INTO embeddings(hash, model_id, vector, created_at) "
                "VALUES (?, ?, ?, ?)",
                (h, model_id, np.asarray(vec, dtype=np.float32).tobytes(), now))
            ids.append(self.conn.execute(
                "SELECT id FROM embeddings WHERE hash = ? AND model_id = ?",
                (h, model_id)).fetchone()[0])
        return ids

    def embeddings_of(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """hash -> vector for those of `hashes` embedded under this model (one query per
        500, instead of one per photo)."""
        out: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(hashes), 500):
            q = ",".join("?" * len(chunk))
            for h, blob in self.conn.execute(
                    f"SELECT hash, vector FROM embeddings WHERE model_id = ? AND hash IN ({q})",
                    (model_id, *chunk)):
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def embedding(self, hash_: str, model_id: str) -> np.ndarray | None:
        row = self.conn.execute("SELECT vector FROM embeddings WHERE hash = ? AND model_id = ?",
                                (hash_, model_id)).fetchone()
        return np.frombuffer(row[0], dtype=np.float32) if row else None

    def has_embeddings(self, model_id: str) -> bool:
        """Cheap check (no count) that anything was embedded with this model."""
        return self.conn.execute("SELECT 1 FROM embeddings WHERE model_id = ? LIMIT 1",
                                 (model_id,)).fetchone() is not None

    def live_embedding_ids(self, model_id: str) -> np.ndarray:
        """Ids of embeddings whose photo still has at least one file: what the index serves."""
        rows = self.conn.execute(
            "SELECT e.id FROM embeddings e WHERE e.model_id = ? AND EXISTS "
            "(SELECT 1 FROM files f WHERE f.hash = e.hash)", (model_id,)).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def iter_embeddings(self, model_id: str, ids: Sequence[int] | None = None,
                        batch: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (ids, vectors) chunks, for rebuilding or catching up the index."""
        if ids is None:
            cur = self.conn.execute(
                "SELECT e.id, e.vector FROM embeddings e WHERE e.model_id = ? AND EXISTS "
                "(SELECT 1 FROM files f WHERE f.hash = e.hash) ORDER BY e.id", (model_id,))
            while rows := cur.fetchmany(batch):
                yield _stack(rows)
            return
        for chunk in _chunks(list(ids), 500):
            q = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT id, vector FROM embeddings WHERE id IN ({q})", chunk).fetchall()
            if rows:
                yield _stack(rows)

    def embedding_ids_under(self, model_id: str, folder: str) -> np.ndarray:
        """Sorted embedding ids of photos with at least one file under `folder`."""
        rows = self.conn.execute(
            "SELECT DISTINCT e.id FROM files f JOIN embeddings e ON e.hash = f.hash "
            "WHERE f.path >= ? AND f.path < ? AND e.model_id = ?",
            (*prefix_range(folder), model_id)).fetchall()
        return np.unique(np.fromiter((r[0] for r in rows), np.int64, count=len(rows)))

    def embedding_version(self, model_id: str) -> tuple[int, str | None]:
        """(largest embedding id of the model, purge generation): cheap, index-only. Ids
        only grow until a purge, which changes the generation."""
        max_id = self.conn.execute("SELECT max(id) FROM embeddings WHERE model_id = ?",
                                   (model_id,)).fetchone()[0] or 0
        return max_id, self.get_meta("purge_gen")

    def filter_columns(self, model_id: str, after_id: int, upto_id: int
                       ) -> list[tuple[int, float | None, str, str]]:
        """(embedding id, taken_at, format, camera as CAMERA_SQL) for ids in (after, upto]."""
        return self.conn.execute(
            f"SELECT e.id, p.taken_at, coalesce(p.format, ''), {CAMERA_SQL} "
            "FROM embeddings e JOIN photos p ON p.hash = e.hash "
            "WHERE e.model_id = ? AND e.id > ? AND e.id <= ? ORDER BY e.id",
            (model_id, after_id, upto_id)).fetchall()

    def ids_to_hashes(self, ids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks([int(i) for i in ids], 500):
            q = ",".join("?" * len(chunk))
            out.update(self.conn.execute(f"SELECT id, hash FROM embeddings WHERE id IN ({q})",
                                         chunk).fetchall())
        return out

    def embedding_ids_for(self, model_id: str, hashes: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(list(hashes), 500):
            q = ",".join("?" * len(chunk))
            out.update(self.conn.execute(
                f"SELECT hash, id FROM embeddings WHERE model_id = ? AND hash IN ({q})",
                (model_id, *chunk)).fetchall())
        return out

    # -- problems -----------------------------------------------------------------------
    def record_problem(self, path: str, reason: str, size: int | None = None,
                       mtime_ns: int | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO problems(path, reason, size, mtime_ns, at) VALUES (?,?,?,?,?)",
            (to_db_path(path), reason, size, mtime_ns, time.time()))

    def clear_problems(self, paths: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM problems WHERE path = ?",
                              [(to_db_path(p),) for p in paths])

    def problem_states(self) -> dict[str, tuple[int | None, int | None]]:
        return {from_db_path(p): (s, m) for p, s, m in
                self.conn.execute("SELECT path, size, mtime_ns FROM problems")}

    def problems(self) -> list[dict]:
        return [{"path": from_db_path(p), "reason": r, "at": a} for p, r, a in
                self.conn.execute("SELECT path, reason, at FROM problems ORDER BY path")]

    # -- live library (watching) ---------------------------------------------------------
    def file_states_for(self, paths: Sequence[str]) -> dict[str, FileState]:
        """What the catalog knows about exactly these paths (absent ones are left out)."""
        out: dict[str, FileState] = {}
        for chunk in _chunks([to_db_path(p) for p in paths], 500):
            q = ",".join("?" * len(chunk))
            for p, h, s, m in self.conn.execute(
                    f"SELECT path, hash, size, mtime_ns FROM files WHERE path IN ({q})", chunk):
                out[from_db_path(p)] = FileState(from_db_path(p), h, s, m)
        return out

    def repoint_files(self, moves: Sequence[tuple[str, str, int | None]]) -> int:
        """Rename paths in place, (old, new, new folder_id): a move keeps hash, embedding,
        tags and decisions and reads nothing. A row already at `new` is replaced."""
        n = 0
        now = time.time()
        with self.transaction():
            for old, new, folder_id in moves:
                if old == new or self.hash_of(old) is None:
                    continue
                self.conn.execute("DELETE FROM files WHERE path = ?", (to_db_path(new),))
                n += self.conn.execute(
                    "UPDATE files SET path = ?, folder_id = ?, seen_at = ? WHERE path = ?",
                    (to_db_path(new), folder_id, now, to_db_path(old))).rowcount
                self.conn.execute("DELETE FROM problems WHERE path = ?", (to_db_path(old),))
        return n

    def photo_sizes(self, sizes: Sequence[int]) -> set[int]:
        """Which of these byte sizes some known photo has (a cheap 'maybe seen before')."""
        found: set[int] = set()
        for chunk in _chunks(sorted(set(sizes)), 500):
            q = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT size FROM photos WHERE size IN ({q})", chunk))
        return found

    def mark_orphans(self, hashes: Iterable[str]) -> None:
        """Start the grace period of photos that lost their last file."""
        now = time.time()
        self.conn.executemany(
            "INSERT OR IGNORE INTO orphans(hash, since) SELECT ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM files WHERE hash = ?)", [(h, now, h) for h in hashes])

    def purge_orphans(self, older_than: float) -> tuple[int, int]:
        """Drop embeddings (and, where nothing else refers to them, photo rows) of photos
        that have had no file since before `older_than` (epoch seconds). Returns
        (photos purged, embeddings removed). Tags and decisions pointing at a photo keep
        its row; only the embeddings, the bulk of the data, go."""
        with self.transaction():
            # Photos that lost their files by other routes (folder removed) start now.
            self.conn.execute(
                "INSERT OR IGNORE INTO orphans(hash, since) SELECT p.hash, ? FROM photos p "
                "WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.hash = p.hash)", (time.time(),))
            self.conn.execute("DELETE FROM orphans WHERE EXISTS "
                              "(SELECT 1 FROM files f WHERE f.hash = orphans.hash)")
            due = [r[0] for r in self.conn.execute(
                "SELECT hash FROM orphans WHERE since < ?", (older_than,))]
            embeddings = 0
            for chunk in _chunks(due, 500):
                q = ",".join("?" * len(chunk))
                embeddings += self.conn.execute(
                    f"DELETE FROM embeddings WHERE hash IN ({q})", chunk).rowcount
                # faces are derived like embeddings (their "not this person" rows cascade)
                self.conn.execute(f"DELETE FROM faces WHERE hash IN ({q})", chunk)
                self.conn.execute(f"DELETE FROM face_scans WHERE hash IN ({q})", chunk)
            if embeddings:  # ids may be reused now: caches keyed on ids must start over
                self.set_meta("purge_gen", str(time.time_ns()))
            for h in due:
                try:
                    self.conn.execute("DELETE FROM photos WHERE hash = ?", (h,))
                except sqlite3.IntegrityError:
                    pass  # still referenced (tags, decisions): keep the small row
                self.conn.execute("DELETE FROM orphans WHERE hash = ?", (h,))
        return len(due), embeddings

    def has_files_under(self, directory: str) -> bool:
        return self.conn.execute("SELECT 1 FROM files WHERE path >= ? AND path < ? LIMIT 1",
                                 prefix_range(directory)).fetchone() is not None

    def orphan_count(self) -> int:
        return self.conn.execute(
            "SELECT COUNT(*) FROM photos p WHERE NOT EXISTS "
            "(SELECT 1 FROM files f WHERE f.hash = p.hash)").fetchone()[0]

    def set_folder_offline(self, path: str, offline: bool) -> None:
        """Record that a folder's drive is gone (keeps the first time) or back."""
        if offline:
            self.conn.execute("UPDATE folders SET offline_since = COALESCE(offline_since, ?) "
                              "WHERE path = ?", (time.time(), to_db_path(path)))
        else:
            self.conn.execute("UPDATE folders SET offline_since = NULL WHERE path = ?",
                              (to_db_path(path),))

    def offline_since(self) -> dict[str, float]:
        return {from_db_path(p): t for p, t in self.conn.execute(
            "SELECT path, offline_since FROM folders WHERE offline_since IS NOT NULL")}

    # -- counts -------------------------------------------------------------------------
    def counts(self, model_id: str) -> dict[str, int]:
        one = lambda sql, *a: self.conn.execute(sql, a).fetchone()[0]  # noqa: E731
        return {
            "files": one("SELECT COUNT(*) FROM files"),
            "photos": one("SELECT COUNT(DISTINCT hash) FROM files"),
            "embedded": one("SELECT COUNT(*) FROM embeddings e WHERE model_id = ? AND EXISTS "
                            "(SELECT 1 FROM files f WHERE f.hash = e.hash)", model_id),
            "pending": one("SELECT COUNT(DISTINCT f.hash) FROM files f WHERE NOT EXISTS "
                           "(SELECT 1 FROM embeddings e WHERE e.hash = f.hash AND e.model_id = ?)",
                           model_id),
            "problems": one("SELECT COUNT(*) FROM problems"),
        }


class CatalogError(Exception):
    """The catalog cannot be used as it is; the message says what to do."""


def is_busy_error(exc: BaseException) -> bool:
    """Whether `exc` means another process held the catalog's write lock for too long."""
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error; nests by doing nothing inside."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.outer = False

    def __enter__(self):
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
            self.outer = True
        return self

    def __exit__(self, exc_type, *_):
        if self.outer:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (no ';' inside statements; '--' comments allowed)."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]




def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _stack(rows: list[tuple[int, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vecs = np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    return ids, vecs
