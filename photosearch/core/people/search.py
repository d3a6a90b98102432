"""Person filters for search and browse: `person:NAME` / `-person:NAME`."""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog import Catalog
from ..query import QueryError
from .store import FaceStore


class UnknownPerson(QueryError):
    def __init__(self, name: str):
        super().__init__(f"no person is named '{name}' (name people with 'photosearch people "
                         "name ID NAME'; see 'photosearch people')")
        self.name = name


def person_ids(catalog: Catalog, names: Sequence[str]) -> list[list[int]]:
    """People ids per name (a name may be shared); raises UnknownPerson for a name no one
    has."""
    store = FaceStore(catalog)
    out = []
    for n in names:
        ids = store.people_named(n)
        if not ids:
            raise UnknownPerson(n)
        out.append(ids)
    return out


def hashes_with_people(catalog: Catalog, names: Sequence[str]) -> set[str]:
    """Photos showing ALL the named people."""
    store = FaceStore(catalog)
    result: set[str] | None = None
    for ids in person_ids(catalog, names):
        hashes = store.hashes_of_people(ids)
        result = hashes if result is None else result & hashes
    return result or set()


def hashes_with_any(catalog: Catalog, names: Sequence[str]) -> set[str]:
    """Photos showing ANY of the named people (unknown names match nothing)."""
    store = FaceStore(catalog)
    ids = [i for n in names for i in store.people_named(n)]
    return store.hashes_of_people(ids)


def sql_clauses(catalog: Catalog, people: Sequence[str], not_people: Sequence[str],
                column: str = "p.hash") -> tuple[list[str], list]:
    """WHERE clauses (and their arguments) keeping photos that show all of `people` and
    none of `not_people`, for a query whose photo hash column is `column`."""
    clauses: list[str] = []
    args: list = []
    if people:
        hashes = sorted(hashes_with_people(catalog, people))
        clauses.append(f"{column} IN ({','.join('?' * len(hashes))})" if hashes else "0")
        args += hashes
    if not_people:
        hashes = sorted(hashes_with_any(catalog, not_people))
        if hashes:
            clauses.append(f"{column} NOT IN ({','.join('?' * len(hashes))})")
            args += hashes
    return clauses, args


def person_names(catalog: Catalog) -> list[str]:
    """The names a person filter can choose from: named, visible people, sorted."""
    names = {p.name for p in FaceStore(catalog).people() if p.name}
    return sorted(names, key=str.casefold)


def faces_in_photo(catalog: Catalog, content_hash: str
                   ) -> list[tuple[tuple[int, int, int, int], str | None]]:
    """A photo's face boxes (oriented full-resolution pixels: left, top, right, bottom) with
    the name of each face's person (None: unnamed or not assigned), for the preview."""
    store = FaceStore(catalog)
    rows = store.faces(hash_=content_hash)
    ids = sorted({r.person_id for r in rows if r.person_id is not None})
    names = {p.id: p.name for p in store.people(include_hidden=True, ids=ids)} if ids else {}
    return [(r.box, names.get(r.person_id) if r.person_id is not None else None)
            for r in rows]
