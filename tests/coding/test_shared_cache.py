"""Vectors are cached per user and shared across stores: a second store of the same corpus
embeds nothing (the model is never even imported)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import accord
from accord.coding.embedding import is_available

SRC = str(accord.__file__).rsplit("/accord/", 1)[0]
CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"
SCRIPT = """
import sys, accord
accord.ingest(sys.argv[1], sys.argv[2])
accord.code(sys.argv[1], sys.argv[3], coder="embedding", scheduler="in-process")
print("torch imported" if "torch" in sys.modules else "torch not imported")
"""


def code_in_fresh_process(store, corpus, cache_dir) -> str:
    env = {**os.environ, "PYTHONPATH": SRC, "ACCORD_CACHE_DIR": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(store), str(corpus), str(CODEBOOK)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def assignments(store) -> list[tuple]:
    db = sqlite3.connect(store)
    try:
        return db.execute(
            "SELECT passage_id, dimension, category, score, evidence FROM assignments"
            " ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.skipif(not is_available(), reason="the 'embed' extra is not installed")
def test_a_second_store_of_the_same_corpus_embeds_nothing(tmp_path, tiny_corpus):
    cache = tmp_path / "user-cache"
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert code_in_fresh_process(first, tiny_corpus, cache) == "torch imported"
    assert code_in_fresh_process(second, tiny_corpus, cache) == "torch not imported"
    assert assignments(first) and assignments(first) == assignments(second)
    db = sqlite3.connect(cache / "vectors.sqlite")
    n_vectors = db.execute("SELECT count(*) FROM vectors").fetchone()[0]
    db.close()
    n_passages = sqlite3.connect(first).execute("SELECT count(*) FROM passages").fetchone()[0]
    assert n_vectors > n_passages  # the passages and the codebook's prototypes
