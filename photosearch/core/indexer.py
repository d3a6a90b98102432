"""The indexing pipeline: scan -> hash + decode (parallel) -> embed (batched) -> commit.

Decoding runs on a thread pool overlapped with the model: Pillow's decoders, resizing and
hashlib release the GIL, so threads decode in parallel without the start-up and pickling
cost of processes. Each batch is committed to the catalog in one transaction before it is
added to the index, so a kill loses at most the batch in flight and the next run resumes.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from . import imaging, library_ops
from .catalog import Catalog, PhotoInfo
from .library import Library
from .paths import is_under
from .scanner import DiskFile, Excluder, walk
from .weights import WeightsUnavailable

log = logging.getLogger(__name__)

# Decode threads run at lower CPU priority so the GUI thread stays ahead of them. Measured
# on 2 cores it neither helps nor hurts throughput (nice 0 vs 5: 0.85x vs 0.86x, 0.83x vs
# 0.82x in two interleaved runs), so responsiveness decides.
DECODE_NICE = 5
FIRST_BATCH = 8  # start the model after a few decodes, not after a whole batch
NO_MODEL_DECODE_SIZE = 224  # metadata and perceptual hashes still need pixels


@dataclass
class Progress:
    phase: str  # scanning | indexing | done
    done: int
    total: int
    embedded: int = 0
    problems: int = 0


@dataclass
class IndexReport:
    scanned: int = 0
    unchanged: int = 0
    embedded: int = 0
    cataloged: int = 0  # photos added without embeddings (model unavailable)
    linked: int = 0  # new paths of known photos: moves, renames, copies (no decode)
    removed: int = 0
    problems: int = 0
    offline_roots: list[str] = field(default_factory=list)
    # files of offline folders whose photos are on disk under an online folder (a renamed
    # or moved folder): offline root -> entries dropped; see core/ghosts.py
    ghosts_dropped: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    model_error: str | None = None
    seconds: float = 0.0


@dataclass
class _Job:
    file: DiskFile
    folder_id: int | None
    decode: bool  # False: hash only (a probable move or copy of a known photo)


@dataclass
class _Result:
    job: _Job
    hash: str | None = None
    decoded: imaging.Decoded | None = None
    error: str | None = None


@dataclass
class _Done:
    """A file read without error: its content hash, and its pixels when it was decoded."""

    job: _Job
    hash: str
    decoded: imaging.Decoded | None = None


class Indexer:
    """Brings the catalog and index in line with what is on disk."""

    def __init__(self, library: Library, *, progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None, paused: threading.Event | None = None,
                 embed: bool = True, download: bool = True, retry_problems: bool = False):
        self.lib = library
        self.progress = progress or (lambda p: None)
        self.cancel = cancel or threading.Event()
        self.paused = paused or threading.Event()
        self.want_embed = embed
        self.download = download
        self.workers = library.settings.workers or os.cpu_count() or 2
        self.max_file_bytes = getattr(library.settings, "max_file_bytes",
                                      imaging.DEFAULT_MAX_FILE_BYTES)
        # Known-bad files are skipped until they change, unless asked, or unless a setting
        # that decides what is a problem (max_pixels, max_file_bytes) changed since they
        # were recorded: then the user's fix must take effect without touching the files.
        from .problems import settings_changed

        self.retry_problems = retry_problems or settings_changed(library)
        imaging.setup_decoders(library.settings.max_pixels)

    @property
    def catalog(self) -> Catalog:
        """The calling thread's connection (this object may be used from another thread)."""
        return self.lib.catalog

    # -- entry points -------------------------------------------------------------------
    def run(self, roots: Iterable[str] | None = None) -> IndexReport:
        """Index the given folders (registering them) or, by default, all registered ones."""
        start = time.monotonic()
        report = IndexReport()
        library_ops.add_folders(self.lib, roots or [])
        folders = self.catalog.folders()
        if roots:
            wanted = {os.path.abspath(r) for r in roots}
            folders = [(i, p) for i, p in folders if p in wanted]
        jobs, vanished = self._plan(folders, report, self.want_embed)
        # The model is loaded only when there is something to decode: an unchanged
        # library re-indexes without paying for torch.
        embedder = self.load_model(report) if any(j.decode for j in jobs) else None
        if embedder is None and jobs and self.want_embed and not report.model_error:
            embedder = self.load_model(report)  # hash-only jobs may turn into decodes
        self._process(jobs, embedder, report)
        if not self.cancel.is_set():
            report.removed = library_ops.forget_paths(self.lib, vanished)
            self._drop_ghosts(report)
        self.lib.save_index()
        if not self.cancel.is_set():
            from .problems import remember_settings

            remember_settings(self.lib)
        report.seconds = time.monotonic() - start
        self.progress(Progress("done", len(jobs), len(jobs), report.embedded, report.problems))
        return report

    def _drop_ghosts(self, report: IndexReport) -> None:
        """Offline folders whose photos now live under an online one (a renamed folder):
        forget their stale entries, so nothing counts, finds or groups them twice."""
        from .ghosts import relinked_ghosts

        offline = [p for _, p in self.catalog.folders()
                   if not os.path.isdir(p) or _empty_dir(p)]
        for root, paths in relinked_ghosts(self.catalog, offline).items():
            report.ghosts_dropped[root] = library_ops.forget_paths(self.lib, paths)

    def _replaced(self, rows) -> set[str]:
        """Hashes that paths about to be re-linked point at now, when the content changed
        (a file edited in place): the old photo may lose its last file."""
        before = self.catalog.file_states_for([r[0] for r in rows])
        new = {r[0]: r[1] for r in rows}
        return {k.hash for p, k in before.items() if k.hash != new[p]}

    def index_files(self, files: Iterable[tuple[DiskFile, int | None]],
                    likely_moves: Iterable[tuple[int, int]] = ()) -> IndexReport:
        """Index these on-disk files, (file, folder_id), e.g. a batch of watcher events.

        Unchanged files are skipped. A changed or new file whose (size, mtime) matches a
        vanished one (`likely_moves`) or whose size matches a known photo is hashed first and
        linked without decoding when its content is known (a move, copy or restore)."""
        start = time.monotonic()
        report = IndexReport()
        files = list(files)
        known = self.catalog.file_states_for([f.path for f, _ in files])
        problems = {} if self.retry_problems else self.catalog.problem_states()
        moves = set(likely_moves)
        sizes = self.catalog.photo_sizes([f.size for f, _ in files])
        unembedded = self._unembedded(known) if self.want_embed else set()
        jobs: list[_Job] = []
        for f, folder_id in files:
            report.scanned += 1
            maybe_known = (f.size, f.mtime_ns) in moves or f.size in sizes
            job = _classify(f, folder_id, known, problems, unembedded, maybe_known, report)
            if job is not None:
                jobs.append(job)
        embedder = None
        if jobs and self.want_embed:
            embedder = self.load_model(report)
        self._process(jobs, embedder, report)
        report.seconds = time.monotonic() - start
        return report

    # -- planning -----------------------------------------------------------------------
    def load_model(self, report: IndexReport):
        if not self.want_embed:
            return None
        try:
            return self.lib.embedder(download=self.download)
        except WeightsUnavailable as exc:
            report.model_error = str(exc)
            log.warning("indexing without embeddings: %s", exc)
            return None

    def _plan(self, folders, report: IndexReport, embedding: bool) -> tuple[list[_Job], list[str]]:
        """Decide per file: skip (unchanged), hash only (probable move), or hash + decode."""
        excluder = Excluder(self.lib.settings.exclude)
        problems = self.catalog.problem_states()
        jobs: list[_Job] = []
        vanished: list[str] = []
        skip_bad = {} if self.retry_problems else problems
        for folder_id, root in folders:
            self.progress(Progress("scanning", 0, 0))
            known = self.catalog.file_states(under=root) if os.path.isdir(root) else None
            if known is None or (known and _empty_dir(root)):
                # Unplugged drive, or the bare mount point of an unmounted one: keep its photos.
                report.offline_roots.append(root)
                continue
            disk = {f.path: f for f in walk(root, excluder, self.record_problem)}
            report.scanned += len(disk)
            moved_from = {(k.size, k.mtime_ns) for p, k in known.items() if p not in disk}
            unembedded = self._unembedded(known) if embedding else set()
            for f in disk.values():
                maybe_known = (f.size, f.mtime_ns) in moved_from
                job = _classify(f, folder_id, known, skip_bad, unembedded, maybe_known, report)
                if job is not None:
                    jobs.append(job)
            vanished.extend(p for p in known if p not in disk)
            gone_bad = [p for p in problems if is_under(p, root) and p not in disk]
            self.catalog.clear_problems(gone_bad)  # the user deleted a broken file
        return jobs, vanished

    def _unembedded(self, known) -> set[str]:
        hashes = list({k.hash for k in known.values()})
        return set(hashes) - self.catalog.embedded_hashes(self.lib.model_id, hashes)

    # -- the pipeline -------------------------------------------------------------------
    def _process(self, jobs: list[_Job], embedder, report: IndexReport) -> None:
        size = embedder.image_size if embedder else NO_MODEL_DECODE_SIZE
        batch_size = self.lib.settings.batch_size or (
            embedder.default_batch_size() if embedder else 64)
        queue = deque(jobs)
        total = len(jobs)
        batch: list[_Done] = []
        in_flight: deque[Future] = deque()
        depth = batch_size + 4 * self.workers  # enough queued work to keep decoders busy
        done = 0
        with ThreadPoolExecutor(self.workers, thread_name_prefix="decode",
                                initializer=_lower_priority, initargs=(DECODE_NICE,)) as pool:
            while (queue or in_flight) and not self.cancel.is_set():
                while self.paused.is_set() and not self.cancel.is_set():
                    time.sleep(0.1)
                while queue and len(in_flight) < depth:
                    job = queue.popleft()
                    in_flight.append(pool.submit(_work, job, size, self.max_file_bytes))
                result = in_flight.popleft().result()
                done += 1
                follow_up = self._route(result, batch, embedder is not None, report)
                if follow_up is not None:
                    queue.appendleft(follow_up)
                    total += 1
                if len(batch) >= (batch_size if report.embedded else min(batch_size, FIRST_BATCH)):
                    self._commit(batch, embedder, report)
                    batch = []
                    self.lib.maybe_save_index()
                self.progress(Progress("indexing", done, total, report.embedded, report.problems))
            for fut in in_flight:
                fut.cancel()
        report.cancelled = self.cancel.is_set()
        if batch:  # finish the batch in flight, also when cancelled
            self._commit(batch, embedder, report)

    def _route(self, r: _Result, batch: list[_Done], embedding: bool,
               report: IndexReport) -> _Job | None:
        """File one worker result; returns a follow-up decode job when a hash-only guess
        turned out to be new content."""
        f = r.job.file
        if r.error or r.hash is None:
            self.record_problem(f.path, r.error or "the file could not be read", f.size,
                                f.mtime_ns)
            report.problems += 1
            return None
        done = _Done(r.job, r.hash, r.decoded)
        have = self.catalog.embedded_hashes(self.lib.model_id, [done.hash]) if embedding \
            else self.catalog.known_hashes([done.hash])
        in_batch = any(b.hash == done.hash for b in batch)
        if have or in_batch:
            if in_batch:
                batch.append(_Done(r.job, done.hash))  # second copy: linked with the batch
            else:
                self._link([done])
                report.linked += 1
            return None
        if done.decoded is None:
            return _Job(f, r.job.folder_id, decode=True)
        batch.append(done)
        return None

    def _link(self, results: list[_Done]) -> None:
        rows = [(r.job.file.path, r.hash, r.job.folder_id, r.job.file.size, r.job.file.mtime_ns)
                for r in results]
        replaced = self._replaced(rows)
        with self.catalog.transaction():
            self.catalog.link_files(rows)
            self.catalog.clear_problems([r[0] for r in rows])
        library_ops.drop_orphans(self.lib, replaced)
        self._read_keywords([r[0] for r in rows])
        if self._index_ready():
            ids = self.catalog.embedding_ids_for(self.lib.model_id, [r.hash for r in results])
            if ids:
                self.lib.index().add(np.array(list(ids.values())),
                                     _vectors(self.catalog, self.lib.model_id, ids))

    def _commit(self, batch: list[_Done], embedder, report: IndexReport) -> None:
        decoded = [(r.hash, r.job.file.size, r.decoded) for r in batch if r.decoded is not None]
        vectors = embedder.encode_images(np.stack([d.pixels for _, _, d in decoded])) \
            if embedder and decoded else None
        photos = [_photo_info(h, size, d) for h, size, d in decoded]
        rows = [(r.job.file.path, r.hash, r.job.folder_id, r.job.file.size, r.job.file.mtime_ns)
                for r in batch]
        replaced = self._replaced(rows)
        with self.catalog.transaction():
            self.catalog.add_photos(photos)
            self.catalog.link_files(rows)
            self.catalog.clear_problems([row[0] for row in rows])
            ids = self.catalog.add_embeddings(
                self.lib.model_id, list(zip([h for h, _, _ in decoded], vectors))) \
                if vectors is not None else []
        if vectors is not None:
            self.lib.index().add(np.array(ids), vectors)
            report.embedded += len(decoded)
            self._tag_new([h for h, _, _ in decoded], vectors)
        else:
            report.cataloged += len(decoded)
        report.linked += len(batch) - len(decoded)
        library_ops.drop_orphans(self.lib, replaced)
        self._read_keywords([row[0] for row in rows])

    def _tag_new(self, hashes: list[str], vectors: np.ndarray) -> None:
        """Auto-tag fresh photos with the user's labels (one tiny query when there are none).
        A tagging failure costs the tags of one batch, never the indexing run."""
        from .tagging import tag_new_photos

        try:
            tag_new_photos(self.lib, hashes, vectors)
        except Exception:  # noqa: BLE001
            log.exception("auto-tagging a batch failed; 'photosearch labels apply' catches up")

    def _read_keywords(self, paths: list[str]) -> None:
        """Keywords the files already carry (sidecar, embedded XMP/IPTC: core/keywords.py).
        A failure costs those keywords, never the indexing run."""
        from .keywords import read_at_index

        try:
            read_at_index(self.catalog, paths)
        except Exception:  # noqa: BLE001
            log.exception("reading keywords of a batch failed")

    def _index_ready(self) -> bool:
        return self.lib.embedder_loaded or self.lib.embedding_dim() is not None

    def record_problem(self, path: str, reason: str, size: int | None = None,
                        mtime_ns: int | None = None) -> None:
        log.info("problem: %s: %s", path, reason)
        self.catalog.record_problem(path, reason, size, mtime_ns)


