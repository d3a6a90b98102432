"""What grouping RAW+JPEG pairs (core/pairs.py) costs a browse page and a search page.

A synthetic catalog (real SQL, no images): N photos, a share of them shot as RAW+JPEG (two
photos, `IMG_n.CR2` + `IMG_n.JPG` in one folder), the rest lone JPEGs, dates spread over
years. Measured: a browse page of 200 items (the grid's page) at several offsets, before
(plain `LIMIT/OFFSET` rows + `results_for`, what browse did before pairs) and now
(`browse.browse`: rows up to twice the page end, RAW rows looked up, collapsed); and
`pairs.collapse` over a search window of 100 ranked hashes, and `browse.count` (pairs counted
once) against the plain COUNT(*). Median of several runs.

    .venv/bin/python bench/bench_raw_pairs.py [--photos 100000] [--pair-share 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

PAGE = 200
RUNS = 5


def build(lib, n: int, share: float) -> int:
    cat = lib.catalog
    fid = cat.add_folder("/photos")
    rng = np.random.default_rng(3)
    pairs = int(n * share / 2)
    photos, files = [], []
    for i in range(n):
        shot = i // 2 if i < 2 * pairs else i - pairs
        raw = i < 2 * pairs and i % 2 == 0
        taken = 1.45e9 + float(rng.uniform(0, 3.2e8)) if not raw else None
        photos.append((f"h{i}", "cr2" if raw else "jpeg", taken))
        files.append((f"/photos/{shot // 1000:04d}/IMG_{shot:07d}.{'CR2' if raw else 'JPG'}",
                      f"h{i}"))
    # the two halves of a shot share its capture time
    photos = [(h, fmt, photos[int(h[1:]) + 1][2] if fmt == "cr2" else t)
              for h, fmt, t in photos]
    with cat.transaction():
        cat.conn.executemany(
            "INSERT INTO photos(hash, size, width, height, format, taken_at, has_exif, "
            "added_at) VALUES (?,3000000,4032,3024,?,?,1,0)", photos)
        cat.conn.executemany(
            "INSERT INTO files(path, hash, folder_id, size, mtime_ns, seen_at) "
            "VALUES (?,?,?,3000000,0,0)", [(p, h, fid) for p, h in files])
    return pairs


def old_browse(catalog, offset: int) -> int:
    from photosearch.core.browse import _where
    from photosearch.core.query import Filters
    from photosearch.core.results import results_for

    where, args = _where(catalog, Filters())
    rows = catalog.conn.execute(
        f"SELECT p.hash FROM photos p WHERE {where} "
        "ORDER BY p.taken_at IS NULL, p.taken_at DESC, p.hash LIMIT ? OFFSET ?",
        [*args, PAGE, offset]).fetchall()
    return len(results_for(catalog, [r[0] for r in rows]))


def median_ms(fn, *args) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--pair-share", type=float, default=0.2)
    a = ap.parse_args()
    from photosearch.core.browse import browse
    from photosearch.core.library import Library
    from photosearch.core.pairs import collapse
    from photosearch.core.paths import resolve_library

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library.open(resolve_library(Path(tmp) / "lib"), model="bench", pretrained="none")
        pairs = build(lib, a.photos, a.pair_share)
        cat = lib.catalog
        rows = [f"| browse page of {PAGE} | offset | before (rows) ms | now (items) ms | ratio |",
                "|---|---|---|---|---|"]
        for offset in (0, 10_000, 50_000):
            if offset >= a.photos - pairs:
                continue
            got = browse(cat, limit=PAGE, offset=offset)
            assert len(got) == PAGE
            before = median_ms(old_browse, cat, offset)
            now = median_ms(lambda o=offset: browse(cat, limit=PAGE, offset=o))
            rows.append(f"| | {offset:,} | {before:.1f} | {now:.1f} | {now / before:.1f}x |")
        from photosearch.core.browse import _where, count
        from photosearch.core.query import Filters

        where, wargs = _where(cat, Filters())
        count_before = median_ms(lambda: cat.conn.execute(
            f"SELECT COUNT(*) FROM photos p WHERE {where}", wargs).fetchone())
        assert count(cat) == a.photos - pairs
        count_now = median_ms(count, cat)
        rows.append(f"| count (the app's N photos) | | {count_before:.1f} | {count_now:.1f} | "
                    f"{count_now / count_before:.1f}x |")
        window = [f"h{i}" for i in np.random.default_rng(5).choice(a.photos, 100, replace=False)]
        col = median_ms(collapse, cat, window, [0.5] * 100)
        lib.close()
    body = (f"Synthetic catalog: {a.photos:,} photos, {pairs:,} RAW+JPEG pairs "
            f"({a.pair_share:.0%} of photos are pair halves), the rest lone JPEGs; median of "
            f"{RUNS} runs, one run of the script. The box was shared with other jobs (2 cores, "
            "noisy): read the ratios, not the milliseconds.\n\n" + "\n".join(rows) +
            f"\n\n`pairs.collapse` over a search window of 100 ranked hashes (the lookups a "
            f"search page adds): {col:.1f} ms.\n\nBrowse reads the rows up to twice the page "
            "end so that offsets count items (a pair is never split across pages); the cost "
            "grows with the offset, which is why deep pages cost more than before.")
    print(body)
    write_section("RAW+JPEG pairs: browse and search pages",
                  "python bench/bench_raw_pairs.py " + " ".join(sys.argv[1:]), body)


if __name__ == "__main__":
    main()
