"""Tagging photos by hand from the grid: a manual tag is a review decision on a label.

Adding tag NAME to photos confirms them for label NAME (created from its name when it does
not exist yet); removing it rejects them. Like any review decision, it wins over the model
forever, teaches the label (an example) and re-tunes its threshold, and `tag:NAME` finds
the photos at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .tagging import Tagger
from .tagging_store import TaggingError


@dataclass
class ManualTagReport:
    label: str
    photos: int
    added: bool  # True: tagged (confirmed); False: tag removed (rejected)
    created: bool  # the label did not exist before


def label_names(library) -> list[str]:
    return sorted(lab.name for lab in Tagger(library).store.all())


def set_manual_tag(library, name: str, hashes: Sequence[str], add: bool = True
                   ) -> ManualTagReport:
    """Tag (or untag) photos by hand; raises TaggingError for a name a label cannot have."""
    tagger = Tagger(library)
    name = " ".join(name.split())
    if not hashes:
        raise TaggingError("no photos selected")
    created = False
    if not tagger.store.exists(name):
        if not add:
            raise TaggingError(f"no label named '{name}'")
        tagger.store.add(name)  # its prompt is its name; the decisions teach it
        created = True
    from .pairs import with_partners  # tagging a RAW+JPEG pair tags both halves

    tagger.review(name, with_partners(library.catalog, list(dict.fromkeys(hashes))), add)
    if not add:  # the tag went away: its keywords leave the sidecars photosearch wrote
        from .keywords import retract

        retract(library)
    return ManualTagReport(name, len(set(hashes)), add, created)


def label_counts(library) -> list[tuple[str, int]]:
    """Every label (by name) with how many photos it tags now: the sidebar's Labels list."""
    store = Tagger(library).store
    counts = store.tagged_counts()
    return sorted(((lab.name, counts.get(lab.id, 0)) for lab in store.all()),
                  key=lambda nc: nc[0].lower())
