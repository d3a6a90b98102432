"""The text pass: read the text in every photo that this engine has not read yet.

Runs after the CLIP pass (the CLI's `index` calls it when OCR is on; the app calls
`run_text_pass` in a worker thread with its own catalog connection), at lower CPU priority,
so search never waits. Each photo's result is committed in its own transaction together with
its record, so a kill (even -9) loses at most the photo in flight and the next run resumes;
`cancel` stops between photos. A photo that cannot be read gets a record with the reason
and never stops the pass.

Photos are read `settings.workers` at a time (threads, each with its own engine at 1
onnxruntime thread: onnxruntime and OpenCV release the GIL, and one photo on two threads
scales worse than two photos on one thread each); results are stored on the calling thread
(its catalog connection) in the order they finish. The text record says which engine and
reading settings (TextSettings.reading_version) read a photo: change them and the library
is read again by the same low-priority pass, its old text serving until then.

Pixels: the CLIP pass decodes to a 224 px centre crop, too small for text, so this pass
decodes each photo once more through core/imaging (draft mode, EXIF orientation) at
`max_side` and scales boxes back to oriented full-resolution pixels.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from PIL import Image

from .. import imaging
from ..catalog import Catalog
from .engine import OcrEngine, OcrOptions, OcrUnavailable
from .normalize import keep_line
from .settings import TextSettings
from .store import TextLine, TextStore

log = logging.getLogger(__name__)

BATCH = 64  # pending photos fetched per query


@dataclass
class TextProgress:
    done: int
    total: int
    with_text: int
    failed: int


@dataclass
class TextReport:
    read: int = 0
    with_text: int = 0
    failed: int = 0
    skipped_prior: int = 0
    cancelled: bool = False
    error: str | None = None  # the engine could not run at all
    seconds: float = 0.0


_ENGINES: dict[tuple[OcrOptions, int], OcrEngine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_options(settings: TextSettings) -> OcrOptions:
    return OcrOptions(det_side=settings.det_side, threads=settings.threads,
                      det_upscale=settings.det_upscale, box_thresh=settings.box_thresh)


def make_engine(settings: TextSettings, slot: int = 0) -> OcrEngine:
    """The process's engine number `slot` for these options (models load once per process
    and slot; one engine reads one photo at a time, so parallel workers need one each)."""
    key = (engine_options(settings), slot)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = OcrEngine(key[0])
        return _ENGINES[key]


def worker_count(settings: TextSettings) -> int:
    return settings.workers or max(1, os.cpu_count() or 1)


def load_pixels(path: str, max_side: int) -> tuple[Image.Image, tuple[int, int]]:
    """(RGB image fitting max_side, oriented full-resolution size); raises ImageError."""
    img, full, _fmt = imaging._open(path, draft_size=max_side)
    try:
        rgb = imaging.to_rgb(img)
        if max(rgb.size) > max_side:
            rgb.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    except (OSError, ValueError, MemoryError) as exc:
        raise imaging.ImageError(f"corrupt image: {exc}") from exc
    return rgb, full


def read_photo(engine: OcrEngine, path: str, settings: TextSettings) -> list[TextLine]:
    """The kept text lines of one photo file, boxes in oriented full-resolution pixels."""
    import numpy as np

    rgb, (full_w, full_h) = load_pixels(path, settings.max_side)
    sx, sy = full_w / rgb.size[0], full_h / rgb.size[1]
    lines = engine.read(np.asarray(rgb))
    return [TextLine(ln.text, ln.score, tuple((x * sx, y * sy) for x, y in ln.box))
            for ln in lines if keep_line(ln.text, ln.score, settings.min_chars)]


def run_text_pass(library, *, catalog: Catalog | None = None,
                  cancel: threading.Event | None = None,
                  progress: Callable[[TextProgress], None] | None = None,
                  engine: OcrEngine | None = None, settings: TextSettings | None = None,
                  limit: int | None = None,
                  prior: Callable[[list[str]], dict[str, float]] | None = None,
                  engines: list[OcrEngine] | None = None) -> TextReport:
    """Read pending photos (at most `limit`). `catalog`: the calling thread's own
    connection when it is not the library's. `prior`: optional hash -> "likely has text"
    score; photos below settings.clip_prior_min are recorded as skipped (off by default).
    `engine` (one photo at a time) or `engines` (one worker each) replace the process's
    engines for these settings (settings.workers of them)."""
    start = time.monotonic()
    cat = catalog or library.catalog
    ts = settings or TextSettings.from_settings(library.settings)
    store = TextStore(cat)
    cancel = cancel or threading.Event()
    report = TextReport()
    version = ts.reading_version()
    store.purge_missing()
    total = store.pending_count(version)
    if limit is not None:
        total = min(total, limit)
    if total == 0:
        return report
    if ts.clip_prior and prior is None:
        from .prior import clip_prior

        try:
            prior = clip_prior(library, cat)
        except Exception as exc:  # noqa: BLE001 - no CLIP model: read every photo
            log.warning("text pass without the CLIP prior: %s", exc)
    if engines is None:
        engines = [engine] if engine else [make_engine(ts, i) for i in range(worker_count(ts))]
    _lower_priority(ts.nice)  # before the workers start: they inherit it
    try:
        for eng in engines:
            eng.load()
    except OcrUnavailable as exc:
        report.error = str(exc)
        return report
    free = list(engines)  # engines not reading a photo now
    running: dict[Future, tuple[str, OcrEngine]] = {}

    def collect(block: bool) -> None:
        """Store the photos that finished (wait for one when `block`); after a cancel,
        what finishes is dropped (left pending) so a cancel stops between photos."""
        if not running:
            return
        done, _ = wait(list(running), timeout=None if block else 0,
                       return_when=FIRST_COMPLETED)
        for fut in done:
            h, eng = running.pop(fut)
            free.append(eng)
            if cancel.is_set():
                continue
            outcome = fut.result()
            if outcome is None:
                continue  # no readable file right now: left pending for a later run
            lines, error, secs = outcome
            store.save(h, version, lines, error=error, seconds=secs)
            if error:
                report.failed += 1
            else:
                report.read += 1
                report.with_text += bool(lines)
            if progress:
                progress(TextProgress(report.read + report.failed, total, report.with_text,
                                      report.failed))

    tried: set[str] = set()  # handed out in this run (one with no readable file stays
    # pending: not retried in this run)
    with ThreadPoolExecutor(len(engines), thread_name_prefix="text-read") as pool:
        while not cancel.is_set() and report.read + report.failed < total:
            want = min(BATCH, total - report.read - report.failed) + len(tried)
            batch = [h for h in store.pending(version, want) if h not in tried]
            if not batch:
                if not running:
                    break
                collect(block=True)
                continue
            scores = prior(batch) if (prior and ts.clip_prior) else {}
            paths = cat.paths_of(batch)
            for h in batch:
                if cancel.is_set() or report.read + report.failed + len(running) >= total:
                    break
                tried.add(h)
                if h in scores and scores[h] < ts.clip_prior_min:
                    store.save(h, version, [],
                               error="skipped: unlikely to have text (CLIP prior)")
                    report.skipped_prior += 1
                    continue
                while not free:
                    collect(block=True)
                if cancel.is_set():
                    break
                eng = free.pop()
                running[pool.submit(_read_one, eng, paths.get(h, []), ts)] = (h, eng)
                collect(block=False)
            while running and not cancel.is_set() and (
                    report.read + report.failed + len(running) >= total):
                collect(block=True)  # the last photos of the run
        while running:  # cancelled: wait for the photos in flight (dropped, left pending)
            collect(block=True)
    report.cancelled = cancel.is_set()
    report.seconds = time.monotonic() - start
    return report


def _read_one(engine: OcrEngine, paths: list[str],
              ts: TextSettings) -> tuple[list[TextLine], str | None, float | None] | None:
    """(lines, error, seconds) for one photo from the first of its files that can be read;
    None when none can right now. Runs on a worker thread: no catalog access here."""
    t0 = time.monotonic()
    reason = None
    for path in paths:
        try:
            lines = read_photo(engine, path, ts)
        except FileNotFoundError:
            continue  # try another copy; a vanished photo is forgotten by the indexer
        except imaging.ImageError as exc:
            reason = str(exc)
            if "vanished" in reason:
                continue
            break
        except Exception as exc:  # noqa: BLE001 - an engine bug must cost one photo
            log.exception("reading text of %s failed", path)
            reason = f"text recognition failed: {exc!r}"
            break
        return lines, None, time.monotonic() - t0
    if reason is None:
        return None
    return [], reason, None


def _lower_priority(nice: int) -> None:
    """Lower this thread's CPU priority (Linux applies nice per thread; threads the OCR
    engine starts afterwards inherit it). Never raised again: run the pass on a thread of
    its own, or at the end of a command."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < nice:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
    except OSError:
        pass
