"""Search flow in the real main window: typing, query syntax, filters, sort, strong matches.

The test model's rankings are meaningless, so these tests assert plumbing (which photos
are eligible, how many, in what date order), never which photo "matches" a word.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QDate, Qt

from tests.ui.conftest import PHOTOS, index_now, names, settle


def test_browse_lists_every_photo_newest_first_with_a_count(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    assert names(window) == [n for n, _c, _d in sorted(PHOTOS, key=lambda p: -p[2])]
    qtbot.waitUntil(lambda: window.search_flow.browse_total == len(PHOTOS))
    assert window.count_label.text() == f"{len(PHOTOS)} of {len(PHOTOS)} photos shown"
    assert window.library_label.text().startswith(f"{len(PHOTOS)} photos")


def test_typing_searches_once_after_a_pause(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    emitted = []
    window.search.query_changed.connect(emitted.append)
    window.search_flow.focus_search()
    qtbot.keyClicks(window.search, "red car")
    assert emitted == []  # debounced: nothing while typing
    qtbot.waitUntil(lambda: emitted == ["red car"], timeout=5000)
    settle(qtbot, window)
    assert window.search_flow.request.text == "red car"
    assert sorted(names(window)) == sorted(n for n, _c, _d in PHOTOS)  # all ranked
    scores = [r.score for r in window.results.results()]
    assert all(s is not None for s in scores) and scores == sorted(scores, reverse=True)
    assert window.results.results()[0].strong
    assert "results" in window.count_label.text() and "strong" in window.count_label.text()


def test_weak_matches_are_flagged_for_the_grid(qtbot, window, photos):
    from photosearch.ui.results_model import StrongRole

    index_now(qtbot, window, [photos[0].parent])
    window.search.set_query("anything")
    settle(qtbot, window)
    rows = window.results.results()
    flags = [window.results.index(i).data(StrongRole) for i in range(len(rows))]
    assert flags == [r.strong for r in rows]
    # strong ones come first: a weak result is never followed by a strong one
    assert flags == sorted(flags, reverse=True)
    assert window.results.strong_count() == sum(flags)


def test_query_syntax_filters_and_escape_clears(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.search.set_query("photo type:png")
    settle(qtbot, window)
    assert sorted(names(window)) == sorted(n for n, _c, _d in PHOTOS if n.endswith(".png"))
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    settle(qtbot, window)
    assert window.search_flow.request.text == "" and len(names(window)) == len(PHOTOS)


def test_a_bad_query_shows_the_reason(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.search.set_query("beach after:yesterday")
    settle(qtbot, window)
    assert "is not a date" in window.count_label.text()
    assert window.results.rowCount() == 0


def test_filter_chips_narrow_results_and_clear(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    bar = window.filters
    bar.types.setCurrentText("jpg")
    settle(qtbot, window)
    assert sorted(names(window)) == sorted(n for n, _c, _d in PHOTOS if n.endswith(".jpg"))
    chips = bar.active_chips()
    assert [label for label, _ in chips] == ["type: jpg"]
    # date range: days 20..40 after 2020-01-01 -> green (20), blue (30), yellow (40)
    bar.after.setDate(QDate(2020, 1, 21))
    bar.before.setDate(QDate(2020, 2, 10))
    bar.after_on.setChecked(True)
    bar.before_on.setChecked(True)
    settle(qtbot, window)
    assert names(window) == ["blue.jpg"]
    chips[0][1]()  # remove the type chip
    settle(qtbot, window)
    assert sorted(names(window)) == ["blue.jpg", "green.png", "yellow.png"]
    bar.clear()
    settle(qtbot, window)
    assert len(names(window)) == len(PHOTOS) and bar.active_chips() == []


def test_folder_filter_and_sidebar_click(qtbot, window, photos, tmp_path):
    from tests.ui.conftest import make_photos

    other = make_photos(tmp_path / "other", [("orange.jpg", (250, 140, 20), 5)])
    index_now(qtbot, window, [photos[0].parent, other[0].parent])
    qtbot.waitUntil(lambda: len(window.sidebar.folder_paths()) == 2)
    window.sidebar.folder_clicked.emit(str(other[0].parent))
    settle(qtbot, window)
    assert names(window) == ["orange.jpg"]
    assert window.filters.active_chips()[0][0] == "folder: other"


def test_sort_by_date_reorders_search_results(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.search.set_query("sunset")
    settle(qtbot, window)
    window.sort.setCurrentIndex(window.sort.findData("date"))
    settle(qtbot, window)
    # strong matches first, then the weaker ones; newest first within each
    key = [(not r.strong, -r.taken_at) for r in window.results.results()]
    assert len(key) == len(PHOTOS) and key == sorted(key)
    assert all(r.score is not None for r in window.results.results())


def test_selecting_a_result_fills_the_preview(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    window.grid.setCurrentIndex(window.results.index(0))
    r = window.results.result_at(0)
    pane = window.preview
    assert pane.fields["Name"].text() == os.path.basename(r.path)
    qtbot.waitUntil(lambda: pane.fields["Size"].text().endswith(("bytes", "KB")))
    qtbot.waitUntil(lambda: pane._pixmap is not None)
    assert pane.fields["Copies"].text() == "only this file"
    assert pane.fields["Taken"].text().startswith("2020-")
    assert all(b.isEnabled() for b in pane.buttons.values())


def test_query_language_errors_show_inline_not_an_empty_grid(qtbot, window, photos):
    """Each kind of query mistake is said in the count line and on the search field, and
    the empty grid says why it is empty; fixing the query clears all three."""
    index_now(qtbot, window, [photos[0].parent])
    missing = os.path.join(str(photos[0].parent), "no such photo.jpg")
    for query, reason in (("beach foo:bar", "unknown filter 'foo:'"),
                          (f'"{missing}"', f"no such image file: {missing}"),
                          ("-after:2020", "-after: cannot exclude"),
                          ("AC/DC", 'quote them: "AC/DC"')):
        window.search.set_query(query)
        settle(qtbot, window)
        assert window.results.rowCount() == 0
        assert reason in window.count_label.text()
        assert window.empty_label.isVisibleTo(window)
        assert "the search could not run" in window.empty_label.text()
        assert window.search.property("queryError") and reason in window.search.toolTip()
    window.search.set_query('"AC/DC"')  # quoted: plain text, every photo ranked
    settle(qtbot, window)
    assert window.results.rowCount() == len(PHOTOS)
    assert not window.search.property("queryError") and window.search.toolTip() == ""
    assert not window.empty_label.isVisibleTo(window)


def test_quoted_folder_filter_and_exclusions_in_the_search_field(qtbot, window, photos):
    index_now(qtbot, window, [photos[0].parent])
    folder = str(photos[0].parent)
    window.search.set_query(f'folder:"{folder}"')
    settle(qtbot, window)
    assert len(names(window)) == len(PHOTOS)
    window.search.set_query(f'-folder:"{folder}"')
    settle(qtbot, window)
    assert names(window) == [] and "Nothing matches" in window.empty_label.text()
