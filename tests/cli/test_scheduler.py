"""--scheduler (or ACCORD_SCHEDULER) on ingest, code and run: a wrong spec is a one-line error
before any work; a right one gives the same store as the default."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from accord.cli import app

runner = CliRunner()


@pytest.mark.parametrize("command", ["ingest", "code", "run"])
def test_a_wrong_scheduler_is_a_one_line_error(tmp_path, tiny_corpus, command):
    args = {
        "ingest": ["ingest", str(tiny_corpus)],
        "code": ["code"],
        "run": ["run", str(tiny_corpus)],
    }
    store = tmp_path / "a.db"
    if command == "code":
        assert (
            runner.invoke(
                app, ["--quiet", "--store", str(store), "ingest", str(tiny_corpus)]
            ).exit_code
            == 0
        )
    result = runner.invoke(
        app, ["--quiet", "--store", str(store), *args[command], "--scheduler", "local:zero"]
    )
    assert result.exit_code == 1
    assert "Scheduler 'local:zero': expected local:N" in result.output
    assert "Traceback" not in result.output


def test_the_environment_names_the_scheduler(tmp_path, tiny_corpus):
    stores = {}
    for name, env in (("default", {}), ("in-process", {"ACCORD_SCHEDULER": "in-process"})):
        store = tmp_path / f"{name}.db"
        for args in (["ingest", str(tiny_corpus)], ["code", "--coder", "rules"]):
            result = runner.invoke(app, ["--quiet", "--store", str(store), *args], env=env)
            assert result.exit_code == 0, result.output
        db = sqlite3.connect(store)
        stores[name] = db.execute(
            "SELECT passage_id, dimension, category, score, evidence FROM assignments"
            " ORDER BY 1, 2, 3"
        ).fetchall()
        db.close()
    assert stores["default"] and stores["default"] == stores["in-process"]
