"""Watching the library's folders: watchdog events -> debounced batches -> the indexer.

    watcher = LibraryWatcher(library, on_event=callback)   # no Qt here: the app bridges
    watcher.start()            # reconciles offline changes, then follows the disk live
    watcher.pause(); watcher.resume()
    watcher.stop()             # finishes the batch in flight, saves the index

Threads: watchdog's observer thread only records *which paths* changed, into a bounded,
coalescing `PendingChanges` (a storm of 10,000 files is 10,000 small entries; past the
limit it collapses into one "rescan" flag, so memory stays bounded). One worker thread owns
all writes: it waits until a path is complete (closed after writing, or quiet with a stable
size and mtime; temp names like `.part` are excluded until renamed), re-points moves without
reading, indexes new/changed files in batches, forgets deleted ones, polls roots for
unplugged drives, saves the index and purges orphans past their grace period.

Everything that happened while not running is caught on start by a scan that skips
unchanged files (size + mtime), and again whenever an unplugged folder comes back.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from . import library_ops, reconcile
from .imaging import is_image_name
from .indexer import Indexer, IndexReport
from .keywords import is_sidecar_name, sidecars_changed
from .library import Library
from .scanner import Excluder

log = logging.getLogger(__name__)

QUIET_S = 0.25  # no event on a path for this long before it is looked at
SETTLE_S = 2.0  # a file never seen closed must keep its size and mtime this long
UNTOUCHED_S = 1.0  # ...unless it was only created (link/move-in) and its mtime is this old
MAX_PENDING = 50_000  # coalesced paths held before collapsing into a full rescan
BATCH_PATHS = 1_000  # paths handed to the indexer at once (one progress event each)
ROOT_POLL_S = 1.0  # how often unplugged/returned folders and new folders are noticed
SAVE_IDLE_S = 2.0  # save the vector index after this long without changes
HEARTBEAT_S = 5.0
PURGE_INTERVAL_S = 3600.0


@dataclass
class WatchEvent:
    """What the watcher did, for the UI/CLI: kind is one of 'changed' (a batch was
    applied), 'progress' (a long catch-up: done/total, at most twice a second), 'offline',
    'online', 'reconciled', 'warning', 'error'."""

    kind: str
    added: int = 0  # photos embedded (or cataloged without a model)
    linked: int = 0  # new paths of known photos (copies, moves seen as delete + create)
    moved: int = 0  # paths re-pointed from OS move events (nothing read)
    removed: int = 0  # paths forgotten (deleted or moved out)
    problems: int = 0
    roots: list[str] = field(default_factory=list)
    message: str = ""
    done: int = 0
    total: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.linked or self.moved or self.removed)


# -- coalescing ------------------------------------------------------------------------
@dataclass
class _Entry:
    last_event: float
    is_dir: bool = False
    closed: bool = False
    created_only: bool = False  # "created" and nothing since: a hard link or a move-in
    stat: tuple[int, int] | None = None
    stat_at: float = 0.0


@dataclass
class Batch:
    moves: list[tuple[str, str, bool]]
    paths: list[tuple[str, bool]]
    rescan: bool = False

    def __bool__(self) -> bool:
        return bool(self.moves or self.paths or self.rescan)


class PendingChanges:
    """Changed paths waiting to be processed, coalesced per path, bounded (thread-safe)."""

    def __init__(self, limit: int = MAX_PENDING):
        self.limit = limit
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._moves: dict[str, tuple[str, bool]] = {}  # dst -> (original src, is_dir)
        self._rescan = False
        self.overflows = 0
        self.wakeup = threading.Event()
        # Set where the OS reports "closed after writing" (Linux inotify): a file that was
        # only "created" (no write seen) and is not empty can then only be a hard link or
        # a file moved in from an unwatched place, both complete at once.
        self.close_events = False

    def __len__(self) -> int:
        return len(self._entries) + len(self._moves) + int(self._rescan)

    def touch(self, path: str, *, is_dir: bool = False, closed: bool = False,
              created: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if self._rescan:
                return  # a full rescan will see it anyway
            e = self._entries.get(path)
            if e is None:
                if len(self._entries) >= self.limit:
                    self._overflow()
                    return
                e = self._entries[path] = _Entry(now)
            e.last_event = now
            e.is_dir = e.is_dir or is_dir
            e.closed = closed
            e.created_only = created
        self.wakeup.set()

    def move(self, src: str, dst: str, is_dir: bool) -> None:
        with self._lock:
            if self._rescan:
                return
            origin = self._moves.pop(src, (src, is_dir))[0]  # a->b then b->c is a->c
            if len(self._moves) >= self.limit:
                self._overflow()
                return
            self._moves[dst] = (origin, is_dir)
        self.touch(src, is_dir=is_dir, closed=True)
        self.touch(dst, is_dir=is_dir, closed=True)  # a rename is atomic: dst is complete

    def request_rescan(self) -> None:
        with self._lock:
            self._overflow()
        self.wakeup.set()

    def _overflow(self) -> None:
        self._entries.clear()
        self._moves.clear()
        self._rescan = True
        self.overflows += 1

    def drop_under(self, root: str) -> None:
        """Forget pending work under a folder that went offline (never treat it as deletes)."""
        prefix = root.rstrip(os.sep) + os.sep
        with self._lock:
            for p in [p for p in self._entries if p == root or p.startswith(prefix)]:
                del self._entries[p]
            for d in [d for d in self._moves if d == root or d.startswith(prefix)]:
                del self._moves[d]

    def take_ready(self, quiet_s: float, settle_s: float, limit: int) -> Batch:
        """Moves, plus paths that are complete: quiet for `quiet_s` and either closed after
        their last write, gone, a folder, or unchanged in size and mtime for `settle_s`."""
        now = time.monotonic()
        with self._lock:
            rescan, self._rescan = self._rescan, False
            moves = [(src, dst, d) for dst, (src, d) in self._moves.items()]
            self._moves.clear()
            quiet = [(p, e.last_event, e.is_dir, e.closed, e.created_only, e.stat, e.stat_at)
                     for p, e in self._entries.items() if now - e.last_event >= quiet_s]
        ready: list[tuple[str, float, bool]] = []
        restat: list[tuple] = []
        for p, last, is_dir, closed, created_only, old, old_at in quiet:
            if len(ready) >= limit:
                break
            if is_dir or closed:
                ready.append((p, last, is_dir))
                continue
            if old is not None and now - old_at < settle_s:
                continue  # looked at recently; one stat per settle period is enough
            cur = _stat(p)
            if cur is None or (cur == old and now - old_at >= settle_s) or \
                    (created_only and self.close_events and _untouched(cur)):
                ready.append((p, last, is_dir))
            elif cur != old:
                restat.append((p, last, cur))
        out = []
        with self._lock:
            for p, last, is_dir in ready:
                e = self._entries.get(p)
                if e is not None and e.last_event == last:
                    del self._entries[p]
                    out.append((p, is_dir))
            for p, last, cur in restat:
                e = self._entries.get(p)
                if e is not None and e.last_event == last:
                    e.stat, e.stat_at = cur, now
        return Batch(moves, out, rescan)


def _untouched(stat: tuple[int, int]) -> bool:
    """Not empty, and not written to for a moment (a writer we lag behind has a fresh mtime)."""
    size, mtime_ns = stat
    return size > 0 and time.time() - mtime_ns / 1e9 >= UNTOUCHED_S


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class _Handler(FileSystemEventHandler):
    """Runs on watchdog's thread: filters events and records paths, nothing else."""

    def __init__(self, roots: Callable[[], reconcile.Roots], pending: PendingChanges,
                 excluder: Excluder):
        super().__init__()
        self.roots = roots  # the watcher's current folders: a move may cross them
        self.pending = pending
        self.excluder = excluder

    def dispatch(self, event: FileSystemEvent) -> None:
        if isinstance(event, (FileOpenedEvent, FileClosedNoWriteEvent, DirModifiedEvent)):
            return  # reads (our own included) and folder mtime changes say nothing new
        src = os.fsdecode(event.src_path)
        if not event.is_directory and self._sidecar_event(event, src):
            return
        if event.event_type == "moved":
            dst = os.fsdecode(event.dest_path)
            src_ok, dst_ok = self._relevant(src, event.is_directory), \
                self._relevant(dst, event.is_directory)
            if src_ok and dst_ok:
                self.pending.move(src, dst, event.is_directory)
            elif src_ok:  # moved to a temp/excluded name or out of the folder: gone here
                self.pending.touch(src, is_dir=event.is_directory, closed=True)
            elif dst_ok:  # `.part` renamed to its final name: complete now
                self.pending.touch(dst, is_dir=event.is_directory, closed=True)
            return
        if not self._relevant(src, event.is_directory):
            return
        closed = isinstance(event, FileClosedEvent) or event.event_type in ("deleted", "attrib")
        self.pending.touch(src, is_dir=event.is_directory, closed=closed,
                           created=event.event_type == "created")

    def _sidecar_event(self, event: FileSystemEvent, src: str) -> bool:
        """A sidecar (NAME.EXT.xmp / NAME.xmp) written, replaced or removed: queued as a
        changed path, so its photo's keywords are read again. True when handled."""
        paths = [src] + ([os.fsdecode(event.dest_path)] if event.event_type == "moved" else [])
        sidecars = [p for p in paths if is_sidecar_name(os.path.basename(p))]
        for p in sidecars:
            root = self.roots().root_of(p)
            if root is not None and not reconcile.excluded(root, p, self.excluder):
                self.pending.touch(p, closed=True)
        return len(sidecars) == len(paths) or (bool(sidecars) and event.event_type != "moved")

    def _relevant(self, path: str, is_dir: bool) -> bool:
        if not is_dir and not is_image_name(os.path.basename(path)):
            return False
        root = self.roots().root_of(path)
        return root is not None and not reconcile.excluded(root, path, self.excluder)


