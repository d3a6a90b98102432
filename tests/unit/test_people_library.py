"""People in a library: the faces pass (resumable, bad files), grouping, naming, merging,
"not this person", hiding, person: search, regrouping and forgetting, with the REAL dlib
models on REAL face photos and the tiny test CLIP model."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from photosearch.core.indexer import Indexer
from photosearch.core.library import Library
from photosearch.core.paths import resolve_library
from photosearch.core.people import faces_pass, ops
from photosearch.core.people.face_index import index_path
from photosearch.core.people.models import MODEL_ID, installed
from photosearch.core.people.store import FaceStore
from photosearch.core.query import QueryError
from photosearch.core.search import Searcher
from tests.conftest import TEST_MODEL, make_image
from tests.unit.people_helpers import SUBSET, copy_subset, faces_dir, model_dir  # noqa: F401

LATE = "Chris_Pratt/5.jpg"  # added after the first pass, to test incremental joining
FIRST = {k: [f for f in v if f != LATE] for k, v in SUBSET.items()}


def _pass(lib: Library, files) -> faces_pass.FacesReport:
    return faces_pass.run(lib, workers=0, files=files)


@pytest.fixture(scope="module")
def template(tmp_path_factory, model_dir):  # noqa: F811
    """A library with 11 photos of 3 people, indexed and faces-scanned once per module."""
    root = tmp_path_factory.mktemp("people_template")
    photos = copy_subset(root / "photos", FIRST)
    lib = Library.open(resolve_library(root / "library"), **TEST_MODEL)
    Indexer(lib).run([str(root / "photos")])
    report = _pass(lib, installed(model_dir))
    lib.close()
    return root, photos, report


@pytest.fixture
def request_cleanup():
    """Files a test wrote beside the shared template photos, removed afterwards."""
    paths: list[Path] = []
    yield paths
    for p in paths:
        p.unlink(missing_ok=True)


@pytest.fixture
def people_lib(template, tmp_path):
    """A private copy of the template library (the photos stay where the catalog says)."""
    root, photos, _ = template
    shutil.copytree(root / "library", tmp_path / "library")
    lib = Library.open(resolve_library(tmp_path / "library"), **TEST_MODEL)
    yield lib, photos
    lib.catalog.close()


def _person_of(lib: Library, path: Path) -> int | None:
    store = FaceStore(lib.catalog)
    faces = store.faces(hash_=lib.catalog.hash_of(str(path)))
    assert len(faces) == 1
    return faces[0].person_id


def _groups(lib: Library) -> dict[int, set[str]]:
    return {p.id: {f["path"] for f in p.faces}
            for p in ops.people(lib, include_hidden=True, faces_per_person=None)}


def test_pass_groups_each_person_once_and_resumes(template, people_lib, model_dir):  # noqa: F811
    _, _, report = template
    lib, photos = people_lib
    assert report.photos == 11 and report.faces == 11 and report.problems == 0
    assert report.new_people == 3
    groups = sorted(sorted(g) for g in _groups(lib).values())
    assert groups == sorted(sorted(str(p) for p in ps) for ps in photos.values())
    again = _pass(lib, installed(model_dir))  # everything has a scan record: nothing redone
    assert (again.photos, again.faces) == (0, 0)
    # the face index is derived: saved beside the CLIP index, rebuilt when missing
    path = index_path(lib.paths.index_dir, MODEL_ID)
    assert path.exists()
    path.unlink()
    from photosearch.core.people.face_index import open_index

    assert len(open_index(FaceStore(lib.catalog), lib.paths.index_dir, MODEL_ID)) == 11


def test_unreadable_and_faceless_photos_are_recorded_and_never_stop_the_pass(
        people_lib, tmp_path, model_dir):  # noqa: F811
    lib, _ = people_lib
    extra = tmp_path / "extra"
    blank = make_image(extra / "blank.jpg", size=(320, 240))
    broken = make_image(extra / "broken.jpg", color=(10, 200, 10), size=(320, 240))
    shutil.copyfile(faces_dir() / "Madonna/1.jpg", extra / "madonna.jpg")
    Indexer(lib).run([str(extra)])
    broken.write_bytes(b"not a jpeg any more")  # unreadable when the faces pass gets to it
    # two worker processes: the pool path records failures the same way
    report = faces_pass.run(lib, workers=2, files=installed(model_dir))
    assert report.photos == 3 and report.problems == 1 and report.faces >= 1
    rows = dict(lib.catalog.conn.execute(
        "SELECT hash, error FROM face_scans WHERE hash IN (?, ?)",
        (lib.catalog.hash_of(str(blank)), lib.catalog.hash_of(str(broken)))).fetchall())
    assert rows[lib.catalog.hash_of(str(blank))] is None  # scanned, no face, no error
    assert "corrupt" in rows[lib.catalog.hash_of(str(broken))] or \
        "not an image" in rows[lib.catalog.hash_of(str(broken))]
    assert _pass(lib, installed(model_dir)).photos == 0  # not retried every run


def test_name_merge_not_and_hide_persist_across_reopen(people_lib, model_dir):  # noqa: F811
    lib, photos = people_lib
    chris = _person_of(lib, photos["Chris Pratt"][0])
    elton = _person_of(lib, photos["Elton John"][0])
    ben = _person_of(lib, photos["Ben Affleck"][0])
    ops.name(lib, elton, "  Elton   John ")
    ops.name(lib, chris, "Chris")
    ops.merge(lib, chris, ben)  # a (wrong) merge the user makes: both become Chris
    ops.not_person(lib, str(photos["Ben Affleck"][0]), chris)
    ops.hide(lib, elton)
    lib.catalog.close()

    lib = Library.open(resolve_library(lib.paths.root), **TEST_MODEL)
    try:
        listed = {p.id: p for p in ops.people(lib)}
        assert elton not in listed  # hidden
        everyone = {p.id: p for p in ops.people(lib, include_hidden=True)}
        assert everyone[elton].name == "Elton John" and everyone[elton].hidden
        assert ben not in everyone  # merged away
        assert everyone[chris].name == "Chris" and everyone[chris].count == 3 + 3
        assert _person_of(lib, photos["Ben Affleck"][0]) is None  # taken out
        # the rejection is remembered: automation never puts it back
        _pass(lib, installed(model_dir))
        assert _person_of(lib, photos["Ben Affleck"][0]) is None
        with pytest.raises(ops.PeopleError):
            ops.merge(lib, chris, 9999)
        with pytest.raises(ops.PeopleError):
            ops.not_person(lib, str(photos["Elton John"][0]), chris)  # not Chris's face
    finally:
        lib.catalog.close()


def test_new_photo_of_a_named_person_joins_them(people_lib, tmp_path, model_dir):  # noqa: F811
    lib, photos = people_lib
    chris = _person_of(lib, photos["Chris Pratt"][0])
    ops.name(lib, chris, "Chris Pratt")
    later = tmp_path / "later"
    later.mkdir()
    shutil.copyfile(faces_dir() / LATE, later / "chris5.jpg")
    Indexer(lib).run([str(later)])
    report = _pass(lib, installed(model_dir))
    assert report.photos == 1 and report.matched == 1 and report.new_people == 0
    assert _person_of(lib, later / "chris5.jpg") == chris
    assert ops.person(lib, chris).count == 4


def test_person_search_with_and_without_text(people_lib):
    lib, photos = people_lib
    elton = _person_of(lib, photos["Elton John"][0])
    ops.name(lib, elton, "Elton John")
    searcher = Searcher(lib)
    want = {str(p) for p in photos["Elton John"]}
    browse = searcher.search("person:Elton_John", limit=50)  # no text: no model needed
    assert {r.path for r in browse.results} == want
    assert {r.path for r in searcher.search('person:"elton john"').results} == want
    text = searcher.search("person:Elton_John portrait", limit=50)  # kNN within the person
    assert {r.path for r in text.results} == want
    assert all(r.score is not None for r in text.results)
    others = searcher.search("-person:Elton_John", limit=50)
    assert len(others.results) == 7 and not want & {r.path for r in others.results}
    neg_text = searcher.search("portrait -person:Elton_John", limit=50)
    assert not want & {r.path for r in neg_text.results} and len(neg_text.results) == 7
    with pytest.raises(QueryError, match="no person is named 'Nobody'"):
        searcher.search("person:Nobody beach")


def test_regroup_never_moves_confirmed_faces(people_lib):
    lib, photos = people_lib
    elton = _person_of(lib, photos["Elton John"][0])
    chris = _person_of(lib, photos["Chris Pratt"][0])
    ops.name(lib, elton, "Elton")
    # the user moves one Chris photo's face into Elton (a deliberate, confirmed choice)
    store = FaceStore(lib.catalog)
    face = store.faces(hash_=lib.catalog.hash_of(str(photos["Chris Pratt"][1])))[0]
    ops.move_face(lib, face.id, elton)
    ops.regroup(lib)
    assert _person_of(lib, photos["Chris Pratt"][1]) == elton  # confirmed: stays
    assert {_person_of(lib, p) for p in photos["Elton John"]} == {elton}
    # unnamed, unconfirmed groups were rebuilt with the same members
    after = {_person_of(lib, p) for p in photos["Ben Affleck"]}
    assert len(after) == 1 and None not in after
    rest = {_person_of(lib, p) for p in photos["Chris Pratt"] if p != photos["Chris Pratt"][1]}
    assert len(rest) == 1 and None not in rest and rest != {elton} and rest != after
    assert chris is not None


def test_enable_and_forget_delete_everything(people_lib, monkeypatch, tmp_path):
    lib, _ = people_lib
    monkeypatch.setenv("PHOTOSEARCH_CACHE", str(tmp_path / "cache"))
    files = ops.enable(lib)
    assert files.landmarks.parent == tmp_path / "cache" / "models" / "dlib-faces"
    assert faces_pass.enabled(Library.open(lib.paths, **TEST_MODEL))  # saved in settings
    person = ops.people(lib)[0].id
    ops.name(lib, person, "Someone")
    n = ops.forget(lib)
    assert n == 11
    for table in ("faces", "people", "face_scans", "face_rejections"):
        assert lib.catalog.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    assert not index_path(lib.paths.index_dir, MODEL_ID).exists()
    assert not faces_pass.enabled(Library.open(lib.paths, **TEST_MODEL))
    assert ops.people(lib) == []
    vectors = lib.catalog.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    assert vectors == 11  # CLIP embeddings are not touched
    assert np.isfinite(vectors)


def test_purging_a_deleted_photo_drops_its_faces(people_lib):
    import time

    lib, photos = people_lib
    gone = photos["Ben Affleck"][0]
    h = lib.catalog.hash_of(str(gone))
    lib.catalog.delete_files([str(gone)])
    assert FaceStore(lib.catalog).faces(hash_=h) == []  # no file: not listed any more
    lib.catalog.purge_orphans(time.time() + 1)
    count = lib.catalog.conn.execute("SELECT COUNT(*) FROM faces WHERE hash = ?", (h,))
    assert count.fetchone()[0] == 0
    assert lib.catalog.photo(h) is None  # the photo row could go: nothing refers to it
    assert ops.person(lib, _person_of(lib, photos["Ben Affleck"][1])).count == 3


def test_export_writes_named_people_beside_their_photos(people_lib, request_cleanup):
    from photosearch.core.people.xmp_regions import read_regions, region_for

    lib, photos = people_lib
    elton_photo = photos["Elton John"][0]
    store = FaceStore(lib.catalog)
    face = store.faces(hash_=lib.catalog.hash_of(str(elton_photo)))[0]
    ops.name(lib, face.person_id, "Elton John")
    before = elton_photo.read_bytes()
    report = ops.export_regions(lib)
    for p in photos["Elton John"]:  # shared template photos: leave no sidecar behind
        request_cleanup.append(p.parent / (p.name + ".xmp"))
    assert (report.created, report.errors) == (4, [])  # only the named person's photos
    regions = read_regions((elton_photo.parent / (elton_photo.name + ".xmp")).read_bytes())
    info = lib.catalog.photo(face.hash)
    want = region_for("Elton John", face.box, (info.width, info.height))
    assert len(regions) == 1 and regions[0].name == want.name
    got = (regions[0].x, regions[0].y, regions[0].w, regions[0].h)
    assert got == pytest.approx((want.x, want.y, want.w, want.h), abs=1e-6)
    assert elton_photo.read_bytes() == before
    assert not (photos["Ben Affleck"][0].parent / (photos["Ben Affleck"][0].name + ".xmp")
                ).exists()
    assert ops.export_regions(lib).unchanged == 4


def test_mwg_round_trip_names_faces_in_a_new_library(people_lib, tmp_path, model_dir):  # noqa: F811
    """Export named people to sidecars, then a fresh library indexing the same photos reads
    them back as named, confirmed faces (as it would digiKam's or Lightroom's)."""
    lib, photos = people_lib
    elton = _person_of(lib, photos["Elton John"][0])
    ops.name(lib, elton, "Elton John")
    sidecars = [p.parent / (p.name + ".xmp") for p in photos["Elton John"]]
    try:
        assert ops.export_regions(lib).created == 4
        fresh = Library.open(resolve_library(tmp_path / "fresh"), **TEST_MODEL)
        Indexer(fresh).run([str(photos["Elton John"][0].parent)])
        report = _pass(fresh, installed(model_dir))
        assert report.named_from_xmp == 4
        named = [p for p in ops.people(fresh, faces_per_person=None) if p.name]
        assert [(p.name, p.count) for p in named] == [("Elton John", 4)]
        store = FaceStore(fresh.catalog)
        assert all(f.confirmed for f in store.faces(person_id=named[0].id))
        fresh.catalog.close()
    finally:
        for s in sidecars:
            s.unlink(missing_ok=True)
