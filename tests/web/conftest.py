"""The stores the explorer tests serve: the tiny fixture corpus (with its hostile document)
and the packaged demo corpus, each built once per session."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

import accord
from fixtures.report_corpus import analyse_tiny

DEMO_CORPUS = Path(str(files("accord") / "data" / "demo"))


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny corpus ingested, coded and analysed (never written to by tests: copy it)."""
    root = tmp_path_factory.mktemp("explorer")
    analyse_tiny(root)[0].close()
    return root / "accord.db"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store `make demo` builds: `accord run` over the packaged demo corpus (20-40 s)."""
    root = tmp_path_factory.mktemp("demo")
    with accord.open_store(root / "accord.db") as store:
        accord.run(DEMO_CORPUS, store=store, out=root / "demo-output")
    return root / "accord.db"
