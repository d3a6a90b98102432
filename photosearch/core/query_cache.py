"""Recent text-query embeddings, kept in the catalog so a repeated query in a fresh process
(the CLI, or the app after a restart) needs no model at all: not even the ONNX session.

Entries live in the catalog's ``meta`` table under ``qvec:<model id>:<text hash>`` with
the vector and the query's token count (for the truncation notice). At most MAX_ENTRIES
per catalog; the least recently written are dropped. Vectors from the ONNX and torch query
paths agree to ~1e-6 cosine (tests/unit/test_onnx.py), so one cache serves both. Caching
never fails a search: a busy or read-only catalog just skips it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import sqlite3
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .catalog import Catalog

log = logging.getLogger(__name__)

PREFIX = "qvec:"
MAX_ENTRIES = 1000


def _key(model_id: str, text: str) -> str:
    return f"{PREFIX}{model_id}:" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def lookup(catalog: Catalog, model_id: str, text: str) -> tuple[np.ndarray, int, int] | None:
    """(unit vector, token count, context length) of a cached query, or None. The token
    count is 0 when the query fitted the context (only longer ones are counted)."""
    try:
        raw = catalog.get_meta(_key(model_id, text))
    except sqlite3.Error:
        return None
    if not raw:
        return None
    try:
        data = json.loads(raw)
        if data.get("text") != text:  # a hash collision, however unlikely
            return None
        vec = np.frombuffer(base64.b64decode(data["v"]), np.float32)
        return vec, int(data["n"]), int(data["limit"])
    except (ValueError, KeyError, TypeError):
        return None


def store(catalog: Catalog, model_id: str, text: str, vec: np.ndarray, tokens: int,
          limit: int) -> None:
    value = json.dumps({"text": text, "n": tokens, "limit": limit,
                        "v": base64.b64encode(np.asarray(vec, np.float32).tobytes()).decode()})
    try:
        catalog.set_meta(_key(model_id, text), value)
        _prune(catalog)
    except sqlite3.Error as exc:  # busy (another writer) or read-only: not worth failing for
        log.debug("query cache not updated: %s", exc)


def _prune(catalog: Catalog) -> None:
    conn = catalog.conn
    lo, hi = PREFIX, PREFIX[:-1] + chr(ord(PREFIX[-1]) + 1)
    (n,) = conn.execute("SELECT count(*) FROM meta WHERE key >= ? AND key < ?",
                        (lo, hi)).fetchone()
    if n <= MAX_ENTRIES:
        return
    # meta is a rowid table and INSERT OR REPLACE gives a row a new, larger rowid: rowid
    # order is the order entries were (re)written, oldest first.
    drop = conn.execute("SELECT key FROM meta WHERE key >= ? AND key < ? ORDER BY rowid "
                        "LIMIT ?", (lo, hi, n - MAX_ENTRIES + MAX_ENTRIES // 10)).fetchall()
    conn.executemany("DELETE FROM meta WHERE key = ?", drop)
