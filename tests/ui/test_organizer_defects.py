"""Issue 11's defects, each driven through the real widgets: these failed before the fix."""

from __future__ import annotations

import shutil

from tests.ui.conftest import index_now


def _dupes_view(qtbot, window):
    window.show_screen("duplicates")
    view = window.screen_pages["duplicates"]
    qtbot.waitUntil(lambda: view.find_btn.isEnabled() and bool(view.groups), timeout=30_000)
    return view


def _item(view, path):
    return next(view.items.item(i) for i in range(view.items.count())
                if view.items.item(i).data(256) == path)


def _group_of(view, path):
    return next(g for g in view.groups
                if path in {p for it in g.items for p in (it.path, *it.copies)})


def test_chosen_keeper_survives_not_duplicates_on_another_group(qtbot, window, photos):
    green_copy = photos[1].parent / "green_copy.png"
    red_copy = photos[0].parent / "red_copy.jpg"
    shutil.copy2(photos[1], green_copy)
    shutil.copy2(photos[0], red_copy)
    index_now(qtbot, window, [photos[0].parent])
    view = _dupes_view(qtbot, window)
    green = _group_of(view, str(photos[1]))
    view.list.setCurrentRow(view.groups.index(green))
    suggested = view.keepers[green.id]
    mine = str(green_copy) if suggested != str(green_copy) else str(photos[1])
    view.items.setCurrentItem(_item(view, mine))
    view.keep_btn.click()  # "Keep this one instead"
    _item(view, suggested).setCheckState(_item(view, suggested).checkState().Checked)
    red = _group_of(view, str(photos[0]))
    view.list.setCurrentRow(view.groups.index(red))
    view.not_dupes_btn.click()
    qtbot.waitUntil(lambda: view.find_btn.isEnabled()
                    and not any(g.id == red.id for g in view.groups), timeout=30_000)
    green_now = _group_of(view, str(photos[1]))
    assert view.current is not None and view.current.id == green_now.id  # selection stayed
    assert view.keepers[green_now.id] == mine
    assert _item(view, mine).text().startswith("KEEP")
    plan = view.plan()
    assert [(e.keeper.path, [p for p, _h in e.trash]) for e in plan.entries] == \
        [(mine, [suggested])]
