"""An ingest killed with SIGKILL leaves a consistent store that a re-run completes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

from fixtures.texts import PARAGRAPHS

N_DOCUMENTS = 80


def corpus_state(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        docs = db.execute(
            "SELECT sha256, key, version, is_current, n_passages FROM documents ORDER BY sha256"
        ).fetchall()
        passages = db.execute(
            "SELECT id, text, page_start, char_start, char_end FROM passages ORDER BY id"
        ).fetchall()
        fts = db.execute(
            "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH 'doctor'"
        ).fetchone()
        orphans = db.execute(
            "SELECT count(*) FROM passages p LEFT JOIN documents d"
            " ON d.id=p.document_id WHERE d.id IS NULL"
        ).fetchone()
        return [docs, passages, fts, orphans]
    finally:
        db.close()


def make_corpus(root):
    root.mkdir()
    for n in range(N_DOCUMENTS):
        paragraphs = [PARAGRAPHS[(n + k) % len(PARAGRAPHS)] for k in range(40)]
        (root / f"doc-{n:03d}.txt").write_text(
            f"Document {n}\n\n" + "\n\n".join(paragraphs), "utf-8"
        )


def ingest_command(store, corpus):
    return [
        sys.executable,
        "-m",
        "accord",
        "--quiet",
        "--store",
        str(store),
        "ingest",
        str(corpus),
        "--workers",
        "1",
    ]


def test_kill_during_ingest_then_resume(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
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
