"""Every executor keeps the same contract: outcomes for every partition, in input order when
asked, errors and time limits reported per partition, and the input consumed lazily."""

from __future__ import annotations

import math
import os
import time

import pytest

from accord import __version__
from accord.errors import ConfigError, ExecutionError
from accord.parallel import (
    DaskExecutor,
    InProcessExecutor,
    ProcessExecutor,
    TaskTimeout,
    WorkerCrashed,
    open_executor,
    version_mismatches,
)


@pytest.fixture(params=["in-process", "processes", "dask"])
def executor(request):
    if request.param == "dask":
        yield request.getfixturevalue("cluster")  # the folder's LocalCluster, left running
        return
    with InProcessExecutor() if request.param == "in-process" else ProcessExecutor(2) as opened:
        yield opened


def test_ordered_outcomes_of_every_partition(executor):
    outcomes = list(executor.map(math.sqrt, [16, 1, 9, 4], ordered=True))
    assert [o.index for o in outcomes] == [0, 1, 2, 3]
    assert [o.value() for o in outcomes] == [4.0, 1.0, 3.0, 2.0]


def test_unordered_outcomes_cover_every_partition(executor):
    outcomes = list(executor.map(math.sqrt, range(10)))
    assert sorted(o.index for o in outcomes) == list(range(10))
    assert all(o.value() == math.sqrt(o.partition) for o in outcomes)


def test_an_error_costs_its_partition_only(executor):
    outcomes = list(executor.map(math.sqrt, [4, -1, 9], ordered=True))
    assert isinstance(outcomes[1].error, ValueError)
    assert [outcomes[0].value(), outcomes[2].value()] == [2.0, 3.0]
    with pytest.raises(ValueError):
        outcomes[1].value()


def test_partitions_over_the_time_limit_are_stopped(executor):
    started = time.perf_counter()
    outcomes = list(executor.map(time.sleep, [30, 0], timeout=1.5, ordered=True))
    assert isinstance(outcomes[0].error, TaskTimeout)
    assert outcomes[1].error is None
    assert time.perf_counter() - started < 20


def test_a_dead_worker_is_reported_and_replaced(cluster):
    with ProcessExecutor(1) as executor:
        outcomes = list(executor.map(os._exit, [3]))
        assert isinstance(outcomes[0].error, WorkerCrashed) and outcomes[0].error.exitcode == 3
        assert [o.value() for o in executor.map(abs, [-2])] == [2]
    for executor in (InProcessExecutor(), cluster):  # with a time limit, the sandbox child dies
        (outcome,) = executor.map(os._exit, [4], timeout=10)
        assert isinstance(outcome.error, WorkerCrashed) and outcome.error.exitcode == 4


def test_partitions_are_handed_out_lazily(executor):
    pulled = []

    def source():
        for k in range(100):
            pulled.append(k)
            yield k

    stream = executor.map(abs, source(), ordered=True, window=3)
    first = next(stream)
    assert first.value() == 0
    assert len(pulled) <= 4  # the window, plus the one that found it full
    stream.close()


@pytest.mark.parametrize(
    ("spec", "kind", "name"),
    [
        ("in-process", InProcessExecutor, "in-process"),
        ("processes:3", ProcessExecutor, "processes:3"),
        ("local:2", DaskExecutor, "local:2"),
        ("tcp://10.0.0.5:8786", DaskExecutor, "tcp://10.0.0.5:8786"),
        ("scheduler.example.org:8786", DaskExecutor, "scheduler.example.org:8786"),
    ],
)
def test_scheduler_specs(spec, kind, name):
    executor = open_executor(spec)
    assert isinstance(executor, kind) and executor.name == name


def test_no_spec_reads_the_environment_then_defaults(monkeypatch):
    monkeypatch.delenv("ACCORD_SCHEDULER", raising=False)
    default = open_executor(None, default_workers=3)
    assert isinstance(default, ProcessExecutor) and default.n_workers == 3
    monkeypatch.setenv("ACCORD_SCHEDULER", "in-process")
    assert isinstance(open_executor(None), InProcessExecutor)


@pytest.mark.parametrize("spec", ["local:0", "processes:two", "nonsense"])
def test_bad_specs_are_one_line_errors(spec):
    with pytest.raises(ConfigError, match="cheduler"):
        open_executor(spec)


def test_a_scheduler_without_workers_is_a_clear_error():
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, dashboard_address=None) as empty:
        executor = DaskExecutor(empty.scheduler_address, worker_timeout_s=1)
        with pytest.raises(ExecutionError, match="No worker joined") as error:
            _ = executor.client
        assert f"dask worker {empty.scheduler_address}" in error.value.hint
        executor.close()


def test_workers_reached_by_address_run_this_accord(cluster):
    cluster.client.wait_for_workers(2)  # a worker killed by an earlier test is back
    remote = DaskExecutor(cluster.client.scheduler.address)
    try:
        assert remote.n_workers == 2  # connected: the workers passed the version check
    finally:
        remote.close()
    assert version_mismatches({"tcp://a:1": __version__}, __version__) == {}
    found = version_mismatches(
        {"tcp://b:1": "0.0.1", "tcp://a:1": __version__, "tcp://c:1": KeyError("x")}, __version__
    )
    assert list(found) == ["tcp://b:1", "tcp://c:1"] and found["tcp://b:1"] == "0.0.1"


def test_a_partition_that_kills_every_worker_is_one_crash_for_the_caller():
    import dask

    no_retries = dask.config.set({"distributed.scheduler.allowed-failures": 0})
    with no_retries, DaskExecutor(None, n_workers=1) as executor:
        (outcome,) = executor.map(os._exit, [5])  # no time limit: the worker itself dies
        assert isinstance(outcome.error, WorkerCrashed)
        assert str(outcome.error).startswith("every worker that ran it died (1 in all)")
        assert [o.value() for o in executor.map(abs, [-3])] == [3]  # a new worker took over
