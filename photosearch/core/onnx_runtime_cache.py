"""What a query really loads: each exported tower, optimised once by this onnxruntime and
saved with its weights in a separate file.

Building an onnxruntime session from the exported ``text.onnx`` (250 MB for ViT-B-32) was
most of a cold search: onnxruntime parses the weights out of the protobuf and runs its graph
optimisations every time. So the first session built from an export also saves
onnxruntime's optimised graph (``SessionOptions.optimized_model_filepath``, level EXTENDED:
no hardware-specific layouts) with the weights as an external file, into
``<tower>.ort<version>/`` beside the export; later sessions load that with graph
optimisation off. Measured on the 2-core box: session build 0.5-0.9 s instead of 1.2-2.5 s
(docs/benchmarks.md, "Cold start").

The folder is keyed by onnxruntime's version (in its name and its metadata) and by the
export it came from (size + fingerprint), and checked like the export: sizes and
head/tail fingerprints of both files. Before it is used the first time it is validated
against the export on fixed inputs (worst cosine >= MIN_COSINE). It is written in a temp
folder and renamed into place, so a reader never sees half of it. Stale (another
onnxruntime or another export), corrupt or rejected copies are removed and rebuilt from
the export; a cache folder that cannot be written just means no copy (the export is used
as before). Never imports torch.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from . import onnx_models as om

log = logging.getLogger(__name__)

RUNTIME_FORMAT = 1
MODEL_FILE = "model.onnx"
WEIGHTS_FILE = "weights.data"
META_FILE = "meta.json"
INPUTS = {"text": "tokens", "image": "pixels"}


def ort_version() -> str:
    import onnxruntime as ort

    return str(ort.__version__)


def runtime_dir(source: Path) -> Path:
    """`<folder>/text.ort1.32.0/` for `<folder>/text.onnx`."""
    return source.with_name(f"{source.stem}.ort{ort_version()}")


def _options(optimised: bool, threads: int | None, one_shot: bool = False) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    if one_shot:
        # A process that runs the tower once (a CLI query): repacking every weight matrix
        # for faster MatMuls and starting a thread pool cost more than they save
        # (measured: session + one text query 0.9 s vs 2.3 s with the defaults, box at
        # load 8; docs/benchmarks.md "Cold start").
        opts.add_session_config_entry("session.disable_prepacking", "1")
        threads = threads or 1
    if threads:
        opts.intra_op_num_threads = threads
    # Idle pool threads sleep instead of spinning: a spinning thread holds a core the
    # decode threads (and the GUI) need between batches. Indexing 96 x 12 MP photos, one
    # alternating run: 10.6/11.1 s wall without spinning vs 16.8/12.2 s with it, and
    # less CPU (18.5/18.9 vs 20.0/22.1 user s).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if optimised:  # already optimised when it was saved: skip the passes
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return opts


def _session(path: Path, opts: Any) -> Any:
    import onnxruntime as ort

    return ort.InferenceSession(str(path), sess_options=opts,
                                providers=["CPUExecutionProvider"])


def probe_feed(tower: str, meta: om.TowerMeta) -> dict[str, np.ndarray]:
    """Fixed inputs the copy is checked on: CLIP BPE ids, or noise and a gradient."""
    if tower == "text":
        tokens = np.zeros((3, meta.context_length), np.int64)
        tokens[0, :4] = [49406, 320, 1929, 49407]  # <sot> a dog <eot>
        tokens[1, :2] = [49406, 49407]
        ramp = np.arange(1, meta.context_length - 1) * 613 % 49000 + 100
        tokens[2, 0], tokens[2, 1:-1], tokens[2, -1] = 49406, ramp, 49407
        return {"tokens": tokens}
    rng = np.random.default_rng(1234)
    px = rng.integers(0, 256, (2, meta.image_size, meta.image_size, 3), dtype=np.uint8)
    return {"pixels": px}


def _file_id(path: Path) -> list:
    size = path.stat().st_size
    return [size, om.fingerprint(path, size)]


def check(folder: Path, source_meta: om.TowerMeta) -> str | None:
    """Why the optimised copy in `folder` cannot be used (None when it can)."""
    if not folder.is_dir():
        return "missing"
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != RUNTIME_FORMAT or meta.get("ort") != ort_version():
            return f"stale: made by onnxruntime {meta.get('ort')} (format {meta.get('format')})"
        if meta.get("source") != [source_meta.size, source_meta.fingerprint] \
                or meta.get("model_id") != source_meta.model_id:
            return "stale: made from another export"
        for name in (MODEL_FILE, WEIGHTS_FILE):
            if meta["files"][name] != _file_id(folder / name):
                return f"corrupt: {name} differs from its metadata"
        if not float(meta["cosine"]) >= om.MIN_COSINE:
            return f"failed validation (cosine {meta['cosine']})"
    except FileNotFoundError as exc:
        return f"incomplete ({Path(exc.filename or '?').name} missing)"
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return f"unreadable metadata ({exc})"
    return None


def discard(folder: Path, why: str) -> None:
    log.info("optimised ONNX copy %s is unusable (%s); rebuilding it", folder, why)
    shutil.rmtree(folder, ignore_errors=True)


def open_session(source: Path, tower: str, threads: int | None = None,
                 one_shot: bool = False) -> Any:
    """An onnxruntime session for the (already checked) export at `source`: from its
    optimised copy when that is valid, else from the export itself, saving the copy on the
    way. `one_shot`: tuned for a process that runs it once or twice (see _options). Raises
    what onnxruntime raises when the export itself cannot be loaded."""
    source_meta = om.TowerMeta.read(source)
    folder = runtime_dir(source)
    why = check(folder, source_meta)
    if why is None:
        try:
            return _session(folder / MODEL_FILE, _options(True, threads, one_shot))
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
            why = f"onnxruntime cannot load it: {exc}"
    if why != "missing":
        discard(folder, why)
    return _build(source, source_meta, tower, folder, threads)


def _build(source: Path, source_meta: om.TowerMeta, tower: str, folder: Path,
           threads: int | None) -> Any:
    import onnxruntime as ort

    try:
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    except OSError as exc:  # a read-only cache: no copy, the export still works
        log.debug("no optimised ONNX copy (%s)", exc)
        return _session(source, _options(False, threads))
    try:
        opts = _options(False, threads)
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        opts.optimized_model_filepath = str(tmp / MODEL_FILE)
        opts.add_session_config_entry(
            "session.optimized_model_external_initializers_file_name", WEIGHTS_FILE)
        opts.add_session_config_entry(
            "session.optimized_model_external_initializers_min_size_in_bytes", "1024")
        try:
            sess = _session(source, opts)
        except Exception:  # noqa: BLE001 - maybe only the save failed: try without it
            sess = _session(source, _options(False, threads))
            log.info("could not save an optimised copy of %s", source)
            return sess
        try:
            _finish(tmp, folder, sess, source_meta, tower, threads)
        except Exception as exc:  # noqa: BLE001 - the copy is an optimisation, never fatal
            log.warning("optimised ONNX copy of %s not kept: %s", source, exc)
        return sess
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _finish(tmp: Path, folder: Path, sess: Any, source_meta: om.TowerMeta, tower: str,
            threads: int | None) -> None:
    """Validate the copy saved in `tmp` against the export's session; rename it into place."""
    feed = probe_feed(tower, source_meta)
    want = sess.run(None, feed)[0]
    got = _session(tmp / MODEL_FILE, _options(True, threads)).run(None, feed)[0]
    cosine = float(om.row_cosines(got, want).min())
    if not cosine >= om.MIN_COSINE:
        raise ValueError(f"it disagrees with the export (worst cosine {cosine:.5f})")
    for name in (MODEL_FILE, WEIGHTS_FILE):
        with open(tmp / name, "rb+") as fh:
            os.fsync(fh.fileno())
    meta = {"format": RUNTIME_FORMAT, "ort": ort_version(), "model_id": source_meta.model_id,
            "tower": tower, "source": [source_meta.size, source_meta.fingerprint],
            "files": {n: _file_id(tmp / n) for n in (MODEL_FILE, WEIGHTS_FILE)},
            "cosine": round(cosine, 6)}
    om.write_json_atomic(tmp / META_FILE, meta)
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; it is a plain cache folder
    for stale in folder.parent.glob(f"{source_meta.tower}.ort*"):  # older onnxruntimes
        if stale.is_dir() and stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    try:
        os.replace(tmp, folder)  # another process may have won the race: keep its copy
    except OSError as exc:
        log.debug("optimised copy not moved into place: %s", exc)
        return
    om.fsync_dir(folder.parent)
    log.info("saved an optimised onnxruntime copy of the %s tower of %s (cosine %.6f)",
             tower, source_meta.model_id, cosine)
