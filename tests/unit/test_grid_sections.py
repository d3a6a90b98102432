"""The photo grid's geometry: day sections, where cells and headers lie, keyboard moves."""

from __future__ import annotations

import datetime as dt

from photosearch.ui.grid_sections import Geometry, Section, day_of, day_sections, day_title

D1, D2, D3 = dt.date(2024, 6, 12), dt.date(2024, 6, 10), dt.date(2023, 1, 2)


def geometry(sections, width=100, cell=20, header=10) -> Geometry:
    # 100 px wide, 20 px cells, gap 0, margin 0: 5 columns
    return Geometry(sections, width, cell, cell, header, gap=0, margin=0, header_gap=0)


def test_day_sections_are_runs_of_the_same_day_with_their_counts():
    days = [D1, D1, D1, D2, D2, None]
    secs = day_sections(days)
    assert [(s.start, s.count) for s in secs] == [(0, 3), (3, 2), (5, 1)]
    assert secs[0].label() == "12 June 2024 · 3"
    assert secs[2].title == "Undated"
    assert day_sections([]) == []
    # a day seen again later (weaker matches after the strong ones) is a new section
    assert len(day_sections([D1, D2, D1])) == 3


def test_day_of_is_the_local_calendar_day():
    t = dt.datetime(2024, 6, 12, 23, 30).timestamp()  # local time
    assert day_of(t) == D1 and day_of(None) is None
    assert day_title(D3) == "2 January 2023"


def test_cells_and_headers_do_not_overlap_and_round_trip():
    secs = [Section(0, 7, "a"), Section(7, 3, "b")]
    g = geometry(secs)
    assert g.cols == 5 and g.rows == [2, 1]
    assert g.tops == [0, 50] and g.item_tops == [10, 60] and g.height == 80
    for row in range(10):
        x, y = g.locate(row)
        assert g.hit(x + 1, y + 1) == row and g.hit(x + 19, y + 19) == row
    assert g.hit(5, 5) is None and g.hit(5, 55) is None  # headers are not cells
    assert g.hit(45, 35) is None  # past the last cell of a short line
    assert g.locate(10) is None
    assert [h for h, _ in g.headers_between(0, 100)] == [0, 1]
    assert g.rows_between(15, 55) == [(0, 4, 10), (5, 6, 30)]


def test_up_and_down_cross_sections_in_the_same_column():
    g = geometry([Section(0, 7, "a"), Section(7, 3, "b")])
    assert g.below(1) == 6  # next line, same column
    assert g.below(3) == 6  # the next line is short: its last cell
    assert g.below(6) == 8  # into the next section, same column (header skipped)
    assert g.below(5) == 7
    assert g.below(9) == 9  # the end
    assert g.above(8) == 6 and g.above(9) == 6  # back to the last line above, clamped
    assert g.above(2) == 2


def test_one_section_without_header_when_not_grouped():
    g = geometry([Section(0, 12, None)])
    assert g.tops == [0] and g.item_tops == [0] and g.headers_between(0, 100) == []
    assert g.rows == [3] and g.hit(1, 1) == 0


def test_spare_width_is_split_around_the_columns():
    g = Geometry([Section(0, 3, None)], 110, 20, 20, 10, gap=0, margin=0, header_gap=0)
    assert g.cols == 5 and g.left == 5  # 10 px spare: 5 on each side
    assert g.locate(0) == (5, 0) and g.hit(4, 1) is None and g.hit(5, 1) == 0


def test_a_page_appended_extends_the_sections_like_a_full_regroup():
    from photosearch.ui.grid_sections import DayMemo, extend_sections

    days = [D1, D1, D2, D2, D2, D3, None]
    for cut in range(len(days) + 1):  # any page boundary, also inside a day
        assert extend_sections(day_sections(days[:cut]), days[cut:]) == day_sections(days)
    memo = DayMemo()
    t = dt.datetime(2024, 6, 12, 9).timestamp()
    assert memo.days([t, None, t]) == [D1, None, D1]


def test_cursor_keys_step_over_headers_and_stop_at_the_ends():
    g = geometry([Section(0, 7, "a"), Section(7, 3, "b")])
    assert g.step(6, "down", 10) == 8 and g.step(8, "up", 10) == 6
    assert g.step(6, "right", 10) == 7 and g.step(7, "left", 10) == 6  # row order
    assert g.step(0, "left", 10) == 0 and g.step(9, "right", 10) == 9
    assert g.step(4, "home", 10) == 0 and g.step(4, "end", 10) == 9
    assert g.step(0, "pagedown", 10, page_lines=2) == 7 and g.step(9, "pageup", 10, 3) == 1
