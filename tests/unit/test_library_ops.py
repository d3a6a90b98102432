"""The use-case layer keeps catalog, vector index and settings in step, and Library hands
each thread its own catalog connection."""

from __future__ import annotations

import json
import threading

import pytest

from photosearch.core import library_ops
from photosearch.core.indexer import Indexer
from photosearch.core.library import Library
from photosearch.core.search import Searcher

from ..conftest import make_image


@pytest.fixture
def two_folders(fake_library, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_image(a / "red.jpg", (220, 20, 20))
    make_image(a / "private" / "green.jpg", (20, 220, 20))
    make_image(b / "blue.png", (20, 20, 220), fmt="PNG")
    library_ops.add_folders(fake_library, [str(a), str(b)])
    Indexer(fake_library).run()
    return fake_library, a, b


def served(lib: Library) -> set[str]:
    """Names of the photos the vector index serves."""
    ids, _ = lib.index().knn(lib.embedder().encode_query("x"), len(lib.index()))
    hashes = lib.catalog.ids_to_hashes(ids.tolist()).values()
    return {p.rsplit("/", 1)[-1] for ps in lib.catalog.paths_of(list(hashes)).values()
            for p in ps}


def test_add_folders_refuses_a_non_folder_and_changes_nothing(fake_library, tmp_path):
    with pytest.raises(library_ops.LibraryOpError, match="is not a folder"):
        library_ops.add_folders(fake_library, [str(tmp_path), str(tmp_path / "missing")])
    assert fake_library.catalog.folders() == []


def test_remove_folder_takes_its_photos_out_of_catalog_and_index(two_folders):
    lib, a, b = two_folders
    assert served(lib) == {"red.jpg", "green.jpg", "blue.png"}
    assert library_ops.remove_folder(lib, str(b)) == 1
    assert served(lib) == {"red.jpg", "green.jpg"}
    assert [p for _, p in lib.catalog.folders()] == [str(a)]
    assert (b / "blue.png").exists()  # nothing on disk is touched
    with pytest.raises(library_ops.LibraryOpError, match="not a library folder"):
        library_ops.remove_folder(lib, str(b))


def test_exclude_saves_the_setting_and_forgets_what_is_already_indexed(two_folders):
    lib, a, b = two_folders
    report = library_ops.exclude(lib, [str(a / "private"), "*.png"])
    assert report.added == [str(a / "private"), "*.png"] and report.forgotten == 2
    assert served(lib) == {"red.jpg"}
    saved = json.loads(lib.paths.settings.read_text("utf-8"))
    assert str(a / "private") in saved["exclude"] and "*.png" in saved["exclude"]
    # the per-run model override of the fixture was not written into the file
    assert saved["model"] != "fake"
    again = library_ops.exclude(lib, ["*.png"])
    assert again.added == [] and again.already == ["*.png"]
    # a new index run does not bring them back
    Indexer(lib).run()
    assert served(lib) == {"red.jpg"}


def test_unexclude_refuses_an_unknown_item_and_changes_nothing(two_folders):
    lib, a, _ = two_folders
    library_ops.exclude(lib, ["*.png"])
    with pytest.raises(library_ops.LibraryOpError, match="is not excluded"):
        library_ops.unexclude(lib, ["*.png", "*.gif"])
    assert "*.png" in lib.settings.exclude
    assert library_ops.unexclude(lib, ["*.png"]) == ["*.png"]
    Indexer(lib).run()
    assert "blue.png" in served(lib)


def test_forget_then_relink_restores_search_without_decoding(two_folders):
    lib, a, _ = two_folders
    red = str(a / "red.jpg")
    h = lib.catalog.hash_of(red)
    assert library_ops.forget_paths(lib, [red]) == 1
    assert "red.jpg" not in served(lib)
    assert lib.catalog.embedding(h, lib.model_id) is not None  # kept for the grace period
    assert library_ops.relink(lib, [(red, h)]) == 1
    assert "red.jpg" in served(lib) and lib.catalog.hash_of(red) == h


def test_purge_drops_only_photos_past_their_grace_period(two_folders):
    lib, a, _ = two_folders
    library_ops.forget_paths(lib, [str(a / "red.jpg")])
    assert library_ops.purge(lib).photos == 0  # 30 days of grace by default
    report = library_ops.purge(lib, older_than_days=0)
    assert (report.photos, report.in_grace) == (1, 0)
    with pytest.raises(library_ops.LibraryOpError):
        library_ops.purge(lib, older_than_days=float("nan"))


def test_each_thread_gets_its_own_connection_and_sees_committed_writes(two_folders):
    lib, a, _ = two_folders
    mine = lib.catalog
    seen = {}

    def worker() -> None:
        seen["conn"] = lib.catalog
        seen["same_twice"] = lib.catalog is seen["conn"]
        with lib.catalog.transaction():
            lib.catalog.set_meta("written_by", "worker")

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen["conn"] is not mine and seen["same_twice"]
    assert mine.get_meta("written_by") == "worker"
    lib.close()  # closes every thread's connection
    assert lib.catalog is not mine  # a fresh one after close


def test_a_searcher_built_on_one_thread_works_on_another(two_folders):
    lib, _, _ = two_folders
    searcher = Searcher(lib)
    out = {}
    t = threading.Thread(target=lambda: out.update(page=searcher.search("red", limit=5)))
    t.start()
    t.join()
    assert len(out["page"].results) == 3
