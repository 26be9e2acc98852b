"""Where batch work runs: in this process, in local worker processes, or on a Dask cluster.

Ingest and coding hand an executor a function and partitions of work (one file, a few thousand
passage texts); the executor runs the function on each partition somewhere and streams the
outcomes back as they complete, with at most ``window`` partitions handed out and not yet
consumed, so memory stays bounded however large the corpus. The caller stays the only writer
of the store. Executors, by the scheduler spec that names them (``--scheduler``):

- ``in-process``: :class:`InProcessExecutor`, one partition after another in this process;
- ``processes:N``: :class:`ProcessExecutor`, N local worker processes (pebble), the default;
- ``local:N``: :class:`DaskExecutor` on a ``LocalCluster`` of N worker processes it starts;
- ``tcp://HOST:PORT`` (or ``HOST:PORT``): :class:`DaskExecutor` on a running Dask scheduler.

A time limit per partition (ingest gives one file per partition) holds everywhere: pebble stops
the worker that exceeds it; in-process and on Dask the partition runs in a child process of the
process running it (the *sandbox*, started once and reused), and that child is stopped instead.
dask and pebble are imported only when an executor that needs them is used.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED
from concurrent.futures import wait as wait_futures
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from accord._version import __version__
from accord.errors import ConfigError, ExecutionError

P = TypeVar("P")
R = TypeVar("R")

SCHEDULER_ENV = "ACCORD_SCHEDULER"
SCHEDULER_HELP = (
    "Where batch work runs: in-process, processes:N, local:N (a Dask LocalCluster of N "
    "workers) or the address of a Dask scheduler (tcp://host:8786)."
)
IN_FLIGHT_PER_WORKER = 3  # partitions handed out per worker: one running, two waiting
# A LocalCluster runs batch tasks of seconds each: Dask's defaults, made for dashboards and
# interactive use, poll dozens of times a second (an idle client measured 0.031 CPU-s per
# second with them, 0.011 with these). Workers get the client's config from their nanny.
LOCAL_CLUSTER_CONFIG = {
    # Workers must be able to start the sandbox child that enforces per-file time limits;
    # a nanny reads this each time it (re)starts a worker.
    "distributed.worker.daemon": False,
    "distributed.admin.tick.interval": "200ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.worker.profile.enabled": False,
}


class TaskTimeout(Exception):
    """A partition ran over its time limit and was stopped."""


class WorkerCrashed(Exception):
    """The process running a partition died (a crash, or killed from outside)."""

    def __init__(self, exitcode: int | None = None, tries: int = 0):
        super().__init__(exitcode)
        self.exitcode = exitcode
        self.tries = tries  # on Dask: how many workers died running it before it was given up

    def __str__(self) -> str:
        if self.tries:
            return f"every worker that ran it died ({self.tries} in all): a crash, or out of memory"
        return f"the process running it died (exit code {self.exitcode})"


@dataclass(frozen=True, slots=True)
class Outcome(Generic[P, R]):
    """What became of one partition: its result, or the error that stopped it."""

    index: int  # position of the partition in the input
    partition: P
    result: R | None = None
    error: BaseException | None = None

    def value(self) -> R:
        """The result; the partition's error raised when it failed."""
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class Executor:
    """Runs ``fn`` over partitions somewhere and streams the outcomes back.

    Subclasses implement ``_submit`` and ``_wait``; the streaming, the bounded window and the
    optional ordering are the same for all of them.
    """

    name = "executor"
    # Whether the workers see this machine's files at the same paths (ingest sends them
    # paths) or not (ingest sends each file's bytes).
    shares_files = True

    @property
    def n_workers(self) -> int:
        return 1

    def map(
        self,
        fn: Callable[[P], R],
        partitions: Iterable[P],
        *,
        timeout: float | None = None,
        ordered: bool = False,
        window: int | None = None,
    ) -> Iterator[Outcome[P, R]]:
        """Outcomes of ``fn(partition)`` for every partition, as they complete, or in input
        order with ``ordered`` (writes then land in the same order wherever the work ran: the
        same store byte for byte). ``partitions`` is consumed lazily: at most ``window``
        partitions are handed out and not yet yielded. ``timeout`` limits each partition."""
        limit = max(1, window or IN_FLIGHT_PER_WORKER * self.n_workers)
        source = enumerate(partitions)
        pending: dict[Any, tuple[int, P]] = {}
        finished: dict[int, Outcome[P, R]] = {}
        next_index, exhausted = 0, False
        try:
            while True:
                while not exhausted and len(pending) + len(finished) < limit:
                    item = next(source, None)
                    if item is None:
                        exhausted = True
                        break
                    pending[self._submit(fn, item[1], timeout)] = item
                if not pending and not finished:
                    return
                if pending and not (ordered and next_index in finished):
                    for handle in self._wait(list(pending)):
                        index, partition = pending.pop(handle)
                        finished[index] = self._outcome(handle, index, partition)
                if ordered:
                    while next_index in finished:
                        yield finished.pop(next_index)
                        next_index += 1
                else:
                    for index in sorted(finished):
                        yield finished.pop(index)
        finally:
            for handle in pending:
                self._cancel(handle)

    def close(self) -> None:
        """Stop the workers this executor started (a no-op for those it did not)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})"

    # -- what each backend provides -------------------------------------------------------

    def _submit(self, fn: Callable[[P], R], partition: P, timeout: float | None) -> Any:
        raise NotImplementedError

    def _wait(self, handles: list[Any]) -> Iterable[Any]:
        """Some of ``handles`` that are done (at least one; blocks until then)."""
        raise NotImplementedError

    def _outcome(self, handle: Any, index: int, partition: P) -> Outcome:
        raise NotImplementedError

    def _cancel(self, handle: Any) -> None:
        """Give up a handed-out partition whose outcome nobody will read."""


class InProcessExecutor(Executor):
    """Every partition in the calling process, when its outcome is asked for."""

    name = "in-process"

    def _submit(self, fn, partition, timeout):
        return _Deferred(fn, partition, timeout)

    def _wait(self, handles):
        return handles[:1]

    def _outcome(self, handle, index, partition):
        return _run_deferred(handle, index, partition)


@dataclass(eq=False, slots=True)
class _Deferred:
    fn: Callable[[Any], Any]
    partition: Any
    timeout: float | None


def _run_deferred(handle: _Deferred, index: int, partition: Any) -> Outcome:
    try:
        return Outcome(index, partition, run_limited(handle.fn, partition, handle.timeout))
    except Exception as exc:  # the caller decides what a failed partition means
        return Outcome(index, partition, error=exc)


class ProcessExecutor(Executor):
    """Local worker processes (pebble). A worker lives as long as the executor, so whatever
    it loads once (a model, compiled patterns) serves every partition it runs; one that runs
    over its time limit, or dies, is replaced."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or usable_cores())
        self.name = f"processes:{self.workers}"
        self._pool = None

    @property
    def n_workers(self) -> int:
        return self.workers

    def _submit(self, fn, partition, timeout):
        if self._pool is None:
            from pebble import ProcessPool

            threads = max(1, usable_cores() // self.workers)
            try:
                self._pool = ProcessPool(
                    max_workers=self.workers, initializer=_share_cores, initargs=(threads,)
                )
            except OSError as exc:  # no semaphores, or the process limit reached
                raise ExecutionError(f"Cannot start worker processes ({exc}).") from exc
        return self._pool.schedule(fn, args=(partition,), timeout=timeout)

    def _wait(self, handles):
        done, _ = wait_futures(handles, return_when=FIRST_COMPLETED)
        return done

    def _outcome(self, handle, index, partition):
        from pebble import ProcessExpired

        try:
            return Outcome(index, partition, handle.result())
        except TimeoutError:
            return Outcome(index, partition, error=TaskTimeout())
        except ProcessExpired as exc:
            return Outcome(index, partition, error=WorkerCrashed(exc.exitcode))
        except Exception as exc:
            return Outcome(index, partition, error=exc)

    def _cancel(self, handle):
        handle.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()
            self._pool = None


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _share_cores(threads: int) -> None:
    """A worker's numeric libraries (torch, loaded later in the worker) use its share of the
    cores, not all of them each (as Dask does for its workers)."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(threads))


class DaskExecutor(Executor):
    """Partitions as tasks of a Dask cluster (``distributed.Client``). Dask retries a task
    whose worker died on another worker, and a future's result arrives once, so nothing is
    lost or written twice. The cluster is reached (or the LocalCluster started) on first use.

    Args:
        address: a running scheduler's address; None starts a LocalCluster of ``n_workers``.
    """

    def __init__(
        self, address: str | None = None, n_workers: int = 2, worker_timeout_s: float = 60.0
    ):
        self.address = address
        self.worker_timeout_s = worker_timeout_s  # how long a scheduler may be without workers
        self.local_workers = n_workers
        self.shares_files = address is None  # a scheduler elsewhere may have workers anywhere
        self.name = address or f"local:{n_workers}"
        self._client = None
        self._cluster = None

    @property
    def client(self):
        """The connected ``distributed.Client`` (starting the LocalCluster if need be)."""
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExecutionError(
                "--scheduler needs dask[distributed].", hint="pip install 'dask[distributed]'."
            ) from exc
        if self.address is not None:
            try:
                client = Client(self.address, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ExecutionError(
                    f"Cannot reach the Dask scheduler at {self.address} ({exc}).",
                    hint="Start one with `dask scheduler` (docs/scaling.md), or check the address.",
                ) from exc
            try:
                self._check_workers(client)
            except BaseException:
                client.close()
                raise
            return client
        dask.config.set(LOCAL_CLUSTER_CONFIG)  # for the process: nannies read it on restarts
        self._cluster = LocalCluster(
            n_workers=self.local_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        return Client(self._cluster)

    def _check_workers(self, client) -> None:
        """A scheduler's workers are there and run this Accord, or the run stops before any
        work is handed out (results must not depend on which worker coded what)."""
        try:
            client.wait_for_workers(1, timeout=self.worker_timeout_s)
        except TimeoutError:
            raise ExecutionError(
                f"No worker joined the Dask scheduler at {self.address} within "
                f"{self.worker_timeout_s:g} s.",
                hint=f"Start workers with `dask worker {self.address}` (docs/scaling.md).",
            ) from None
        others = version_mismatches(client.run(_accord_version), __version__)
        if others:
            raise ExecutionError(
                f"Workers of {self.address} run another Accord than this one ({__version__}): "
                + "; ".join(f"{worker} has {version}" for worker, version in others.items()),
                hint="Install the same Accord version on every machine (docs/scaling.md).",
            )

    @property
    def n_workers(self) -> int:
        threads = self.client.nthreads()
        return max(1, sum(threads.values()))

    def _submit(self, fn, partition, timeout):
        task = fn if timeout is None else _Limited(fn, timeout)
        key = f"accord-{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex}"
        return self.client.submit(task, partition, key=key, pure=False)

    def _wait(self, handles):
        from distributed import wait

        done, _ = wait(handles, return_when="FIRST_COMPLETED")
        return done

    def _outcome(self, handle, index, partition):
        from distributed import KilledWorker

        try:
            return Outcome(index, partition, handle.result())
        except KilledWorker as exc:  # its workers died, every retry: one crash for the caller
            allowed = getattr(exc, "allowed_failures", None)
            if allowed is None:
                allowed = _dask_setting("distributed.scheduler.allowed-failures", 3)
            return Outcome(index, partition, error=WorkerCrashed(None, allowed + 1))
        except Exception as exc:  # the task's own error
            return Outcome(index, partition, error=exc)
        finally:
            handle.release()

    def _cancel(self, handle):
        handle.cancel()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _dask_setting(key: str, default: Any) -> Any:
    import dask

    return dask.config.get(key, default)


def _accord_version() -> str:
    """What a worker reports of itself (run there by ``Client.run``)."""
    return __version__


def version_mismatches(versions: dict[str, Any], mine: str) -> dict[str, str]:
    """The workers (address: version) whose Accord differs from ``mine``; a worker that
    could not say (an error in place of its version) counts as different."""
    return {
        worker: str(version)
        for worker, version in sorted(versions.items())
        if not isinstance(version, str) or version != mine
    }


@dataclass(frozen=True, slots=True)
class _Limited:
    """``fn`` with a time limit, run on a Dask worker through that worker's sandbox."""

    fn: Callable[[Any], Any]
    timeout: float

    def __call__(self, partition: Any) -> Any:
        # spawn, not fork: a Dask worker has threads, and a forked copy could inherit a lock
        # one of them holds.
        return run_limited(self.fn, partition, self.timeout, start_method="spawn")


def run_limited(
    fn: Callable[[P], R], partition: P, timeout: float | None, *, start_method: str | None = None
) -> R:
    """``fn(partition)`` here, or with a time limit in this process's sandbox child (started
    by ``start_method``; default: the platform's, fork on Linux, as local workers are).

    Raises:
        TaskTimeout: it ran over ``timeout`` (the child is replaced).
        WorkerCrashed: the child died.
        ExecutionError: this process may not start children (a daemonic Dask worker).
    """
    if timeout is None:
        return fn(partition)
    from pebble import ProcessExpired

    future = _sandbox(start_method).schedule(fn, args=(partition,), timeout=timeout)
    try:
        return future.result()
    except TimeoutError:
        raise TaskTimeout() from None
    except ProcessExpired as exc:
        raise WorkerCrashed(exc.exitcode) from None


_SANDBOX: dict[int, Any] = {}  # this process's sandbox pool, by pid (a fork starts afresh)


def _sandbox(start_method: str | None):
    pid = os.getpid()
    if pid not in _SANDBOX:
        if multiprocessing.current_process().daemon:
            raise ExecutionError(
                "This Dask worker runs as a daemon process, so it cannot start the child "
                "process that enforces per-file time limits.",
                hint="Start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False (docs/scaling.md).",
            )
        from multiprocessing.util import Finalize

        from pebble import ProcessPool

        pool = ProcessPool(max_workers=1, context=multiprocessing.get_context(start_method))
        # Stopped when this process exits, before it waits for its children: the child would
        # otherwise wait for work, and the exit for the child.
        Finalize(pool, _stop_pool, args=(pool,), exitpriority=10)
        _SANDBOX[pid] = pool
    return _SANDBOX[pid]


def _stop_pool(pool) -> None:
    pool.stop()
    pool.join()


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def open_executor(
    scheduler: str | Executor | None, *, default_workers: int | None = None
) -> Executor:
    """The executor a scheduler spec names (see the module docstring); None reads
    ACCORD_SCHEDULER and, when that is unset too, gives ``default_workers`` local processes.

    Example:
        >>> open_executor("in-process").name
        'in-process'
        >>> open_executor("processes:3").n_workers
        3

    Raises:
        ConfigError: a spec that names nothing.
    """
    if isinstance(scheduler, Executor):
        return scheduler
    spec = (scheduler or os.environ.get(SCHEDULER_ENV) or "").strip()
    if not spec:
        return ProcessExecutor(default_workers)
    if spec in ("in-process", "inprocess", "serial"):
        return InProcessExecutor()
    kind, _, count = spec.partition(":")
    if kind in ("processes", "local"):
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(
                f"Scheduler '{spec}': expected {kind}:N with N a whole number of workers.",
                hint=SCHEDULER_HELP,
            )
        n = int(count)
        return ProcessExecutor(n) if kind == "processes" else DaskExecutor(None, n)
    if "://" in spec or (count.isdigit() and kind):
        return DaskExecutor(spec)
    raise ConfigError(f"Unknown scheduler '{spec}'.", hint=SCHEDULER_HELP)


@contextmanager
def executor_scope(scheduler: str | Executor | None) -> Iterator[Executor | None]:
    """The executor a scheduler spec names, for the length of one call, closed afterwards
    (an Executor passed in is left open: its owner closes it). Without a spec or
    ACCORD_SCHEDULER: None, which lets each stage use its default, as before executors."""
    if isinstance(scheduler, Executor):
        yield scheduler
        return
    if not (scheduler or os.environ.get(SCHEDULER_ENV, "").strip()):
        yield None
        return
    executor = open_executor(scheduler)
    try:
        yield executor
    finally:
        executor.close()
