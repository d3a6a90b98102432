"""Resolving duplicate groups for real: plan, send2trash into a temp trash, catalog
forgets, tags merge into the keeper, changed files are spared, undo restores everything."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from photosearch.core.dupes_cleanup import PlanError, plan_choice, plan_groups, resolve, undo
from photosearch.core.duplicates import DuplicateFinder
from photosearch.core.indexer import Indexer

from .dupes_helpers import RED, SEPIA, checksums, digest, save, texture

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="restores from the freedesktop trash (Linux)")
T0 = 1_600_000_000.0


@pytest.fixture
def dupes(fake_library, tmp_path, xdg_trash):
    """An indexed folder with one exact pair and one same-photo cluster of three."""
    root = tmp_path / "photos"
    orig = texture(1, SEPIA)
    save(orig, root / "orig.png", T0)
    save(orig, root / "copies" / "q60.jpg", T0 + 5000, quality=60)
    save(orig.resize((160, 120)), root / "copies" / "half.jpg", T0 + 6000, quality=85)
    a = save(texture(2, RED), root / "a" / "red.jpg", T0 + 99_999, quality=90)
    (root / "b").mkdir()
    shutil.copyfile(a, root / "b" / "red.jpg")
    save(texture(3, SEPIA), root / "unique.jpg", T0 + 500_000, quality=90)
    Indexer(fake_library).run([str(root)])
    return fake_library, root, xdg_trash


def _trashed_names(trash: Path) -> list[str]:
    return sorted(p.name for p in (trash / "files").iterdir()) if (trash / "files").is_dir() else []


def test_resolve_trashes_non_keepers_only_and_undo_restores_them(dupes):
    lib, root, trash = dupes
    before = checksums(root)
    grouping = DuplicateFinder(lib).find(("exact", "same"))
    plan = plan_groups(grouping.groups["exact"] + grouping.groups["same"])
    assert plan.files == 3 and plan.bytes > 0
    keepers = {e.keeper.path for e in plan.entries}
    assert str(root / "orig.png") in keepers

    report = resolve(lib, plan)
    assert len(report.trashed) == 3 and report.skipped == []
    assert _trashed_names(trash) == ["half.jpg", "q60.jpg", "red.jpg"]
    after = checksums(root)
    for path, sha in after.items():  # whatever is left is byte-for-byte unchanged
        assert before[path] == sha
    assert set(after) == set(before) - {r.path for r in report.trashed}
    assert keepers <= set(after)
    known = lib.catalog.file_states()
    assert not {r.path for r in report.trashed} & set(known)  # catalog forgot them
    assert DuplicateFinder(lib).find(("exact", "same")).all() == []
    assert report.log_path.is_file() and report.log_path.parent == lib.paths.undo_dir

    back = undo(lib)
    assert back.log_path == report.log_path
    assert len(back.restored) == 3 and back.failed == [] and back.relinked == 3
    assert checksums(root) == before
    assert set(lib.catalog.file_states()) == set(known) | {r.path for r in report.trashed}
    regroup = DuplicateFinder(lib).find(("exact", "same"))
    assert len(regroup.groups["exact"]) == 1 and len(regroup.groups["same"]) == 1
    assert undo(lib).log_path is None  # nothing left to undo


def test_a_file_changed_after_grouping_is_not_trashed(dupes):
    lib, root, trash = dupes
    groups = DuplicateFinder(lib).find(("same",)).groups["same"]
    plan = plan_groups(groups)
    victim = root / "copies" / "q60.jpg"
    assert str(victim) in {p for e in plan.entries for p, _ in e.trash}
    time.sleep(0.01)
    victim.write_bytes(victim.read_bytes() + b"edited")
    edited = digest(victim)
    report = resolve(lib, plan)
    assert [p for p, _ in report.skipped] == [str(victim)]
    assert "changed since it was grouped" in report.skipped[0][1]
    assert digest(victim) == edited
    assert _trashed_names(trash) == ["half.jpg"]


def test_nothing_is_trashed_when_the_keeper_changed(dupes):
    lib, root, trash = dupes
    plan = plan_groups(DuplicateFinder(lib).find(("same",)).groups["same"])
    keeper = Path(plan.entries[0].keeper.path)
    keeper.write_bytes(b"replaced")
    report = resolve(lib, plan)
    assert report.trashed == [] and report.log_path is None
    assert all("keeper" in why for _, why in report.skipped)
    assert _trashed_names(trash) == []


def test_similar_groups_are_never_auto_planned_but_can_be_chosen_by_hand(fake_library,
                                                                        tmp_path, xdg_trash):
    root = tmp_path / "burst"
    for i in range(3):
        save(texture(40 + i, RED), root / f"b{i}.jpg", T0 + i, quality=90)
    Indexer(fake_library).run([str(root)])
    [g] = DuplicateFinder(fake_library).find(("similar",)).groups["similar"]
    with pytest.raises(PlanError, match="never auto-selected"):
        plan_groups([g])
    entry = plan_choice(g, g.items[1].path, [g.items[2].path])
    from photosearch.core.dupes_cleanup import Plan

    report = resolve(fake_library, Plan([entry]))
    assert [r.path for r in report.trashed] == [g.items[2].path]
    assert Path(g.keeper.path).exists() and Path(g.items[1].path).exists()
    with pytest.raises(PlanError):
        plan_choice(g, g.items[0].path, [g.items[0].path])


def _tag(cat, name: str, h: str, source: str) -> None:
    now = time.time()
    cat.conn.execute("INSERT OR IGNORE INTO labels(name, created_at, updated_at) VALUES (?,?,?)",
                     (name, now, now))
    lid = cat.conn.execute("SELECT id FROM labels WHERE name = ?", (name,)).fetchone()[0]
    cat.conn.execute("INSERT OR REPLACE INTO photo_tags(hash, label_id, score, source, "
                     "updated_at) VALUES (?, ?, 0.9, ?, ?)", (h, lid, source, now))


def _tags(cat, h: str) -> dict[str, str]:
    return dict(cat.conn.execute("SELECT l.name, t.source FROM photo_tags t JOIN labels l "
                                 "ON l.id = t.label_id WHERE t.hash = ?", (h,)).fetchall())


def test_tags_and_review_decisions_of_removed_copies_move_to_the_keeper(dupes):
    lib, root, _ = dupes
    cat = lib.catalog
    if not cat.conn.execute("SELECT 1 FROM sqlite_master WHERE name='photo_tags'").fetchone():
        pytest.skip("tagging tables (migration 0003) not present in this checkout")
    [g] = DuplicateFinder(lib).find(("same",)).groups["same"]
    keeper, (c1, c2) = g.keeper.hash, [it.hash for it in g.others]
    _tag(cat, "beach", c1, "confirmed")  # the user's decision on a copy...
    _tag(cat, "beach", keeper, "auto")  # ...beats the model's tag on the keeper
    _tag(cat, "dog", c2, "rejected")
    _tag(cat, "sunset", keeper, "confirmed")
    _tag(cat, "sunset", c2, "rejected")  # the keeper's own decision wins
    report = resolve(lib, plan_groups([g]))
    assert report.tags_merged == 2
    assert _tags(cat, keeper) == {"beach": "confirmed", "dog": "rejected", "sunset": "confirmed"}
    assert _tags(cat, c2) == {"dog": "rejected", "sunset": "rejected"}  # kept for undo


def test_find_preview_choose_resolve_undo_as_the_app_does(dupes):
    from photosearch.core.dupes_cleanup import Plan, plan_choice, plan_groups, undo
    from photosearch.core.duplicates import mark_not_duplicates

    lib, root, trash = dupes
    before = checksums(root)
    same = DuplicateFinder(lib).find().groups["same"]
    assert len(same) == 1 and same[0].keeper_reason and same[0].reason
    plan = plan_groups(same)
    assert plan.entries[0].keeper.path == same[0].items[0].path
    assert checksums(root) == before  # a preview touches nothing
    picked = Plan([plan_choice(same[0], same[0].items[0].path, [same[0].items[1].path])])
    assert picked.files == 1
    report = resolve(lib, plan)
    assert len(report.trashed) == 2
    assert len(undo(lib).restored) == 2
    assert checksums(root) == before
    mark_not_duplicates(lib.catalog, same[0].hashes)
    assert DuplicateFinder(lib).find(("same",)).groups["same"] == []


def test_a_keeper_of_one_entry_is_never_trashed_by_another(dupes):
    from photosearch.core.dupes_cleanup import Plan, PlanEntry

    lib, root, trash = dupes
    [g] = DuplicateFinder(lib).find(("same",)).groups["same"]
    keeper, other = g.items[0], g.items[1]
    bad = Plan([PlanEntry("g1", "same", keeper, [(other.path, other.hash)]),
                PlanEntry("g2", "same", other, [(keeper.path, keeper.hash)])])
    report = resolve(lib, bad)
    assert [r.path for r in report.trashed] == []
    assert {p for p, _ in report.skipped} == {keeper.path, other.path}
    assert Path(keeper.path).exists() and Path(other.path).exists()
