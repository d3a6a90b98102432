"""The labels screen (create, tag, review) and the duplicates screen (groups, keeper,
resolve to trash, undo). Scores from the test model are meaningless: these tests check
that decisions are stored and shown, never which photo a label "finds"."""

from __future__ import annotations

import shutil

from photosearch.core.tagging import Tagger
from tests.ui.conftest import PHOTOS, index_now, names, settle


def _loaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not any(m.loading for m in view.models.values()), timeout=30_000)


def _labels_view(qtbot, window):
    window.show_screen("labels")
    view = window.screen_pages["labels"]
    assert window.sidebar.nav.currentItem().text() == "Labels"
    return view


def test_create_label_review_and_search_by_tag(qtbot, window, photos, library):
    index_now(qtbot, window, [photos[0].parent])
    view = _labels_view(qtbot, window)
    with qtbot.waitSignal(view.views_loaded, timeout=30_000):
        view.add_label("reds", ["a red photo"])
    _loaded(qtbot, view)
    assert [view.labels.item(i).data(256) for i in range(view.labels.count())] == ["reds"]
    total = sum(view.models[k].rowCount() for k in ("confident", "borderline", "rejected"))
    assert total <= len(PHOTOS)
    red_hash = library.catalog.hash_of(str(photos[0]))

    def shown(key: str) -> bool:
        return not view.models[key].loading and any(
            r.hash == red_hash for r in view.models[key].results())

    view.review([red_hash], True)  # "yes": a confirmed tag, shown as tagged
    qtbot.waitUntil(lambda: shown("confident"), timeout=30_000)
    view.tabs.setCurrentIndex(0)
    model, grid = view.models["confident"], view.grids["confident"]
    grid.setCurrentIndex(model.index(next(i for i, r in enumerate(model.results())
                                          if r.hash == red_hash)))
    view.no_btn.click()  # changed my mind: "no"
    qtbot.waitUntil(lambda: shown("rejected") and not shown("confident"), timeout=30_000)
    # the decision is in the catalog, not only on screen
    tags = Tagger(library).store.tag_rows(Tagger(library).store.get("reds"), ("rejected",))
    assert len(tags) == 1
    view.search_btn.click()
    settle(qtbot, window)
    assert window.search_flow.request.text == "tag:reds" and "red.jpg" not in names(window)


def test_duplicates_resolve_to_trash_and_undo(qtbot, window, photos, tmp_path):
    copy = photos[0].parent / "copy_of_red.jpg"
    shutil.copy2(photos[0], copy)
    index_now(qtbot, window, [photos[0].parent])
    window.show_screen("duplicates")
    view = window.screen_pages["duplicates"]
    qtbot.waitUntil(lambda: view.find_btn.isEnabled(), timeout=30_000)
    exact = [g for g in view.groups if g.tier == "exact"]
    assert len(exact) == 1
    paths = {p for it in exact[0].items for p in (it.path, *it.copies)}
    assert paths == {str(photos[0]), str(copy)}
    view.list.setCurrentRow(view.groups.index(exact[0]))
    keeper = view.keepers[exact[0].id]
    other = (paths - {keeper}).pop()
    assert view.checked[exact[0].id] == {other}  # exact tier: non-keeper pre-checked
    kept_item = next(view.items.item(i) for i in range(view.items.count())
                     if view.items.item(i).data(256) == keeper)
    assert kept_item.text().startswith("KEEP")
    asked = []
    window.confirm = lambda text: asked.append(text) or True
    with qtbot.waitSignal(view.resolved, timeout=30_000) as blocker:
        view.trash_btn.click()
    assert "Move 1 file(s)" in asked[0] and other in asked[0]
    assert len(blocker.args[0].trashed) == 1
    import os

    assert not os.path.exists(other) and os.path.exists(keeper)
    qtbot.waitUntil(lambda: view.find_btn.isEnabled(), timeout=30_000)
    assert not [g for g in view.groups if g.tier == "exact"]
    with qtbot.waitSignal(view.undone, timeout=30_000) as blocker:
        view.undo_btn.click()
    assert len(blocker.args[0].restored) == 1 and os.path.exists(other)
    qtbot.waitUntil(lambda: view.find_btn.isEnabled(), timeout=30_000)
    assert len([g for g in view.groups if g.tier == "exact"]) == 1


def test_choosing_another_keeper_and_declining_the_preview(qtbot, window, photos):
    copy = photos[1].parent / "green_copy.png"
    shutil.copy2(photos[1], copy)
    index_now(qtbot, window, [photos[0].parent])
    window.show_screen("duplicates")
    view = window.screen_pages["duplicates"]
    qtbot.waitUntil(lambda: view.find_btn.isEnabled() and bool(view.groups), timeout=30_000)
    g = next(g for g in view.groups if g.tier == "exact")
    view.list.setCurrentRow(view.groups.index(g))
    old = view.keepers[g.id]
    new = str(copy) if old != str(copy) else str(photos[1])
    view.set_keeper(new)
    view.checked[g.id] = {old}
    plan = view.plan()
    assert [(e.keeper.path, [p for p, _h in e.trash]) for e in plan.entries] == [(new, [old])]
    window.confirm = lambda _text: False
    view.resolve_checked()
    qtbot.wait(200)
    assert copy.exists() and photos[1].exists()  # declined: nothing moved


def test_show_duplicates_of_a_photo_from_the_grid(qtbot, window, photos):
    copy = photos[3].parent / "yellow_again.png"
    shutil.copy2(photos[3], copy)
    index_now(qtbot, window, [photos[0].parent])
    row = names(window).index("yellow.png")
    rect = window.grid.visualRect(window.results.index(row))
    window.grid.customContextMenuRequested.emit(rect.center())
    action = next(a for a in window.photo_actions.context_menu.actions()
                  if a.text() == "Show duplicates of this photo")
    window.photo_actions.context_menu.close()
    action.trigger()
    view = window.screen_pages["duplicates"]
    qtbot.waitUntil(lambda: view.find_btn.isEnabled() and view.current is not None,
                    timeout=30_000)
    assert window.screens.currentWidget() is view
    paths = {p for it in view.current.items for p in (it.path, *it.copies)}
    assert paths == {str(photos[3]), str(copy)}


def test_edit_label_prompts_and_threshold(qtbot, window, photos, library):
    index_now(qtbot, window, [photos[0].parent])
    view = _labels_view(qtbot, window)
    with qtbot.waitSignal(view.views_loaded, timeout=30_000):
        view.add_label("cars", ["a car"])
    with qtbot.waitSignal(view.views_loaded, timeout=30_000):
        view.edit_label(["a red car", "a sports car"], 0.3)
    lab = Tagger(library).store.get("cars")
    assert lab.prompts == ["a red car", "a sports car"]
    assert lab.threshold == 0.3 and lab.threshold_user
    assert not lab.needs_apply(library.model_id)  # re-tagged with the new definition
    assert "threshold 0.30" in view.header.text()


def test_preview_shows_a_photos_tags(qtbot, window, photos, library):
    index_now(qtbot, window, [photos[0].parent])
    tagger = Tagger(library)
    tagger.store.add("favourites", ["a favourite photo"], threshold=0.98)
    red = library.catalog.hash_of(str(photos[0]))
    tagger.review("favourites", [red], True)
    row = names(window).index("red.jpg")
    window.grid.setCurrentIndex(window.results.index(row))
    qtbot.waitUntil(lambda: window.preview.fields["Tags"].text() == "favourites")
    window.grid.setCurrentIndex(window.results.index(names(window).index("blue.jpg")))
    qtbot.waitUntil(lambda: window.preview.fields["Tags"].text() == "—")
