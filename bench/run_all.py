"""Run the benchmarks one after another, each writing its own section of docs/benchmarks.md.

`python bench/run_all.py` runs every bench/bench_*.py with its default (full-size)
arguments, which takes a long time on a small machine; `python bench/run_all.py query
startup` runs only the named ones. Each runs in its own process, so one failing benchmark
does not stop the others; the exit code says whether all succeeded.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: "
              f"{', '.join(available())}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== bench_{name}.py", flush=True)
        start = time.monotonic()
        rc = subprocess.call([sys.executable, str(HERE / f"bench_{name}.py")])
        print(f"== bench_{name}.py: exit {rc} after {time.monotonic() - start:.0f} s",
              flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
