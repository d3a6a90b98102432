"""Keyword rows of one catalog connection (tables of migration 0007): what photosearch wrote
into sidecars (to take back exactly that), and the keywords files already carry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .catalog import Catalog
from .paths import from_db_path, to_db_path

Written = tuple[str, str, str]  # (field, value, tag)


class KeywordStore:
    """Not shared between threads (one per catalog connection)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.conn = catalog.conn

    # -- what photosearch wrote ---------------------------------------------------------
    def written(self, paths: Sequence[str] | None = None) -> dict[str, list[Written]]:
        """path -> (field, value, tag) photosearch wrote into its sidecar."""
        out: dict[str, list[Written]] = {}
        if paths is None:
            rows: Iterable = self.conn.execute(
                "SELECT path, field, value, tag FROM xmp_written ORDER BY path, rowid")
        else:
            rows = [r for p in paths for r in self.conn.execute(
                "SELECT path, field, value, tag FROM xmp_written WHERE path = ? ORDER BY rowid",
                (to_db_path(p),))]
        for p, f, v, t in rows:
            out.setdefault(from_db_path(p), []).append((f, v, t))
        return out

    def record(self, path: str, rows: Iterable[Written]) -> None:
        with self.catalog.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO xmp_written (path, field, value, tag) VALUES (?,?,?,?)",
                [(to_db_path(path), f, v, t) for f, v, t in rows])

    def forget(self, path: str, pairs: Iterable[tuple[str, str]]) -> None:
        with self.catalog.transaction():
            self.conn.executemany(
                "DELETE FROM xmp_written WHERE path = ? AND field = ? AND value = ?",
                [(to_db_path(path), f, v) for f, v in pairs])

    # -- keywords files carry -----------------------------------------------------------
    def set_file_keywords(self, path: str, keywords: Iterable[tuple[str, str]]) -> None:
        """Replace one file's keywords: (keyword, source) pairs."""
        db = to_db_path(path)
        with self.catalog.transaction():
            self.conn.execute("DELETE FROM file_keywords WHERE path = ?", (db,))
            self.conn.executemany(
                "INSERT OR IGNORE INTO file_keywords (path, keyword, source) VALUES (?,?,?)",
                [(db, k, s) for k, s in keywords])

    def keywords_of_paths(self, paths: Sequence[str]) -> list[tuple[str, str]]:
        """(keyword, source) of these files, sorted, without repeats."""
        out: set[tuple[str, str]] = set()
        for p in paths:
            out.update(self.conn.execute(
                "SELECT keyword, source FROM file_keywords WHERE path = ?", (to_db_path(p),)))
        return sorted(out, key=lambda r: (r[0].casefold(), r[1]))

    def hashes_with_keyword(self, keyword: str) -> set[str]:
        """Content hashes of photos with a file carrying this keyword (case-insensitive)."""
        return {h for (h,) in self.conn.execute(
            "SELECT DISTINCT f.hash FROM file_keywords k JOIN files f ON f.path = k.path "
            "WHERE k.keyword = ? COLLATE NOCASE", (keyword,))}

    def all_keywords(self) -> list[tuple[str, int]]:
        """(keyword, number of photos) over the library."""
        return [(k, n) for k, n in self.conn.execute(
            "SELECT k.keyword, COUNT(DISTINCT f.hash) FROM file_keywords k "
            "JOIN files f ON f.path = k.path GROUP BY k.keyword COLLATE NOCASE "
            "ORDER BY k.keyword COLLATE NOCASE")]
