"""Two ingests of one corpus into one store at once, as two real processes (issue 11, item
11: one crashed with `IntegrityError: UNIQUE constraint failed: documents.sha256`)."""

from __future__ import annotations

import sqlite3
import subprocess

from accord.store.runs import WAITING_MESSAGE
from fixtures.processes import (
    corpus_state,
    ingest_command,
    make_corpus,
    start_holder,
    wait_for_text,
)

N_DOCUMENTS = 30


def test_two_ingests_at_once_serialise_without_crash_or_lost_rows(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", N_DOCUMENTS, paragraphs=10)
    shared, clean = tmp_path / "shared.db", tmp_path / "clean.db"
    # A writer holds the store while both ingests start, so that they surely overlap: both
    # plan their work, then contend for the lock when the holder finishes.
    holder, holder_run = start_holder(shared)
    logs = [tmp_path / "first.err", tmp_path / "second.err"]
    ingests = []
    for log in logs:
        with log.open("w") as err:
            ingests.append(subprocess.Popen(ingest_command(shared, corpus), stderr=err))
    for log in logs:
        wait_for_text(log, WAITING_MESSAGE)
    holder.communicate("done\n", timeout=30)
    for process in ingests:
        process.wait(timeout=300)
    errors = [log.read_text() for log in logs]
    assert [p.returncode for p in ingests] == [0, 0], errors
    assert [" ".join(e.split()).count(WAITING_MESSAGE) for e in errors] == [1, 1], errors
    subprocess.run(ingest_command(clean, corpus), check=True)
    assert corpus_state(shared) == corpus_state(clean)
    db = sqlite3.connect(shared)
    runs = db.execute("SELECT id, status, stats FROM runs ORDER BY started_at, id").fetchall()
    assert [r[1] for r in runs] == ["completed"] * 3
    stats = sorted(r[2] for r in runs if r[0] != holder_run)
    # One ingest added everything; the other, which waited for it, found it all unchanged.
    assert f'"added": {N_DOCUMENTS}' in "".join(stats) and f'"unchanged": {N_DOCUMENTS}' in (
        "".join(stats)
    )
