"""Where each cell and date header of the photo grid lies: pure geometry, no Qt.

The grid lays out uniform cells in rows. Sorted by date, consecutive photos of the same
calendar day (local time) form a section with a header row ("12 June 2024 · 37"); otherwise
the whole result list is one section without a header. Day sections were chosen over
month sections because they are stable while pages of results arrive (a month/day switch
that depended on the span of the photos loaded so far would re-flow the grid under the
user) and they match what Photos calls Moments. A search sorted by date lists strong
matches first, then the weaker ones, each newest first, so a day can appear twice: once
among the strong matches and once among the weaker ones.

Every lookup is a binary search over the sections, so a 100k-photo grid lays out in one
pass over the rows' dates and answers `locate`/`hit` in O(log sections).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import is_, ne

UNDATED = "Undated"


def day_of(taken_at: float | None) -> dt.date | None:
    """The local calendar day of a capture time (None: no date)."""
    if taken_at is None:
        return None
    try:
        return dt.datetime.fromtimestamp(taken_at).date()
    except (OverflowError, OSError, ValueError):
        return None


@lru_cache(maxsize=65536)
def day_title(day: dt.date | None) -> str:
    """'12 June 2024' (month name in the process locale), or 'Undated'."""
    if day is None:
        return UNDATED
    return f"{day.day} {day.strftime('%B %Y')}"


@dataclass(frozen=True)
class Section:
    start: int  # first model row
    count: int  # photos in it
    title: str | None  # None: no header (not sorted by date)

    def label(self) -> str:
        return f"{self.title} · {self.count}"


def day_sections(days: Sequence[dt.date | None], offset: int = 0) -> list[Section]:
    """One section per run of consecutive rows on the same day (rows from `offset`)."""
    n = len(days)
    if n == 0:
        return []
    changes = compress(range(1, n), map(ne, days[1:], days))  # C-speed at 100k rows
    cuts = [0, *changes, n]
    return [Section(offset + a, b - a, day_title(days[a])) for a, b in zip(cuts, cuts[1:])]


def extend_sections(sections: list[Section], more: Sequence[dt.date | None]) -> list[Section]:
    """`sections` with rows on `more` days appended after them (a page arrived): the last
    section grows when the new rows start on its day. Costs O(len(more))."""
    start = sections[-1].start + sections[-1].count if sections else 0
    added = day_sections(more, start)
    if sections and added and added[0].title == sections[-1].title:
        last = sections[-1]
        merged = Section(last.start, last.count + added[0].count, last.title)
        return [*sections[:-1], merged, *added[1:]]
    return [*sections, *added]


class DayMemo:
    """Days of capture times, remembered (a layout after each page or watcher event
    re-reads every row's day; converting 100k timestamps each time would be the cost)."""

    LIMIT = 1_000_000

    def __init__(self) -> None:
        self._days: dict[float, dt.date | None] = {}

    def days(self, times: Sequence[float | None]) -> list[dt.date | None]:
        memo = self._days
        if len(memo) > self.LIMIT:
            memo.clear()
        out = list(map(memo.get, times))  # type: ignore[arg-type]  # None: undated/unseen
        for i in compress(range(len(out)), map(is_, out, repeat(None))):
            t = times[i]
            if t is not None and t not in memo:
                memo[t] = day_of(t)
            out[i] = memo.get(t) if t is not None else None
        return out


class DaySections:
    """The day sections of the rows shown, kept while pages are appended at the end and
    rebuilt (from remembered days) after any other change."""

    def __init__(self) -> None:
        self.memo = DayMemo()
        self.seen = -1  # rows `sections` covers (-1: stale)
        self.sections: list[Section] = []

    def appended(self, first: int, times: Callable[[], Sequence[float | None]]) -> bool:
        """Rows from `first` were added at the end: extend (False: a rebuild is needed)."""
        if first != self.seen:
            self.seen = -1
            return False
        more = self.memo.days(times())
        self.sections = extend_sections(self.sections, more)
        self.seen += len(more)
        return True

    def for_rows(self, n: int, times: Callable[[], Sequence[float | None]]) -> list[Section]:
        if self.seen != n:
            self.sections = day_sections(self.memo.days(times()))
            self.seen = n
        return self.sections


@dataclass
class Geometry:
    """The layout of `sections` in cells of `cell_w` x `cell_h` for a viewport `width` wide."""

    sections: list[Section]
    width: int
    cell_w: int
    cell_h: int
    header_h: int
    gap: int
    margin: int
    header_gap: int

    def __post_init__(self) -> None:
        self.pitch_x = self.cell_w + self.gap
        self.pitch_y = self.cell_h + self.gap
        inner = self.width - 2 * self.margin + self.gap
        self.cols = max(1, inner // self.pitch_x)
        # the columns are centred: the spare width is split left and right
        spare = self.width - 2 * self.margin - (self.cols * self.pitch_x - self.gap)
        self.left = self.margin + max(0, spare // 2)
        self.starts = [s.start for s in self.sections]
        self.tops: list[int] = []  # where each section begins (its header, if any)
        self.item_tops: list[int] = []  # where its first row of cells begins
        self.rows: list[int] = []
        y = self.margin
        for i, s in enumerate(self.sections):
            if s.title is not None and i > 0:
                y += self.header_gap
            self.tops.append(y)
            if s.title is not None:
                y += self.header_h
            self.item_tops.append(y)
            rows = math.ceil(s.count / self.cols)
            self.rows.append(rows)
            y += rows * self.pitch_y
        self.height = y - self.gap + self.margin if self.sections else 0

    # -- cells ----------------------------------------------------------------------------
    def section_of(self, row: int) -> int:
        return bisect_right(self.starts, row) - 1

    def locate(self, row: int) -> tuple[int, int] | None:
        """The top-left corner of `row`'s cell, in content coordinates."""
        s = self.section_of(row)
        if s < 0 or row >= self.starts[s] + self.sections[s].count:
            return None
        r, c = divmod(row - self.starts[s], self.cols)
        return self.left + c * self.pitch_x, self.item_tops[s] + r * self.pitch_y

    def hit(self, x: int, y: int) -> int | None:
        """The row whose cell holds the point (None: a header, a gap, empty space)."""
        s = bisect_right(self.tops, y) - 1
        if s < 0 or y < self.item_tops[s] or x < self.left:
            return None
        r, dy = divmod(y - self.item_tops[s], self.pitch_y)
        c, dx = divmod(x - self.left, self.pitch_x)
        if r >= self.rows[s] or c >= self.cols or dy >= self.cell_h or dx >= self.cell_w:
            return None
        i = r * self.cols + c
        return self.starts[s] + i if i < self.sections[s].count else None

    def rows_between(self, y0: int, y1: int) -> list[tuple[int, int, int]]:
        """(first row, last row) of model rows per line of cells that meets [y0, y1], with
        the line's top: what a paint or a rubber band touches."""
        out = []
        s = max(0, bisect_right(self.tops, y0) - 1)
        while s < len(self.sections) and self.tops[s] <= y1:
            sec, top = self.sections[s], self.item_tops[s]
            r0 = max(0, (y0 - top) // self.pitch_y)
            r1 = min(self.rows[s] - 1, (y1 - top) // self.pitch_y)
            for r in range(r0, r1 + 1):
                first = sec.start + r * self.cols
                last = min(first + self.cols, sec.start + sec.count) - 1
                out.append((first, last, top + r * self.pitch_y))
            s += 1
        return out

    def headers_between(self, y0: int, y1: int) -> list[tuple[int, int]]:
        """(section, top) of each header that meets [y0, y1]."""
        out = []
        s = max(0, bisect_right(self.tops, y0) - 1)
        while s < len(self.sections) and self.tops[s] <= y1:
            if self.sections[s].title is not None and self.tops[s] + self.header_h >= y0:
                out.append((s, self.tops[s]))
            s += 1
        return out

    # -- keyboard -------------------------------------------------------------------------
    def below(self, row: int) -> int:
        """The row one line down in the same column (into the next section), else `row`."""
        s = self.section_of(row)
        sec = self.sections[s]
        r, c = divmod(row - sec.start, self.cols)
        if r + 1 < self.rows[s]:
            return sec.start + min((r + 1) * self.cols + c, sec.count - 1)
        if s + 1 < len(self.sections):
            nxt = self.sections[s + 1]
            return nxt.start + min(c, nxt.count - 1)
        return row

    def above(self, row: int) -> int:
        """The row one line up in the same column (into the previous section), else `row`."""
        s = self.section_of(row)
        sec = self.sections[s]
        r, c = divmod(row - sec.start, self.cols)
        if r > 0:
            return sec.start + (r - 1) * self.cols + c
        if s > 0:
            prev = self.sections[s - 1]
            last_line = self.rows[s - 1] - 1
            return prev.start + min(last_line * self.cols + c, prev.count - 1)
        return row

    def step(self, row: int, key: str, n: int, page_lines: int = 1) -> int:
        """Where a cursor key (left, right, up, down, home, end, pageup, pagedown) moves the
        current photo among `n` rows; headers are never a stop."""
        if key in ("left", "right"):
            row += -1 if key == "left" else 1
        elif key in ("up", "down", "pageup", "pagedown"):
            move = self.above if key in ("up", "pageup") else self.below
            for _ in range(page_lines if key.startswith("page") else 1):
                row = move(row)
        elif key in ("home", "end"):
            row = 0 if key == "home" else n - 1
        return max(0, min(n - 1, row))

    def first_in_line(self, row: int) -> bool:
        s = self.section_of(row)
        return row - self.starts[s] < self.cols