# -- the watcher -----------------------------------------------------------------------
@dataclass
class _RootState:
    identity: tuple[int, int] | None
    watch: ObservedWatch | None = None


class LibraryWatcher:
    """Keeps one library in step with its folders while running (see module docstring).

    `on_event` is called on the worker thread with a WatchEvent; events also go to the
    bounded `events` queue (oldest dropped when nobody reads it). All writes to `library`
    happen on the worker thread, through its own catalog connection; other threads
    sharing `library` (a search from the GUI) read through theirs and never wait for a
    batch: SQLite (WAL) gives each a committed snapshot, and the vector index locks itself."""

    def __init__(self, library: Library, *, on_event: Callable[[WatchEvent], None] | None = None,
                 embed: bool = True, download: bool = True, lock=None,
                 quiet_s: float = QUIET_S, settle_s: float = SETTLE_S,
                 max_pending: int = MAX_PENDING, batch_paths: int = BATCH_PATHS,
                 root_poll_s: float = ROOT_POLL_S):
        self.lib = library
        self.on_event = on_event
        self.events: queue.Queue[WatchEvent] = queue.Queue(maxsize=1000)
        self.pending = PendingChanges(max_pending)
        self.lock = lock  # a held single_instance.WriterLock, for heartbeats
        self.quiet_s, self.settle_s = quiet_s, settle_s
        self.batch_paths = batch_paths
        self.root_poll_s = root_poll_s
        self._cancel = threading.Event()
        self._paused = threading.Event()
        self._stop = threading.Event()
        self._started = threading.Event()  # first reconcile done
        self._busy = threading.Event()
        self._last_progress = 0.0
        self.indexer = Indexer(library, progress=self._on_progress, cancel=self._cancel,
                               paused=self._paused, embed=embed, download=download)
        self.excluder = Excluder(library.settings.exclude)
        self.observer = Observer()
        self.pending.close_events = type(self.observer).__name__ == "InotifyObserver"
        self.roots = reconcile.Roots({})
        self._states: dict[str, _RootState] = {}
        self._thread: threading.Thread | None = None
        self._dirty_since: float | None = None
        self._failures = 0
        self.model_error: str | None = None
        self.error: str | None = None

    # -- control ------------------------------------------------------------------------
    def start(self) -> LibraryWatcher:
        self.observer.start()
        self._thread = threading.Thread(target=self._run, name="photosearch-watcher",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop watching; the batch in flight is finished and committed, the index saved."""
        self._stop.set()
        self._cancel.set()
        self._paused.clear()
        self.pending.wakeup.set()
        with contextlib.suppress(Exception):
            self.observer.stop()
            self.observer.join(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
        self.lib.save_index()

    def pause(self) -> None:
        """Stop indexing (events keep being collected, bounded) until resume()."""
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()
        self.pending.wakeup.set()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def busy(self) -> bool:
        """A step is running now: mostly a batch being indexed (the CLIP pass), else a
        quick root check. The faces pass asks this to leave the cores to indexing."""
        return self._busy.is_set()

    @property
    def pending_count(self) -> int:
        return len(self.pending)

    @property
    def offline_roots(self) -> list[str]:
        return sorted(r for r, s in self._states.items() if s.identity is None)

    def _on_progress(self, p) -> None:
        """Indexer progress (worker thread, between batches): tell the UI how a long
        catch-up is going."""
        now = time.monotonic()
        if p.phase == "indexing" and p.total >= 100 and now - self._last_progress >= 0.5:
            self._last_progress = now
            self._emit(WatchEvent("progress", added=p.embedded, problems=p.problems,
                                  done=p.done, total=p.total))

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait for the start-up reconcile to finish."""
        return self._started.wait(timeout)

    def wait_idle(self, timeout: float = 30.0, quiet: float = 0.0) -> bool:
        """Wait until nothing is pending or being processed (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        idle_since = None
        while time.monotonic() < deadline:
            idle = self._started.is_set() and not self._busy.is_set() and not len(self.pending)
            if idle:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= quiet:
                    return True
            else:
                idle_since = None
            time.sleep(0.05)
        return False

    # -- worker -------------------------------------------------------------------------
    def _run(self) -> None:
        last_poll = last_beat = 0.0
        last_purge = time.monotonic()
        try:
            self._step(self._check_roots)
            self._step(self._preload_model)
            self._step(self._purge)
        finally:
            self._started.set()
        while not self._stop.is_set():
            now = time.monotonic()
            if now - last_poll >= self.root_poll_s:
                self._step(self._check_roots)
                last_poll = time.monotonic()
            if self.lock is not None and now - last_beat >= HEARTBEAT_S:
                self._heartbeat()
                last_beat = now
            if now - last_purge >= PURGE_INTERVAL_S:
                self._step(self._purge)
                last_purge = now
            if not self._paused.is_set() and not self._stop.is_set():
                batch = self.pending.take_ready(self.quiet_s, self.settle_s, self.batch_paths)
                if batch:
                    self._step(self._apply, batch)
                    continue
            self._maybe_save()
            self.pending.wakeup.wait(0.1)
            self.pending.wakeup.clear()
        self._step(self._maybe_save, True)

    def _step(self, fn, *args) -> None:
        """Run one unit of work; an unexpected error is reported, never kills the watcher."""
        self._busy.set()
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - the watcher must outlive one bad batch
            log.exception("watcher step failed")
            self.error = f"{type(exc).__name__}: {exc}"
            self._failures += 1
            self._emit(WatchEvent("error", message=f"{self.error}; retrying with a rescan"))
            if fn == self._apply:
                self.pending.request_rescan()  # the batch's paths are not lost
            self._stop.wait(min(30.0, 0.5 * 2 ** min(self._failures, 6)))  # back off
        else:
            self._failures = 0
        finally:
            self._busy.clear()

    def _emit(self, event: WatchEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001 - a UI callback bug must not stop indexing
                log.exception("watch event callback failed")
        while True:
            try:
                self.events.put_nowait(event)
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self.events.get_nowait()

    def _preload_model(self) -> None:
        """Load the model now so the first new photo is searchable within seconds."""
        report = IndexReport()
        if self.indexer.want_embed and self.indexer.load_model(report) is None \
                and report.model_error:
            self.model_error = report.model_error
            self.indexer.want_embed = False  # don't retry (and re-download) on every batch
            self._emit(WatchEvent("warning", message=f"cataloging without embeddings: "
                                                      f"{report.model_error}"))

    def _check_roots(self) -> None:
        """Notice folders added/removed (by the CLI) and drives unplugged or back."""
        folders = dict((p, i) for i, p in self.lib.catalog.folders())
        for root in [r for r in self._states if r not in folders]:
            self._unwatch(root)
            del self._states[root]
        self.roots = reconcile.Roots(folders, set(self.roots.online) & set(folders))
        for root in folders:
            ident = reconcile.root_identity(root, self.lib.catalog)
            state = self._states.get(root)
            if state is not None and state.identity == ident:
                continue
            if ident is None:
                self._went_offline(root)
            else:
                self._came_online(root, ident, first=state is None)

    def _went_offline(self, root: str) -> None:
        self._unwatch(root)
        self._states[root] = _RootState(None)
        self.roots.online.discard(root)
        self.pending.drop_under(root)
        with self.lib.catalog.transaction():
            self.lib.catalog.set_folder_offline(root, True)
        log.info("folder offline (photos kept): %s", root)
        self._emit(WatchEvent("offline", roots=[root],
                              message=f"{root} is offline; its photos are kept"))

    def _came_online(self, root: str, ident: tuple[int, int], first: bool) -> None:
        self._unwatch(root)
        state = self._states[root] = _RootState(ident)
        try:
            state.watch = self.observer.schedule(
                _Handler(lambda: self.roots, self.pending, self.excluder), root, recursive=True)
        except OSError as exc:
            self._emit(WatchEvent("error", roots=[root], message=_watch_error(root, exc)))
        self.roots.online.add(root)
        with self.lib.catalog.transaction():
            self.lib.catalog.set_folder_offline(root, False)
        if not first:
            self._emit(WatchEvent("online", roots=[root], message=f"{root} is back"))
        # Catch up with what changed while we were not looking (unchanged files: stat only).
        report = self.indexer.run([root])
        self._report(report, kind="reconciled", roots=[root])

    def _unwatch(self, root: str) -> None:
        state = self._states.get(root)
        if state is not None and state.watch is not None:
            with contextlib.suppress(Exception):
                self.observer.unschedule(state.watch)
            state.watch = None

    def _apply(self, batch: Batch) -> None:
        """One debounced batch: re-point moves, index new/changed files, forget deleted."""
        if batch.rescan:
            log.warning("event storm beyond %d paths: rescanning all folders", self.pending.limit)
            report = self.indexer.run([r for r in self.roots.ids if r in self.roots.online])
            self._report(report, kind="reconciled", roots=sorted(self.roots.online))
        sidecars = [p for p, d in batch.paths if not d and is_sidecar_name(os.path.basename(p))]
        if sidecars:  # keywords of their photos read again; nothing to embed
            batch.paths = [(p, d) for p, d in batch.paths if d or p not in set(sidecars)]
            sidecars_changed(self.lib.catalog, sidecars)
        moved = reconcile.apply_moves(self.lib.catalog, batch.moves, self.roots, self.excluder)
        plan = reconcile.plan_paths(self.lib.catalog, batch.paths, self.roots, self.excluder,
                                    settle_s=self.settle_s,
                                    on_error=self.indexer.record_problem)
        for p in plan.unsettled:
            self.pending.touch(p)
        report = self.indexer.index_files(plan.files, plan.likely_moves) \
            if plan.files else IndexReport()
        removed = 0
        if not self._cancel.is_set():
            # A move between folders can reach us as a bare "created" (the OS pairs the two
            # halves and the source's half is lost): the linked photo's old path is then
            # found missing here.
            vanished = plan.vanished + reconcile.stale_siblings(
                self.lib.catalog, [f.path for f, _ in plan.files])
            removed = library_ops.forget_paths(self.lib, reconcile.still_gone(vanished, self.roots))
        if moved or removed or report.embedded or report.cataloged or report.linked:
            self._dirty_since = time.monotonic()
        event = _event_from(report, "changed")
        event.moved, event.removed = len(moved), removed
        if event.changed or event.problems:
            self._emit(event)
        if report.model_error and not self.model_error:
            self.model_error = report.model_error

    def _report(self, report: IndexReport, kind: str, roots: list[str]) -> None:
        if report.embedded or report.cataloged or report.linked or report.removed:
            self._dirty_since = time.monotonic()
        event = _event_from(report, kind)
        event.removed, event.roots = report.removed, roots
        self._emit(event)

    def _maybe_save(self, force: bool = False) -> None:
        if self._dirty_since is None:
            return
        if force or time.monotonic() - self._dirty_since >= SAVE_IDLE_S:
            try:
                if not force and not self.lib.maybe_save_index():
                    return  # not due yet (see Library.maybe_save_index): stay dirty
                if force:
                    self.lib.save_index()
            except OSError as exc:  # disk full...: the catalog is intact, retry later
                log.warning("could not save the vector index: %s", exc)
                self._dirty_since = time.monotonic()
                return
            self._dirty_since = None

    def _purge(self) -> None:
        library_ops.purge(self.lib)

    def _heartbeat(self) -> None:
        self.lock.update(pending=len(self.pending), paused=self.paused,
                         offline=self.offline_roots, error=self.error)


def _event_from(report: IndexReport, kind: str) -> WatchEvent:
    return WatchEvent(kind, added=report.embedded + report.cataloged, linked=report.linked,
                      problems=report.problems)


def _watch_error(root: str, exc: OSError) -> str:
    msg = f"cannot watch {root}: {exc.strerror or exc}"
    if exc.errno == 28:  # ENOSPC from inotify: the per-user watch limit
        msg += ("; raise the limit, e.g. 'sudo sysctl fs.inotify.max_user_watches=524288'. "
                "Changes there are picked up on the next start meanwhile")
    return msg
