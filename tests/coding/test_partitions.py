"""Coding reads pending passages page by page and saves one transaction per partition: a run
killed at any point leaves whole partitions, and a re-run completes the store exactly."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import accord
from accord.config import load_settings
from accord.store import coding_store
from fixtures.corpora import write_corpus

SRC = str(accord.__file__).rsplit("/accord/", 1)[0]


def ingested(tmp_path, n_documents=30, n_paragraphs=40):
    corpus = write_corpus(tmp_path / "corpus", n_documents, n_paragraphs)
    path = tmp_path / "base.db"
    with accord.open_store(path) as store:  # closed: the file is whole, ready to be copied
        accord.ingest(store, corpus, scheduler="in-process")
    return path


def test_pending_passages_come_in_pages_in_reading_order(tmp_path):
    store = accord.open_store(ingested(tmp_path, 4, 30))
    every = [p.id for p in store.iter_passages()]
    pages = list(coding_store.iter_pending(store, "digest", "rules.v1", 50))
    assert [len(page) for page in pages[:-1]] == [50] * (len(pages) - 1)
    assert [u.unit.id for page in pages for u in page] == every
    assert coding_store.count_pending(store, "digest", "rules.v1") == len(every)


def coding_state(path) -> list:
    db = sqlite3.connect(path)
    try:
        return [
            db.execute(
                "SELECT passage_id, dimension, category, score, method, evidence FROM assignments"
                " ORDER BY passage_id, dimension, category"
            ).fetchall(),
            db.execute(
                "SELECT passage_id, text_hash FROM coded_passages ORDER BY passage_id"
            ).fetchall(),
        ]
    finally:
        db.close()


CODE = (
    "import accord, sys\n"
    "from accord.config import load_settings\n"
    "accord.code(sys.argv[1], coder='trained', scheduler='in-process',\n"
    "            settings=load_settings(coding={'batch_size': 100}))\n"
)


def test_kill_during_coding_then_resume(tmp_path):
    base = ingested(tmp_path)
    with accord.open_store(base) as store:
        total = coding_store.count_current_passages(store)
    killed, clean = tmp_path / "killed.db", tmp_path / "clean.db"
    shutil.copy(base, killed)
    shutil.copy(base, clean)
    env = {"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-c", CODE, str(killed)], env=env)
    deadline, partial = time.time() + 120, 0
    while time.time() < deadline and process.poll() is None:
        db = sqlite3.connect(killed, timeout=5)
        partial = db.execute("SELECT count(*) FROM coded_passages").fetchone()[0]
        db.close()
        if partial >= 200:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "coding finished before it could be killed"
    assignments, coded = coding_state(killed)
    assert 0 < len(coded) < total and len(coded) % 100 == 0  # whole partitions only
    assert {row[0] for row in assignments} <= {row[0] for row in coded}
    settings = load_settings(coding={"batch_size": 100})
    resumed = accord.code(killed, coder="trained", settings=settings, scheduler="in-process")
    assert resumed.n_coded == total - len(coded)
    accord.code(clean, coder="trained", settings=settings, scheduler="in-process")
    assert coding_state(killed) == coding_state(clean)
