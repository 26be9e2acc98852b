"""Ingest end to end on generated corpora, including every kind of bad input."""

from __future__ import annotations

import csv
import json
import os
import shutil

import pytest

import accord
from accord.config import load_settings
from conftest import write_pdf
from fixtures.texts import COOPERATION, DEFENCE, EDUCATION, HEALTH, TRADE


def reasons(report) -> dict[str, str]:
    return {
        os.path.basename(s.source.split("#")[0]) if "#" not in s.source else s.source: s.reason
        for s in report.skipped
    }


def test_tiny_corpus_ingests_all_formats(store, tiny_corpus):
    report = accord.ingest(store, tiny_corpus)
    assert len(report.added) == 5 and not report.skipped
    docs = {r["key"]: r for r in store.current_documents()}
    assert {d["format"] for d in docs.values()} == {"pdf", "docx", "html", "txt", "md"}
    assert docs["health"]["institution_id"] == "who"
    # Both spellings of UNESCO resolve to one institution.
    assert docs["schools"]["institution_id"] == docs["climate"]["institution_id"] == "unesco"
    assert json.loads(docs["trade"]["meta"]) == {"source_note": "written for tests"}
    assert docs["health"]["language"] == "en"


def test_pdf_headers_gone_and_pages_right(store, tmp_path):
    write_pdf(tmp_path / "b.pdf", [[HEALTH], [EDUCATION], [DEFENCE], [TRADE]])
    accord.ingest(store, tmp_path / "b.pdf")
    (doc,) = store.current_documents()
    passages = store.passages_of(doc["id"])
    text = " ".join(p.text for p in passages)
    assert "Working Draft" not in text
    assert not any(p.text.strip().isdigit() for p in passages)
    by_page = {p.page_start: p.text for p in passages}
    assert "qualified doctor" in by_page[1]
    assert "recommendation systems" in by_page[2]
    assert "autonomous weapon" in by_page[3]
    assert "medium-sized" in by_page[4]
    assert doc["flags"] == '["no-manifest-row", "unknown-organisation"]'
    assert doc["institution_id"] == "unknown"


def test_rerun_changes_nothing_and_changed_file_is_new_version(store, tiny_corpus):
    accord.ingest(store, tiny_corpus)
    before = store.db.execute("SELECT id, key, version FROM documents ORDER BY id").fetchall()
    again = accord.ingest(store, tiny_corpus)
    assert again.unchanged == 5 and not again.added
    assert (
        store.db.execute("SELECT id, key, version FROM documents ORDER BY id").fetchall() == before
    )
    (tiny_corpus / "weapons.txt").write_text(DEFENCE + "\n\n" + HEALTH, "utf-8")
    third = accord.ingest(store, tiny_corpus)
    assert len(third.new_versions) == 1
    rows = store.db.execute(
        "SELECT version, is_current FROM documents WHERE key='weapons' ORDER BY version"
    ).fetchall()
    assert [tuple(r) for r in rows] == [(1, 0), (2, 1)]
    assert store.count_documents() == 5


def test_identical_file_stored_once(store, tiny_corpus):
    shutil.copy(tiny_corpus / "weapons.txt", tiny_corpus / "weapons-copy.txt")
    report = accord.ingest(store, tiny_corpus)
    assert reasons(report) == {"weapons-copy.txt": "duplicate-file"}
    assert store.count_documents() == 5


