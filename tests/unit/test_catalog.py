"""Catalog schema, migrations, identity by content and the path codec."""

from __future__ import annotations

import os
import sqlite3

import numpy as np
import pytest

from photosearch.core.catalog import Catalog, CatalogError, PhotoInfo, migrations
from photosearch.core.paths import display_path, from_db_path, to_db_path


def photo(h: str) -> PhotoInfo:
    return PhotoInfo(h, 10, 4, 3, "jpeg", 0.0, None, None, False)


def test_migrations_bring_a_new_catalog_to_the_latest_version(tmp_path):
    cat = Catalog(tmp_path / "c.db")
    assert cat.schema_version == migrations()[-1][0]
    tables = {r[0] for r in cat.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"photos", "files", "embeddings", "problems", "folders", "meta"} <= tables
    cat.close()
    assert Catalog(tmp_path / "c.db").schema_version == migrations()[-1][0]  # idempotent


def test_a_catalog_from_a_newer_version_is_refused_clearly(tmp_path):
    with sqlite3.connect(tmp_path / "c.db") as c:
        c.execute("PRAGMA user_version = 9999")
    with pytest.raises(CatalogError, match="newer photosearch"):
        Catalog(tmp_path / "c.db")


def test_a_failed_transaction_leaves_nothing_behind(tmp_path):
    cat = Catalog(tmp_path / "c.db")
    with pytest.raises(RuntimeError):
        with cat.transaction():
            cat.add_photos([photo("aa")])
            cat.link_files([("/p/a.jpg", "aa", None, 10, 1)])
            raise RuntimeError("crash mid-batch")
    assert cat.file_states() == {} and cat.known_hashes(["aa"]) == set()


def test_one_photo_many_paths_and_one_embedding_per_model(tmp_path):
    cat = Catalog(tmp_path / "c.db")
    cat.add_photos([photo("aa")])
    cat.link_files([("/p/a.jpg", "aa", None, 10, 1), ("/q/copy.jpg", "aa", None, 10, 2)])
    v = np.ones(4, np.float32) / 2
    first = cat.add_embeddings("m/1", [("aa", v)])
    again = cat.add_embeddings("m/1", [("aa", v * 0)])  # re-adding never duplicates
    other = cat.add_embeddings("m/2", [("aa", v)])
    assert first == again and other != first
    assert np.allclose(cat.embedding("aa", "m/1"), v)
    assert cat.paths_of(["aa"]) == {"aa": ["/p/a.jpg", "/q/copy.jpg"]}
    assert cat.counts("m/1")["photos"] == 1 and cat.counts("m/1")["files"] == 2
    assert cat.counts("m/3")["pending"] == 1


def test_file_states_under_a_folder_do_not_leak_siblings(tmp_path):
    cat = Catalog(tmp_path / "c.db")
    cat.add_photos([photo("aa")])
    cat.link_files([("/p/a.jpg", "aa", None, 1, 1), ("/p2/b.jpg", "aa", None, 1, 1),
                    ("/p/sub/c.jpg", "aa", None, 1, 1)])
    assert set(cat.file_states(under="/p")) == {"/p/a.jpg", "/p/sub/c.jpg"}


def test_non_utf8_paths_round_trip_and_print(tmp_path):
    raw = os.fsdecode(b"/photos/caf\xe9 \xff.jpg")
    stored = to_db_path(raw)
    stored.encode("utf-8")  # storable as SQLite TEXT
    assert from_db_path(stored) == raw
    assert display_path(raw) == "/photos/caf\\xe9 \\xff.jpg"
    cat = Catalog(tmp_path / "c.db")
    cat.add_photos([photo("aa")])
    cat.link_files([(raw, "aa", None, 1, 1)])
    assert list(cat.file_states()) == [raw]
    assert cat.hash_of(raw) == "aa"
