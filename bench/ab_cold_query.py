"""Two checkouts' cold query paths side by side: fresh processes, alternating A/B, same
library, same ONNX cache (e.g. main vs a branch; one run gives a fair before/after ratio
where numbers from separate runs on a shared box would not).

Cases: `search QUERY --limit 3` (a new query each round) on LIBRARY and on BIG (when
given), `similar IMAGE --limit 3` with IMAGE outside the library, and the app's launch ->
first results (bench/app_first_query.py of each checkout). Prints a markdown table of
medians and ranges and the B/A ratio; writes nothing.

    python bench/ab_cold_query.py --a /tmp/base --b . --library L [--big B] --cache C \
        --model ViT-B-32-256 --image IMG [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def run(cmd: list[str], env: dict, cwd: Path) -> tuple[float, str]:
    """Wall seconds and stdout of one fresh process. It runs in its checkout: `python -m`
    puts the working directory first on sys.path, ahead of PYTHONPATH."""
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr[-2000:]}")
    return wall, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="checkout A (e.g. main)")
    ap.add_argument("--b", required=True, help="checkout B")
    ap.add_argument("--library", required=True)
    ap.add_argument("--big", help="a larger library (its own row)")
    ap.add_argument("--cache", required=True, help="PHOTOSEARCH_CACHE holding the exports")
    ap.add_argument("--model", default="ViT-B-32-256")
    ap.add_argument("--image", required=True, help="a photo outside the library")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    trees = {"A": Path(args.a).resolve(), "B": Path(args.b).resolve()}
    args.library, args.cache, args.image = (str(Path(p).resolve()) for p in
                                            (args.library, args.cache, args.image))
    if args.big:
        args.big = str(Path(args.big).resolve())

    def env(tree: Path) -> dict:
        return dict(os.environ, PHOTOSEARCH_CACHE=args.cache, HF_HUB_OFFLINE="1",
                    PYTHONPATH=str(tree), QT_QPA_PLATFORM="offscreen")

    def cli(lib: str, *rest: str) -> list[str]:
        return [sys.executable, "-m", "photosearch", "--library", lib, "--model", args.model,
                "--pretrained", "none", "--device", "cpu", *rest]

    cases = {"search": lambda q: cli(args.library, "search", q, "--limit", "3"),
             "similar": lambda q: cli(args.library, "similar", args.image, "--limit", "3")}
    if args.big:
        cases["search, big library"] = lambda q: cli(args.big, "search", q, "--limit", "3")
    cases["app: launch -> first results"] = None  # type: ignore[assignment]
    times: dict[tuple[str, str], list[float]] = {}
    load = os.getloadavg()[0]
    for r in range(-1, args.runs):  # round -1 warms the file cache, untimed
        for k, name in enumerate(cases):
            for side in ("A", "B") if r % 2 else ("B", "A"):  # alternate who goes first
                tree = trees[side]
                q = f"ab query {r} {k} {side} {time.time_ns()}"  # never cached before
                if cases[name] is None:
                    _, out = run([sys.executable, str(tree / "bench" / "app_first_query.py"),
                                  args.library, args.model, "none", q], env(tree), tree)
                    wall = json.loads(out.strip().splitlines()[-1])["results_s"]
                else:
                    wall, _ = run(cases[name](q), env(tree), tree)
                if r >= 0:
                    times.setdefault((name, side), []).append(wall)
    for side, tree in trees.items():  # each side really ran its own code
        _, where = run([sys.executable, "-c", "import photosearch; print(photosearch.__file__)"],
                       env(tree), tree)
        assert Path(where.strip()).is_relative_to(tree), (side, where)
    print(f"A = {trees['A']}, B = {trees['B']}; {args.runs} alternating rounds; "
          f"1-minute load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at the end\n")
    print("| case | A median s | A range | B median s | B range | B / A |\n|---|---|---|---|---|---|")
    for name in cases:
        a, b = times[(name, "A")], times[(name, "B")]
        print(f"| {name} | {statistics.median(a):.2f} | {min(a):.2f}-{max(a):.2f} | "
              f"{statistics.median(b):.2f} | {min(b):.2f}-{max(b):.2f} | "
              f"{statistics.median(b) / statistics.median(a):.2f} |")


if __name__ == "__main__":
    main()
