"""Where the time of one cold `photosearch search` goes: timestamps around each stage.

Runs the real CLI (`photosearch.cli.main`) in this fresh process with light wrappers that
print, for each stage, when it started and how long it took (ms since interpreter start):
imports, settings + catalog open, query cache lookup, tokenizer, onnxruntime session build,
the text tower run, the vector index load, results and printing; for `similar IMAGE`, the
image's hash, decode and the image tower. Use it with
`python -X importtime` for the import tree.

    PHOTOSEARCH_CACHE=... python bench/profile_cold_search.py --library L --model M \
        --pretrained none --device cpu search "a dog" --limit 3
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _since_start() -> float:
    """Seconds since this process started (its start time from /proc; Linux only)."""
    with open("/proc/self/stat") as fh:
        start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as fh:
        uptime = float(fh.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


T0 = time.perf_counter() - _since_start()
STAGES: list[tuple[str, float, float]] = []


def _ms(t: float) -> float:
    return (t - T0) * 1000


def wrap(owner: Any, name: str, label: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def timed(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            STAGES.append((label, _ms(t), (time.perf_counter() - t) * 1000))

    setattr(owner, name, timed)


def main() -> int:
    STAGES.append(("interpreter start -> profiler running", 0.0, _ms(time.perf_counter())))
    t = time.perf_counter()
    import photosearch.cli as cli
    from photosearch.core import library, onnx_models, onnx_runtime_cache, query_cache, search
    STAGES.append(("import cli + core.library/search/onnx_models", _ms(t),
                   (time.perf_counter() - t) * 1000))
    wrap(cli, "build_parser", "argparse (the named command's module only)")
    wrap(library.Library, "open", "settings + catalog open (migrations check)")
    wrap(query_cache, "lookup", "query cache lookup")
    wrap(onnx_models, "load_query_encoder", "ONNX query encoder (metadata check)")
    wrap(onnx_models.OnnxEncoder, "_text_session", "text session + tokenizer (first use)")
    wrap(onnx_runtime_cache, "open_session", "  onnxruntime session (optimised copy)")
    wrap(onnx_models.OnnxEncoder, "encode_text", "text tower: tokenise + run")
    wrap(onnx_models.OnnxEncoder, "encode_images", "image tower: session (first use) + run")
    from photosearch.core import imaging
    wrap(imaging, "hash_file", "hash the query image (similar)")
    wrap(imaging, "decode_file", "decode the query image (similar)")
    wrap(library.Library, "index", "vector index load + reconcile")
    wrap(search, "results_for", "results: paths + metadata")
    from photosearch.cli import search_cmds
    wrap(search_cmds, "_print", "print results")
    from photosearch.core import clip_tokenizer
    wrap(clip_tokenizer, "get", "  tokenizer load (vocabulary)")
    rc = 0
    t = time.perf_counter()
    try:
        rc = cli.main(sys.argv[1:])
    finally:
        end = time.perf_counter()
        STAGES.append(("cli.main total", _ms(t), (end - t) * 1000))
        print(f"\n{'stage':58} {'start ms':>9} {'took ms':>9}", file=sys.stderr)
        for label, start, took in sorted(STAGES, key=lambda s: s[1]):
            print(f"{label:58} {start:9.0f} {took:9.0f}", file=sys.stderr)
        print(f"{'process total (to exit of main)':58} {'':9} {_ms(end):9.0f}", file=sys.stderr)
        mods = [m for m in ("torch", "open_clip", "PIL", "hnswlib", "onnxruntime", "cv2",
                            "sqlite_utils", "PySide6") if m in sys.modules]
        print("heavy modules imported: " + ", ".join(mods), file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