def _empty_dir(path: str) -> bool:
    try:
        with os.scandir(path) as it:
            return next(it, None) is None
    except OSError:
        return False


def _classify(f: DiskFile, folder_id: int | None, known: dict, problems: dict,
              unembedded: set[str], maybe_known: bool, report: IndexReport) -> _Job | None:
    """What one file on disk needs: nothing (unchanged, or known bad and unchanged), a
    decode (new content, or not embedded yet), or only a hash (`maybe_known`: a probable
    move or copy of a known photo, linked without decoding when the hash matches)."""
    k = known.get(f.path)
    if k and (k.size, k.mtime_ns) == (f.size, f.mtime_ns):
        if k.hash not in unembedded:
            report.unchanged += 1
            return None
        unembedded.discard(k.hash)  # one decode per photo, however many paths it has
        return _Job(f, folder_id, decode=True)
    if problems.get(f.path) == (f.size, f.mtime_ns):
        report.problems += 1  # known bad and unchanged: don't retry every run
        return None
    return _Job(f, folder_id, decode=not maybe_known)


def _lower_priority(nice: int) -> None:
    """Lower the calling thread's scheduling priority (Linux applies nice per thread)."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except OSError:
        pass  # not permitted on this platform: run at normal priority


def _work(job: _Job, size: int, max_bytes: int = imaging.DEFAULT_MAX_FILE_BYTES) -> _Result:
    """Runs on a decode thread: hash the file in chunks, and decode it when asked.

    Memory stays bounded per file: the hash streams, the decoder reads from the open file
    (never a whole-file buffer), and files above `max_bytes` are refused before reading."""
    try:
        fh = open(job.file.path, "rb")
    except FileNotFoundError:
        return _Result(job, error="file vanished before it could be read")
    except PermissionError:
        return _Result(job, error="permission denied: the app cannot read this file")
    except OSError as exc:
        return _Result(job, error=f"cannot read file: {exc.strerror or exc}")
    with fh:
        try:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return _Result(job, error="not a regular file (a device, pipe or socket); "
                                          "only photo files are indexed")
            if st.st_size == 0:
                return _Result(job, error="empty file (0 bytes); copy it again from the source")
            if st.st_size > max_bytes:
                return _Result(job, error=imaging.file_too_large_reason(st.st_size, max_bytes))
            digest = imaging.hash_stream(fh)
        except OSError as exc:
            return _Result(job, error=f"cannot read file: {exc.strerror or exc}")
        if not job.decode:
            return _Result(job, hash=digest)
        try:
            fh.seek(0)
            decoded = imaging.decode_for_model(fh, size, mtime=job.file.mtime_ns / 1e9)
        except imaging.ImageError as exc:
            return _Result(job, hash=digest, error=str(exc))
        except Exception as exc:  # a decoder bug must cost one file, not the run
            log.exception("unexpected error decoding %s", job.file.path)
            return _Result(job, hash=digest, error=f"unexpected decoder error ({exc!r}); "
                                                    "please report it with this file")
    return _Result(job, hash=digest, decoded=decoded)


def _photo_info(h: str, size: int, d: imaging.Decoded) -> PhotoInfo:
    return PhotoInfo(h, size, d.width, d.height, d.format, d.taken_at, d.camera_make,
                     d.camera_model, d.has_exif, d.phash, d.dhash)


def _vectors(catalog, model_id: str, ids: dict[str, int]) -> np.ndarray:
    order = list(ids.values())
    got: dict[int, np.ndarray] = {}
    for chunk_ids, vecs in catalog.iter_embeddings(model_id, order):
        got.update(zip(chunk_ids.tolist(), vecs))
    return np.stack([got[i] for i in order])
