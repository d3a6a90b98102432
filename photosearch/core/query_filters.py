"""Tag filters shared by search (numpy over labels) and browse (SQL): `tag:a` (all of),
`tag:a,b` (any of) and `-tag:a` (none of), as sets of content hashes."""

from __future__ import annotations

from .catalog import Catalog
from .query import Filters
from .tagging_store import LabelStore


def tag_hash_sets(catalog: Catalog, f: Filters) -> tuple[set[str] | None, set[str]]:
    """(hashes every photo must be among, or None for no limit; hashes to leave out).
    An unknown tag name is a TaggingError (a QueryError), never an empty result."""
    store = LabelStore(catalog)
    include: set[str] | None = store.tagged_hashes(f.tags) if f.tags else None
    for group in f.any_tags:
        anyof: set[str] = set()
        for name in group:
            anyof |= store.tagged_hashes([name])
        include = anyof if include is None else include & anyof
    exclude: set[str] = set()
    for name in f.not_tags:
        exclude |= store.tagged_hashes([name])
    return include, exclude