def test_every_bad_input_is_skipped_with_its_reason(store, tmp_path):
    from fpdf import FPDF
    from PIL import Image

    root = tmp_path / "bad"
    root.mkdir()
    (root / "good.txt").write_text(COOPERATION, "utf-8")
    (root / "corrupt.pdf").write_bytes(b"%PDF-1.5\n%garbage that is not a pdf")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="locked")
    pdf.set_encryption(owner_password="o", user_password="u")
    pdf.output(str(root / "encrypted.pdf"))
    scan = FPDF()
    scan.add_page()
    scan.image(Image.new("RGB", (200, 200), "black"), x=20, y=20, w=80)
    scan.output(str(root / "scanned.pdf"))
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (root / "sheet.xlsx").write_bytes(b"PK\x03\x04 not really")
    (root / "huge.txt").write_text(TRADE * 400, "utf-8")
    os.mkfifo(root / "stuck.txt")  # opening a pipe with no writer blocks: a parser that hangs
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "organisation", "title", "year"])
        writer.writerow(["bad/good.txt", "OECD", "Good", "2020"])
        writer.writerow(["bad/missing.pdf", "OECD", "Missing", "2021"])
        writer.writerow(["bad/good.txt", "OECD", "Bad year", "20x4"])
    settings = load_settings(ingest={"max_file_mb": 0.05, "file_timeout_s": 3})
    report = accord.ingest(store, root, manifest=manifest, settings=settings)
    found = {os.path.basename(s.source): s.reason for s in report.skipped}
    assert found == {
        "corrupt.pdf": "pdf-corrupt",
        "encrypted.pdf": "pdf-encrypted",
        "scanned.pdf": "needs-ocr",
        "empty.txt": "empty-file",
        "binary.txt": "binary-file",
        "sheet.xlsx": "unsupported-format",
        "huge.txt": "oversized",
        "stuck.txt": "timeout",
        "missing.pdf": "missing-file",
        "manifest.csv#row4": "bad-manifest-row",
    }
    bad_row = next(s for s in report.skipped if s.reason == "bad-manifest-row")
    assert bad_row.row == 4 and "row 4" in bad_row.message and "20x4" in bad_row.message
    assert len(report.added) == 1
    stored = {(s.source.rsplit("/", 1)[-1], s.reason) for s in store.skipped()}
    assert ("stuck.txt", "timeout") in stored and len(stored) == 10


def test_near_duplicates_flagged_not_dropped(store, tmp_path):
    shared = " ".join([HEALTH, EDUCATION, DEFENCE, TRADE, COOPERATION])
    (tmp_path / "edition-2019.txt").write_text(shared, "utf-8")
    (tmp_path / "edition-2024.txt").write_text(
        shared + " A new closing clause was added in 2024.", "utf-8"
    )
    report = accord.ingest(store, tmp_path)
    assert len(report.added) == 2
    ((_, _, containment, _),) = report.near_duplicates
    assert containment > 0.9


def test_near_duplicates_rebuilt_when_a_killed_run_left_them_out(store, tmp_path):
    """A run killed after storing its last document never built them; the next run, which
    finds every file unchanged, must (issue 11, item 5)."""
    shared = " ".join([HEALTH, EDUCATION, DEFENCE, TRADE, COOPERATION])
    (tmp_path / "edition-2019.txt").write_text(shared, "utf-8")
    (tmp_path / "edition-2024.txt").write_text(shared + " A closing clause.", "utf-8")
    accord.ingest(store, tmp_path)
    store.replace_near_duplicates([])  # the state a kill before the refresh leaves
    again = accord.ingest(store, tmp_path)
    assert not again.added and len(again.near_duplicates) == 1


def test_manifest_only_url_rows_ask_for_collect(store, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("url,organisation,title,year\nhttp://127.0.0.1:9/x.pdf,OECD,X,2020\n")
    report = accord.ingest(store, manifest=manifest)
    assert [s.reason for s in report.skipped] == ["not-downloaded"]


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_yaml_and_csv_manifests(store, tmp_path, suffix):
    (tmp_path / "a.txt").write_text(HEALTH, "utf-8")
    if suffix == ".yaml":
        text = "documents:\n  - path: a.txt\n    organisation: WHO\n    title: A\n    year: 2020\n"
    else:
        text = "path,organisation,title,year\na.txt,WHO,A,2020\n"
    (tmp_path / f"manifest{suffix}").write_text(text)
    report = accord.ingest(store, manifest=tmp_path / f"manifest{suffix}")
    assert len(report.added) == 1
    (doc,) = store.current_documents()
    assert (doc["institution_id"], doc["year"], doc["title"]) == ("who", 2020, "A")
