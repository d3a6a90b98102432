"""Putting faces into people: incremental matching, then re-clustering what is left.

1. A face without a person joins an existing person only when it is clearly close: the mean
   of its (up to) 3 nearest distances to that person's faces is <= JOIN_DISTANCE, and the
   next-best person is at least JOIN_MARGIN further away. People the face was rejected
   from ("not this person") are never considered.
2. The faces still without a person are clustered (average link, cluster.DEFAULT_THRESHOLD);
   each group of >= MIN_GROUP faces becomes a new unnamed person; the rest wait for more
   photos.
Faces the user confirmed are never moved by either step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from . import cluster
from .face_index import FaceIndex
from .store import FaceStore

JOIN_DISTANCE = 0.5
JOIN_MARGIN = 0.1
JOIN_NEIGHBOURS = 3
KNN = 30
MIN_GROUP = 2


@dataclass
class AssignReport:
    matched: int = 0  # faces that joined an existing person
    new_people: int = 0
    clustered: int = 0  # faces put in new people


def decide(per_person: dict[int, list[float]], join: float = JOIN_DISTANCE,
           margin: float = JOIN_MARGIN) -> int | None:
    """The person a face clearly belongs to, from its distances to each person's faces."""
    if not per_person:
        return None
    score = sorted((float(np.mean(sorted(ds)[:JOIN_NEIGHBOURS])), p)
                   for p, ds in per_person.items())
    best, person = score[0]
    if best <= join and (len(score) == 1 or score[1][0] - best >= margin):
        return person
    return None


def match_unassigned(store: FaceStore, index: FaceIndex, model_id: str) -> int:
    """Step 1 for every unassigned face; returns how many joined a person."""
    ids, vecs = store.descriptors(model_id, unassigned=True)
    if ids.size == 0 or len(index) == 0:
        return 0
    labels, dists = index.knn(vecs, KNN)
    neighbours = np.unique(labels[labels >= 0])
    owner = store.assignments(neighbours.tolist())
    rejected = store.rejections(ids.tolist())
    moves: dict[int, list[int]] = defaultdict(list)
    for row, face in enumerate(ids.tolist()):
        per: dict[int, list[float]] = defaultdict(list)
        for n, d in zip(labels[row].tolist(), dists[row].tolist(), strict=True):
            person = owner.get(n, (None, False))[0]
            if n == face or person is None or person in rejected.get(face, ()):
                continue
            per[person].append(d)
        person = decide(per)
        if person is not None:
            moves[person].append(face)
    n = 0
    with store.transaction():
        for person, faces in moves.items():
            n += store.assign(faces, person)
    return n


def cluster_unassigned(store: FaceStore, model_id: str,
                       threshold: float = cluster.DEFAULT_THRESHOLD) -> tuple[int, int]:
    """Step 2; returns (new people, faces put in them)."""
    ids, vecs = store.descriptors(model_id, unassigned=True)
    if ids.size < MIN_GROUP:
        return 0, 0
    labels = cluster.average_link(vecs, threshold)
    people = faces = 0
    with store.transaction():
        for label in np.unique(labels):
            members = ids[labels == label]
            if len(members) < MIN_GROUP:
                continue
            person = store.new_person()
            faces += store.assign(members.tolist(), person)
            people += 1
    return people, faces


def update(store: FaceStore, index: FaceIndex, model_id: str) -> AssignReport:
    report = AssignReport()
    report.matched = match_unassigned(store, index, model_id)
    report.new_people, report.clustered = cluster_unassigned(store, model_id)
    return report


def recluster(store: FaceStore, index: FaceIndex, model_id: str) -> AssignReport:
    """Start the automatic grouping over: unconfirmed faces of unnamed people are released,
    then matched to the people that remain (named or confirmed) and re-clustered."""
    ids, _ = store.descriptors(model_id, unconfirmed_unnamed=True)
    with store.transaction():
        store.assign(ids.tolist(), None)
        store.drop_empty_people()
    return update(store, index, model_id)
