"""Cost of the catalog safety checks (issue 16) on a large synthetic catalog.

Builds a catalog of N photos (one file each, one 512-d float32 embedding each: the shape of
a ViT-B-32 library) through the real Catalog API, then times what photosearch now does:
`PRAGMA quick_check` (first open per process), `PRAGMA integrity_check` (`photosearch
check`), and one backup through the SQLite backup API (daily, and before a migration).

    .venv/bin/python bench/bench_catalog_safety.py [--n 100000] [--no-write]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

from photosearch.core import catalog_safety as safety  # noqa: E402
from photosearch.core.catalog import Catalog, PhotoInfo  # noqa: E402


def build(path: Path, n: int) -> None:
    cat = Catalog(path)
    fid = cat.add_folder("/photos")
    rng = np.random.default_rng(0)
    for start in range(0, n, 5000):
        hashes = [f"{i:032x}" for i in range(start, min(n, start + 5000))]
        with cat.transaction():
            cat.add_photos([PhotoInfo(h, 3_000_000, 4032, 3024, "jpeg", 1.6e9 + i, "Canon",
                                      "EOS 80D", True, f"{i:016x}", f"{i:016x}")
                            for i, h in enumerate(hashes, start)])
            cat.link_files([(f"/photos/{i // 1000:04d}/IMG_{i:06d}.JPG", h, fid, 3_000_000, 0)
                            for i, h in enumerate(hashes, start)])
            vecs = rng.standard_normal((len(hashes), 512)).astype(np.float32)
            cat.add_embeddings("ViT-B-32/laion2b_s34b_b79k", list(zip(hashes, vecs,
                                                                       strict=True)))
    cat.close()


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_catalog_safety_") as tmp:
        path = Path(tmp) / "catalog.db"
        t_build = timed(lambda: build(path, args.n))
        size_mb = path.stat().st_size / 2**20
        conn = sqlite3.connect(path)
        t_quick = timed(lambda: safety.run_check(conn, full=False))
        t_full = timed(lambda: safety.run_check(conn, full=True))
        t_backup = timed(lambda: safety.make_backup(conn, path, "daily"))
        conn.close()
    body = (
        f"Synthetic catalog: {args.n:,} photos, one file and one 512-d float32 embedding each "
        f"({size_mb:,.0f} MiB; built in {t_build:.0f} s). One run on a shared, noisy 2-core "
        "box; the page cache was warm (the catalog had just been written).\n\n"
        "| check | when it runs | time |\n|---|---|---|\n"
        f"| `PRAGMA quick_check` | first open in a process of a catalog file that changed "
        f"since the last passing check (an unchanged file is not re-read) | {t_quick:.2f} s |\n"
        f"| `PRAGMA integrity_check` | `photosearch check` | {t_full:.2f} s |\n"
        f"| backup (SQLite backup API) | once a day on open, and before a migration | "
        f"{t_backup:.2f} s |\n\n"
        "The daily backup blocks the first writable open of the day for that long; at a "
        "million photos expect about ten times as much (not measured here).\n")
    print(body)
    if not args.no_write:
        write_section("bench_catalog_safety.py",
                      f".venv/bin/python bench/bench_catalog_safety.py --n {args.n}", body)


if __name__ == "__main__":
    main()
