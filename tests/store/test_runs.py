"""Runs and the writer lock, with real processes: a killed run is known as interrupted, a
failed one as failed; one long writer at a time, readers and short writers never wait."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time

import pytest
from typer.testing import CliRunner

import accord
from accord.cli import app
from accord.errors import AccordError
from accord.store.corpus_store import open_store
from accord.store.runs import WAITING_MESSAGE
from fixtures.processes import spawn_holder, start_holder, wait_for_text


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def status(path, run_id) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()[0]
    finally:
        db.close()


def test_a_killed_run_is_interrupted_not_running_forever(tmp_path):
    """Issue 11, item 9: a run killed with SIGKILL stayed `running` in the runs table."""
    path = tmp_path / "s.db"
    open_store(path).close()
    holder, run_id = start_holder(path)
    kill(holder)
    # A reader sees at once that the run's process is gone.
    [shown] = accord.info(path)["interrupted_runs"]
    assert (shown["id"], shown["status"], shown["completed_since"]) == (
        run_id,
        "interrupted",
        False,
    )
    assert shown["pid"] == holder.pid
    # The next writer marks it in the store, and its own completed run follows it.
    with open_store(path) as store:
        started = time.monotonic()
        new_run = store.start_run("ingest")
        assert time.monotonic() - started < 5  # the dead holder's lock is not waited for
        store.finish_run(new_run, {})
    assert status(path, run_id) == "interrupted"
    [shown] = accord.info(path)["interrupted_runs"]
    assert shown["completed_since"] is True


def test_info_shows_interrupted_runs(tmp_path):
    path = tmp_path / "s.db"
    open_store(path).close()
    holder, run_id = start_holder(path)
    kill(holder)
    result = CliRunner().invoke(app, ["--store", str(path), "info"])
    assert result.exit_code == 0, result.output
    assert "Runs that did not finish" in result.output
    assert f"{run_id} interrupted" in result.output
    assert "run `accord ingest` again" in " ".join(result.output.split())


def test_a_run_stopped_by_an_error_is_failed_and_frees_the_lock(tmp_path):
    path = tmp_path / "s.db"
    with open_store(path) as store, pytest.raises(AccordError):
        accord.analyse(store)  # nothing is coded: an error after the run started
    db = sqlite3.connect(path)
    stage, state, stats = db.execute("SELECT stage, status, stats FROM runs").fetchone()
    assert (stage, state) == ("analyse", "failed")
    assert json.loads(stats)["error"].startswith("AnalysisError")
    holder, _ = start_holder(path)  # another process can write straight away
    kill(holder)


def test_a_writer_waits_saying_so_once_and_readers_and_short_writers_never_wait(tmp_path):
    path = tmp_path / "s.db"
    open_store(path).close()
    holder, run_id = start_holder(path)
    log = tmp_path / "waiting.err"
    try:
        with open_store(path) as reader:
            started = time.monotonic()
            assert reader.count_documents() == 0
            # A short single-transaction writer (not a pipeline run) is not held up either.
            with reader.transaction() as db:
                db.execute("INSERT INTO codebooks VALUES ('x', 'n', '1', 'y', 'now')")
            assert time.monotonic() - started < 2
        with log.open("w") as err:
            waiting = spawn_holder(path, stderr=err)
        wait_for_text(log, WAITING_MESSAGE)
        time.sleep(0.5)
        assert waiting.poll() is None  # still waiting, its run not started
        assert [r[0] for r in sqlite3.connect(path).execute("SELECT id FROM runs")] == [run_id]
    finally:
        holder.communicate("done\n", timeout=30)  # the holder finishes its run
    second_run = waiting.stdout.readline().strip()  # and the waiting writer proceeds
    waiting.communicate("done\n", timeout=30)
    assert second_run.startswith("ingest-") and status(path, second_run) == "completed"
    stderr = " ".join(log.read_text().split())
    assert stderr.count(WAITING_MESSAGE) == 1, stderr
    assert run_id in stderr  # it names the run it waits for
    assert status(path, run_id) == "completed"


def test_a_lock_left_by_a_killed_writer_is_recovered(tmp_path):
    path = tmp_path / "s.db"
    open_store(path).close()
    holder, run_id = start_holder(path)
    log = tmp_path / "waiting.err"
    with log.open("w") as err:
        waiting = spawn_holder(path, stderr=err)
    wait_for_text(log, WAITING_MESSAGE)
    kill(holder)
    second_run = waiting.stdout.readline().strip()
    waiting.communicate("done\n", timeout=30)
    assert status(path, second_run) == "completed"
    assert status(path, run_id) == "interrupted"
