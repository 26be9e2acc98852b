"""The same corpus gives byte-identical stores and analysis tables whether the work runs in
this process, in local worker processes or on a Dask cluster (a real LocalCluster of two
worker processes), and a worker killed mid-run loses nothing and writes nothing twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

import accord
from accord.config import load_settings
from accord.parallel import DaskExecutor, InProcessExecutor, ProcessExecutor
from fixtures.corpora import write_corpus

SETTINGS = {
    "coding": {"batch_size": 100},
    "analysis": {"bootstrap_resamples": 40, "weight_draws": 40},
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("many") / "corpus", 24, 25)


def store_contents(path: Path) -> dict[str, list]:
    """Everything a run stores except run ids and clock times, in stored (rowid) order."""
    queries = {
        "documents": "SELECT id, key, version, institution_id, title, year, n_passages, n_words,"
        " languages, flags, meta FROM documents ORDER BY rowid",
        "passages": "SELECT id, ordinal, char_start, char_end, text_hash, text FROM passages"
        " ORDER BY rowid",
        "assignments": "SELECT * FROM assignments ORDER BY rowid",
        "coded": "SELECT passage_id, codebook_digest, coder, text_hash FROM coded_passages"
        " ORDER BY rowid",
        "skipped": "SELECT source, reason, message FROM skipped ORDER BY rowid",
    }
    db = sqlite3.connect(path)
    try:
        return {name: db.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        db.close()


def tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_store_and_tables_wherever_the_work_runs(tmp_path, corpus, cluster):
    settings = load_settings(**SETTINGS)
    results = {}
    with ProcessExecutor(2) as processes:
        for name, executor in (
            ("in-process", InProcessExecutor()),
            ("processes", processes),
            ("dask", cluster),
        ):
            accord.run(
                corpus,
                store=tmp_path / f"{name}.db",
                out=tmp_path / name,
                settings=settings,
                scheduler=executor,
            )
            stored = store_contents(tmp_path / f"{name}.db")
            results[name] = stored, tables(tmp_path / name / "tables")
    reference, reference_tables = results["in-process"]
    assert len(reference["passages"]) > 300 and len(reference["assignments"]) > 300
    assert {"domains.csv", "domains.parquet", "evidence.json"} <= set(reference_tables)
    for name in ("processes", "dask"):
        contents, produced = results[name]
        assert contents == reference, name
        assert produced == reference_tables, name


def kill_a_busy_worker(executor: DaskExecutor, started: threading.Event, killed: list) -> None:
    """Once a partition has been saved, kill (SIGKILL) a worker process while it runs one."""
    client = executor.client
    pids = client.run(os.getpid)
    started.wait(60)
    deadline = time.time() + 60
    while time.time() < deadline:
        busy = [address for address, keys in client.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])
            return
        time.sleep(0.005)


def test_a_killed_worker_loses_nothing_and_writes_nothing_twice(tmp_path, corpus, cluster):
    settings = load_settings(**SETTINGS)
    for name in ("reference", "killed"):
        with accord.open_store(tmp_path / f"{name}.db") as store:
            accord.ingest(store, corpus, scheduler="in-process")
    accord.code(tmp_path / "reference.db", settings=settings, scheduler="in-process")
    saved: list[int] = []
    started, killed = threading.Event(), []
    killer = threading.Thread(target=kill_a_busy_worker, args=(cluster, started, killed))
    killer.start()

    def on_progress(done: int, total: int) -> None:
        if done:  # the first call (0 done) announces the total; the others follow each save
            saved.append(done)
        started.set()

    report = accord.code(
        tmp_path / "killed.db", settings=settings, scheduler=cluster, on_progress=on_progress
    )
    killer.join()
    assert killed, "no worker was busy to be killed"
    n_partitions = -(-report.n_coded // 100)
    assert len(saved) == n_partitions  # each partition saved once
    assert saved == sorted(set(saved)) and saved[-1] == report.n_coded == report.n_passages
    assert store_contents(tmp_path / "killed.db") == store_contents(tmp_path / "reference.db")


def test_a_cluster_reached_by_address_is_sent_the_files(tmp_path, corpus, cluster):
    """Workers of a scheduler named by its address may run on machines that do not hold the
    corpus: ingest sends them each file's bytes, and the store is the same as in-process."""
    cluster.client.wait_for_workers(2)  # a worker killed by an earlier test is back
    address = cluster.client.scheduler.address
    with DaskExecutor(address) as remote:
        assert not remote.shares_files and cluster.shares_files
        assert remote.n_workers == 2
        accord.ingest(tmp_path / "remote.db", corpus, scheduler=remote)
    accord.ingest(tmp_path / "here.db", corpus, scheduler="in-process")
    remote_store = store_contents(tmp_path / "remote.db")
    assert remote_store["documents"] and not remote_store["skipped"]
    assert remote_store == store_contents(tmp_path / "here.db")
