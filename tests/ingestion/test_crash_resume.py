"""An ingest killed with SIGKILL leaves a consistent store that a re-run completes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time

from fixtures.processes import corpus_state, ingest_command, make_corpus

N_DOCUMENTS = 80


def test_kill_during_ingest_then_resume(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, N_DOCUMENTS)
    killed_store, clean_store = tmp_path / "killed.db", tmp_path / "clean.db"
    process = subprocess.Popen(ingest_command(killed_store, corpus))
    deadline = time.time() + 60
    partial = 0
    while time.time() < deadline and process.poll() is None:
        try:
            db = sqlite3.connect(killed_store, timeout=1)
            partial = db.execute("SELECT count(*) FROM documents").fetchone()[0]
            db.close()
        except sqlite3.Error:
            partial = 0
        if partial >= 5:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "ingest finished before it could be killed"
    state_after_kill = corpus_state(killed_store)
    assert 0 < len(state_after_kill[0]) < N_DOCUMENTS
    assert state_after_kill[3] == (0,)  # no passage without its document
    subprocess.run(ingest_command(killed_store, corpus), check=True)
    subprocess.run(ingest_command(clean_store, corpus), check=True)
    assert corpus_state(killed_store) == corpus_state(clean_store)
