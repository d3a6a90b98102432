"""People use cases: the only code that changes people, faces and their index.

The CLI and the app call these; they keep the catalog, the face index and the settings in
step (the lead's core/library_ops.py can absorb them as they are).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog
from ..library import Library
from ..xmp import ExportReport, XmpError
from . import assign
from .face_index import delete_index, index_path, open_index
from .models import MODEL_ID, ModelFiles, install_models, require_dlib
from .store import FaceStore, PersonRow


class PeopleError(ValueError):
    """A people command the user has to fix; the message says how."""


@dataclass
class PersonView:
    id: int
    name: str | None
    hidden: bool
    count: int  # photos
    faces: list[dict]  # {"path", "box": [left, top, right, bottom]}

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "hidden": self.hidden, "count": self.count,
                "faces": self.faces}


def _store(lib: Library, catalog: Catalog | None) -> FaceStore:
    return FaceStore(catalog or lib.catalog)


def _set(lib: Library, **changes) -> None:
    lib.settings.people = {**(lib.settings.people or {}), **changes}
    lib.save_settings()


# -- opt in / out ------------------------------------------------------------------------
def enable(lib: Library, detector: str | None = None) -> ModelFiles:
    """Install the model files (raises FaceModelsUnavailable) and switch the pass on."""
    require_dlib()
    files = install_models()
    changes: dict = {"enabled": True}
    if detector:
        if detector not in ("hog", "cnn"):
            raise PeopleError(f"unknown detector {detector!r}: use hog (fast) or cnn "
                              "(accurate, slow)")
        changes["detector"] = detector
    _set(lib, **changes)
    return files


def disable(lib: Library) -> None:
    """Stop finding faces; what was found is kept (see forget)."""
    _set(lib, enabled=False)


def forget(lib: Library, catalog: Catalog | None = None) -> int:
    """Switch off and delete every face, descriptor, person, name and decision, and the face
    index. Returns how many faces were deleted."""
    _set(lib, enabled=False)
    n = _store(lib, catalog).forget_all()
    delete_index(lib.paths.index_dir, MODEL_ID)
    return n


# -- reading -----------------------------------------------------------------------------
def people(lib: Library, *, include_hidden: bool = False, faces_per_person: int | None = 12,
           catalog: Catalog | None = None) -> list[PersonView]:
    store = _store(lib, catalog)
    return [_view(store, p, faces_per_person)
            for p in store.people(include_hidden=include_hidden)]


def person(lib: Library, person_id: int, catalog: Catalog | None = None) -> PersonView:
    store = _store(lib, catalog)
    return _view(store, _get(store, person_id), None)


def _view(store: FaceStore, p: PersonRow, limit: int | None) -> PersonView:
    rows = store.faces(person_id=p.id, limit=limit)
    paths = store.a_path([r.hash for r in rows])
    faces = [{"path": paths[r.hash], "box": list(r.box)} for r in rows if r.hash in paths]
    return PersonView(p.id, p.name, p.hidden, p.photos, faces)


def _get(store: FaceStore, person_id: int) -> PersonRow:
    row = store.person(person_id)
    if row is None:
        raise PeopleError(f"there is no person {person_id} (see 'photosearch people')")
    return row


# -- fixing ------------------------------------------------------------------------------
def name(lib: Library, person_id: int, new_name: str, catalog: Catalog | None = None) -> None:
    """Name a person (its current faces count as confirmed: the user looked at them)."""
    store = _store(lib, catalog)
    _get(store, person_id)
    clean = " ".join(new_name.split())
    if not clean:
        raise PeopleError("a name cannot be empty")
    with store.transaction():
        store.set_name(person_id, clean)
        store.confirm_person(person_id)


def hide(lib: Library, person_id: int, hidden: bool = True,
         catalog: Catalog | None = None) -> None:
    store = _store(lib, catalog)
    _get(store, person_id)
    with store.transaction():
        store.set_hidden(person_id, hidden)


def merge(lib: Library, keep: int, other: int, catalog: Catalog | None = None) -> int:
    """Merge `other` into `keep`; keep's name wins, else other's. Returns faces moved."""
    store = _store(lib, catalog)
    a, b = _get(store, keep), _get(store, other)
    if keep == other:
        raise PeopleError("cannot merge a person with itself")
    with store.transaction():
        n = store.merge(keep, other)
        if a.name is None and b.name is not None:
            store.set_name(keep, b.name)
        store.confirm_person(keep)
    return n


def not_person(lib: Library, path: str, person_id: int, catalog: Catalog | None = None) -> int:
    """'Not this person': take the faces of photo `path` out of `person_id` and remember
    it, so automation never puts them back. Returns faces moved out."""
    store = _store(lib, catalog)
    _get(store, person_id)
    h = store.hash_of_path(path)
    if h is None:
        raise PeopleError(f"{path} is not in the library")
    faces = [f for f in store.faces(hash_=h) if f.person_id == person_id]
    if not faces:
        raise PeopleError(f"no face of person {person_id} in {path}")
    with store.transaction():
        for f in faces:
            store.reject(f.id, person_id)
        store.assign([f.id for f in faces], None, keep_confirmed=False)
        store.drop_empty_people()
    return len(faces)


def move_face(lib: Library, face_id: int, person_id: int | None,
              catalog: Catalog | None = None) -> None:
    """Put one face in a person by hand (confirmed), or a new person when None."""
    store = _store(lib, catalog)
    with store.transaction():
        target = person_id if person_id is not None else store.new_person()
        store.assign([face_id], target, confirmed=True, keep_confirmed=False)
        store.drop_empty_people()


def regroup(lib: Library, catalog: Catalog | None = None) -> assign.AssignReport:
    """Redo the automatic grouping (confirmed faces and named people stay as they are)."""
    store = _store(lib, catalog)
    index = open_index(store, lib.paths.index_dir, MODEL_ID)
    report = assign.recluster(store, index, MODEL_ID)
    if index.dirty and not lib.readonly:
        index.save(index_path(lib.paths.index_dir, MODEL_ID))
    return report


def status(lib: Library, catalog: Catalog | None = None) -> dict:
    store = _store(lib, catalog)
    counts = store.scan_counts(MODEL_ID)
    return {"enabled": bool((lib.settings.people or {}).get("enabled")),
            "detector": (lib.settings.people or {}).get("detector", "hog"),
            "pending": store.pending_count(MODEL_ID), **counts,
            "people": len(store.people(include_hidden=True))}


# -- metadata ----------------------------------------------------------------------------
def export_regions(lib: Library, *, dry_run: bool = False, catalog: Catalog | None = None
                   ) -> ExportReport:
    """Write named people as MWG face regions into NAME.EXT.xmp sidecars of every path of
    their photos (the photos themselves are never written). Unnamed people are left out."""
    from .xmp_regions import region_for, write_regions

    store = _store(lib, catalog)
    per_photo: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = {}
    for p in store.people(include_hidden=True):
        if p.name:
            for f in store.faces(person_id=p.id):
                per_photo.setdefault(f.hash, []).append((p.name, f.box))
    report = ExportReport()
    paths = store.catalog.paths_of(sorted(per_photo))
    for h, faces in per_photo.items():
        info = store.catalog.photo(h)
        if info is None or not info.width or not info.height:
            continue
        size = (info.width, info.height)
        regions = [region_for(name, box, size) for name, box in faces]
        for path in paths.get(h, []):
            if dry_run:
                report.planned.append((path, [r.name for r in regions]))
                continue
            try:
                outcome = write_regions(path, regions, size)
            except (XmpError, OSError) as exc:
                report.errors.append((path, getattr(exc, "strerror", None) or str(exc)))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
    return report
