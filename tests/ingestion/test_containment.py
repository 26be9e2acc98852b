"""Nothing is read from outside the corpus folder unless asked; symlink loops and folders
named like documents are skipped with their reasons (issue 11, items 1, 7 and 10)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

import accord
from accord.config import load_settings
from fixtures.texts import DEFENCE, HEALTH

HEADER = ["path", "organisation", "title", "year"]


def write_manifest(folder: Path, paths: list[str]) -> Path:
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for n, path in enumerate(paths):
            writer.writerow([path, "OECD", f"Document {n}", "2024"])
    return manifest


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (corpus / "inside.txt").write_text(HEALTH, "utf-8")
    (outside / "secret.txt").write_text(DEFENCE, "utf-8")
    return corpus, outside


def reasons(report) -> dict[str, str]:
    return {s.source: s.reason for s in report.skipped}


def test_manifest_rows_outside_the_folder_are_skipped_alike_whether_or_not_they_exist(
    store, layout
):
    corpus, outside = layout
    manifest = write_manifest(
        corpus,
        ["inside.txt", "../outside/secret.txt", str(outside / "secret.txt"), "../../etc/nope"],
    )
    report = accord.ingest(store, manifest=manifest)
    assert report.n_ingested == 1
    skipped = sorted((s.row, s.reason) for s in report.skipped)
    assert [reason for _, reason in skipped] == ["outside-corpus"] * 3
    texts = " ".join(p.text for p in store.iter_passages())
    assert "autonomous weapon" not in texts


def test_symlinks_pointing_outside_are_skipped_unless_allowed(store, layout, tmp_path):
    corpus, outside = layout
    (corpus / "link.txt").symlink_to(outside / "secret.txt")
    report = accord.ingest(store, corpus)
    assert "outside-corpus" in reasons(report).values()
    assert report.n_ingested == 1
    allowed = load_settings(None, ingest={"allow_outside": True})
    with accord.open_store(tmp_path / "second.db") as second:
        again = accord.ingest(second, corpus, settings=allowed)
        assert again.n_ingested == 2


def test_a_symlink_loop_is_skipped_and_the_run_goes_on(store, layout):
    corpus, _ = layout
    loop = corpus / "loop.txt"
    os.symlink(loop, loop)  # a link to itself
    report = accord.ingest(store, corpus)
    assert report.n_ingested == 1
    assert "symlink-loop" in reasons(report).values()


def test_a_folder_named_like_a_document_is_listed_as_skipped(store, layout):
    corpus, _ = layout
    (corpus / "annex.pdf").mkdir()
    report = accord.ingest(store, corpus)
    assert reasons(report).get(str(corpus / "annex.pdf")) == "is-a-directory"
    assert report.n_ingested == 1


def test_a_copy_without_manifest_row_keeps_the_manifest_metadata(store, layout, tmp_path):
    """Issue 11, item 8: inferred metadata never overwrites a manifest's."""
    corpus, _ = layout
    manifest = write_manifest(corpus, ["inside.txt"])
    accord.ingest(store, manifest=manifest)
    copies = tmp_path / "copies"
    copies.mkdir()
    (copies / "inside-copy.txt").write_bytes((corpus / "inside.txt").read_bytes())
    report = accord.ingest(store, copies)
    (row,) = store.db.execute("SELECT organisation, year, title FROM documents").fetchall()
    assert tuple(row) == ("OECD", 2024, "Document 0")
    assert reasons(report).get(str(copies / "inside-copy.txt")) == "metadata-kept"
