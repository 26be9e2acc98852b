"""Gold files in every layout, resolved and scored; samples for people to code."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

import accord
from accord.errors import ValidationDataError
from accord.validation.samples import draw_sample, write_sample

CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"


def test_jsonl_gold_with_spans_and_two_coders(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    text = (
        "Hospitals shall keep records.\n\nThe Security Council met.\n\n"
        "States should limit autonomous weapons."
    )
    (corpus / "texts" / "doc.txt").write_text(text, "utf-8")
    (corpus / "manifest.csv").write_text("id,path,document_type\ndoc,texts/doc.txt,report\n")
    spans = [(0, 29), (31, 56), (58, len(text))]
    records = []
    for k, (start, end) in enumerate(spans):
        reference = {
            "id": f"g{k}",
            "document_id": "doc",
            "char_start": start,
            "char_end": end,
            "text_sha256": hashlib.sha256(text[start:end].encode()).hexdigest(),
        }
        domain = [["health"], [], ["defence_military"]][k]
        records.append({**reference, "coder": "one", "labels": {"domain": domain}})
        if k < 2:
            records.append({**reference, "coder": "two", "labels": {"domain": domain}})
    records.append(
        {
            "id": "gone",
            "document_id": "doc",
            "char_start": 0,
            "char_end": 5,
            "text_sha256": "0" * 64,
            "labels": {"domain": []},
        }
    )
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    report = accord.validate(gold, codebook=CODEBOOK, coder="rules", corpus=corpus)
    assert report.n_items == 3
    assert [(s.source, s.reason) for s in report.skipped] == [("gone", "text-changed")]
    domain = report.dimensions["domain"]
    assert domain["accord"]["micro"]["f1"] == 1.0
    assert domain["n_double_coded"] == 2 and domain["humans"]["exact_match"] == 1.0


def test_csv_long_and_wide_layouts(tmp_path, store, tiny_corpus):
    accord.ingest(store, tiny_corpus)
    accord.code(store, CODEBOOK, coder="rules")
    passages = list(store.iter_passages())
    long = tmp_path / "long.csv"
    with long.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["passage_id", "dimension", "labels", "coder"])
        for passage in passages[:4]:
            writer.writerow([passage.id, "domain", "health;defence_military", "ann"])
    report = accord.validate(long, store=store, codebook=CODEBOOK, coder="rules")
    assert report.dimensions["domain"]["accord"]["n_items"] == 4
    from accord.coding.codebooks import load_codebook
    from accord.store.coding_store import latest_coding

    rows = draw_sample(store, load_codebook(CODEBOOK), 6, coding=latest_coding(store))
    assert len(rows) == 6 and rows[0]["domain"] == ""
    rows[0]["domain"], rows[1]["domain"] = "health", "none"
    wide = tmp_path / "sample.csv"
    write_sample(rows, wide)
    report = accord.validate(wide, store=store, codebook=CODEBOOK, coder="rules")
    assert report.n_items == 2  # rows left empty were not coded by anyone
    stored = store.db.execute("SELECT count(*) FROM validation_results").fetchone()[0]
    assert stored == 2


def test_unknown_ids_are_refused(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "x", "text": "t", "labels": {"domain": ["space"]}}))
    with pytest.raises(ValidationDataError, match=r"unknown domain id\(s\) space"):
        accord.validate(gold, codebook=CODEBOOK, coder="rules")
