"""One writer per library: a second indexer/app refuses (CLI) or attaches read-only (GUI).

SQLite transactions already keep a catalog consistent when two processes write, but two
indexers would embed the same files twice, fight over the HNSW index file (each saves its
own in-memory copy) and double the CPU load. So every long-running writer (`index`,
`index --watch`, the desktop app) holds the library's writer lock.

Choice of lock: the `filelock` package (an OS lock on `writer.lock`: fcntl.flock on Unix,
msvcrt.locking on Windows). The OS drops it when the process dies, even on kill -9 or a
power cut, so there is never a stale lock to clean up by hand; a PID file could not
promise that. Who holds the lock is written beside it (`writer.json`: pid, what, since,
and a heartbeat with the watcher's pending work) so the refusal can say who to stop and
`status` can show what a running watcher is doing.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import filelock

from .catalog import CatalogError
from .paths import LibraryPaths

ACQUIRE_TIMEOUT_S = 3.0  # rides out a `status` probing the lock at the same moment


class LibraryBusy(CatalogError):
    """Another process is writing to this library."""


class WriterLock:
    """The library's writer lock. Use as a context manager, or acquire()/release()."""

    def __init__(self, paths: LibraryPaths, purpose: str):
        self.paths = paths
        self.purpose = purpose
        self.info_path = info_path(paths)
        paths.root.mkdir(parents=True, exist_ok=True)
        self._lock = filelock.FileLock(str(paths.lock), is_singleton=False, thread_local=False,
                                       preserve_lock_file=True)
        self.since = 0.0

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def try_acquire(self, timeout: float = ACQUIRE_TIMEOUT_S) -> bool:
        """Take the lock if free (waiting up to `timeout`); False if another process has it."""
        try:
            self._lock.acquire(timeout=timeout)
        except filelock.Timeout:
            return False
        self.since = time.time()
        self.update()
        return True

    def acquire(self, timeout: float = ACQUIRE_TIMEOUT_S) -> WriterLock:
        """Take the lock or raise LibraryBusy naming the process that holds it."""
        if not self.try_acquire(timeout):
            raise LibraryBusy(busy_message(self.paths))
        return self

    def update(self, **extra) -> None:
        """Rewrite writer.json (heartbeat); extra keys (e.g. pending work) are shown by status."""
        if not self.held:
            return
        info = {"pid": os.getpid(), "host": socket.gethostname(), "purpose": self.purpose,
                "since": self.since, "heartbeat": time.time(), **extra}
        tmp = self.info_path.with_name(self.info_path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(info), "utf-8")
            os.replace(tmp, self.info_path)
        except OSError:
            pass  # informational only

    def release(self) -> None:
        if self.held:
            try:
                self.info_path.unlink()
            except OSError:
                pass
            self._lock.release()

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *_) -> None:
        self.release()


def info_path(paths: LibraryPaths) -> Path:
    return paths.root / "writer.json"


def current_writer(paths: LibraryPaths) -> dict | None:
    """Who is writing to the library right now (from writer.json), or None when nobody is.

    The lock itself is the truth: a writer.json left by a killed process is ignored."""
    if not paths.lock.exists():
        return None
    probe = filelock.FileLock(str(paths.lock), is_singleton=False, thread_local=False,
                              preserve_lock_file=True)
    try:
        probe.acquire(timeout=0)
    except filelock.Timeout:
        pass  # held by someone: read who
    else:
        probe.release()
        return None
    try:
        return json.loads(info_path(paths).read_text("utf-8"))
    except (OSError, ValueError):
        return {"pid": None, "purpose": "unknown"}


def busy_message(paths: LibraryPaths) -> str:
    who = current_writer(paths) or {}
    pid = who.get("pid")
    what = who.get("purpose") or "another photosearch process"
    by = f"'{what}' (pid {pid})" if pid else what
    return (f"the library {paths.root} is in use by {by}; only one process may index it at a "
            "time. Stop that process (Ctrl+C, or close the app) and try again; searching "
            "and 'status' work meanwhile")
