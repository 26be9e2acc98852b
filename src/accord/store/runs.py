"""Pipeline runs and the store's writer lock.

A pipeline stage (ingest, code, analyse) is one *run*: a row in ``runs`` and many short
transactions. Its reads between transactions (which files are stored, which passages are coded)
would be invalidated by a second run writing in between, so a run holds the store's writer lock
from ``start_run`` to ``finish_run``; a second writer waits for it, saying so once.

The lock is an operating-system file lock on ``<store>.lock`` (flock, or LockFileEx on Windows,
through filelock). It is separate from SQLite's own locking: readers never take it, and short
writers (one transaction, such as a web app saving a review) do not either, so neither ever waits
for a long run; SQLite's busy timeout covers the moment a run's transaction is committing. The
operating system drops the lock when its process dies, so a killed writer leaves no stale lock;
its run row, still ``running``, is marked ``interrupted`` by the next writer (which holds the lock,
so no live writer can own such a row), and shown as interrupted by readers as soon as its process
is gone.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from filelock import FileLock, Timeout

logger = logging.getLogger(__name__)

WAITING_MESSAGE = "another Accord process is writing to this store; waiting"
UNFINISHED = ("interrupted", "failed")

HOST = socket.gethostname()


class WriterLock:
    """The store's writer lock, re-entrant within a process (a second store object on the same
    file in the same process shares it instead of waiting for itself)."""

    def __init__(self, store_path: str):
        # One spelling of the path per file, so that the process shares one lock per store.
        self.path = f"{Path(store_path).resolve()}.lock"
        self._lock = FileLock(self.path, thread_local=False, is_singleton=True)
        self.held = 0  # acquisitions by this owner, released on close

    def acquire(self, holder: Callable[[], str]) -> None:
        """Take the lock, waiting as long as another process holds it; say once that it waits."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            logger.warning("%s (%s).", WAITING_MESSAGE, holder())
            self._lock.acquire()
        self.held += 1

    def release(self) -> None:
        if self.held:
            self.held -= 1
            self._lock.release()


def process_is_alive(pid: int | None, host: str | None, started_at: str) -> bool:
    """Whether the process that started a run may still be running it. Only a process on this
    host can be checked; one started after the run is a different process with a reused pid."""
    import psutil

    if pid is None:  # a run from before runs recorded their process (and their lock)
        return False
    if host != HOST:  # cannot be checked from here
        return True
    try:
        created = datetime.fromtimestamp(psutil.Process(pid).create_time(), UTC)
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False
    return created.isoformat(timespec="seconds") <= started_at


def mark_interrupted(db: sqlite3.Connection, now: str) -> list[str]:
    """Mark the ``running`` rows of other processes ``interrupted``. Call with the writer lock
    held: no live writer other than this process can own a ``running`` row then."""
    rows = db.execute(
        "SELECT id FROM runs WHERE status='running' AND NOT (pid IS ? AND host IS ?)",
        (os.getpid(), HOST),
    ).fetchall()
    ids = [r[0] for r in rows]
    db.executemany(
        "UPDATE runs SET status='interrupted', finished_at=? WHERE id=?", [(now, i) for i in ids]
    )
    return ids


def holder_description(db: sqlite3.Connection) -> str:
    row = db.execute(
        "SELECT id, pid, host, started_at FROM runs WHERE status='running'"
        " ORDER BY started_at DESC, id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return "its run is starting"
    return f"run {row[0]}, process {row[1]} on {row[2]}, since {row[3]}"


def unfinished_runs(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Runs that did not finish: interrupted (killed), failed (an error), or still marked
    running although their process is gone; newest first, each saying whether a run of the
    same stage completed after it (which then finished its work)."""
    rows = db.execute(
        "SELECT r.id, r.stage, r.command, r.started_at, r.finished_at, r.status, r.pid, r.host,"
        " r.stats, EXISTS(SELECT 1 FROM runs c WHERE c.stage=r.stage AND c.status='completed'"
        " AND c.started_at >= r.started_at) AS completed_since"
        " FROM runs r WHERE r.status <> 'completed' ORDER BY r.started_at DESC, r.id DESC"
    ).fetchall()
    found = []
    for row in rows:
        item = dict(row)
        if item["status"] == "running":
            if process_is_alive(item["pid"], item["host"], item["started_at"]):
                continue
            item["status"] = "interrupted"
        item["completed_since"] = bool(item["completed_since"])
        found.append(item)
    return found


P = ParamSpec("P")
R = TypeVar("R")


def records_failure(stage: Callable[P, R]) -> Callable[P, R]:
    """For a stage function whose first argument is the store: a run it started and leaves
    unfinished by raising is marked failed (interrupted, for Ctrl-C) with the error, and its
    hold on the writer lock released, so a failure never leaves a run ``running``."""

    @functools.wraps(stage)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        before = set(store.open_runs)  # type: ignore[attr-defined]
        try:
            return stage(*args, **kwargs)
        except BaseException as exc:
            status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            store.abandon_runs(status, f"{type(exc).__name__}: {exc}", keep=before)  # type: ignore[attr-defined]
            raise

    return wrapper
