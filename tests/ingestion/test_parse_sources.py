"""A file's bytes, as ingest sends them to workers on other machines, parse exactly as the
file does, with the same checks."""

from __future__ import annotations

import pytest

from accord.config import IngestSettings
from accord.errors import IngestError
from accord.ingestion.limits import ReadLimits
from accord.ingestion.parse import parse_file
from accord.ingestion.pipeline import _parse_jobs, _Task
from fixtures.corpora import write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("sources") / "corpus", 3, 12)


def test_bytes_parse_as_the_file_does(corpus):
    for path in sorted(corpus.glob("*.md")):
        from_path = parse_file(str(path), "md", 120, 20)
        from_bytes = parse_file(path.read_bytes(), "md", 120, 20)
        assert from_bytes == from_path
        assert from_path.passages


def test_bytes_get_the_checks_files_get():
    with pytest.raises(IngestError) as empty:
        parse_file(b"", "txt", 120, 20)
    assert empty.value.reason == "empty-file"
    with pytest.raises(IngestError) as long:
        parse_file(b"word " * 50, "txt", 120, 20, ReadLimits(max_words=10))
    assert long.value.reason == "oversized"


def test_jobs_carry_paths_or_bytes_as_the_workers_need(corpus):
    paths = sorted(corpus.glob("*.md"))
    to_parse = [(_Task(path, path.name, None), "md") for path in paths]
    shared = [job[0] for job in _parse_jobs(to_parse, IngestSettings(), shares_files=True)]
    sent = [job[0] for job in _parse_jobs(to_parse, IngestSettings(), shares_files=False)]
    assert shared == [str(p) for p in paths]
    assert sent == [p.read_bytes() for p in paths]
