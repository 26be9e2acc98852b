"""The documents as references: BibTeX that a BibTeX parser reads back to the same titles and
organisations, and CSL-JSON valid against the published CSL-JSON schema."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import accord
from accord.cli import app
from accord.config import load_settings
from fixtures.texts import EDUCATION, HEALTH, TRADE

SCHEMA = Path(__file__).parents[1] / "fixtures" / "schemas" / "csl-data.json"
AWKWARD_TITLE = "R&D {draft} at 50% — Café_2 #1 $x ~y \\ path"
AWKWARD_ORGANISATION = "Groupe d'études & Co"


@pytest.fixture(scope="module")
def references_store(tmp_path_factory) -> Path:
    """Three documents whose metadata needs escaping, a missing year, a local path as URL."""
    root = tmp_path_factory.mktemp("citations")
    corpus = root / "corpus"
    corpus.mkdir()
    rows = [
        ("a.txt", HEALTH, AWKWARD_ORGANISATION, AWKWARD_TITLE, "2024", "report",
         "https://example.org/r?a=1&b=%20"),
        ("b.txt", EDUCATION, "UNESCO", "Guidance for schools", "", "resolution", "/srv/b.txt"),
        ("c.txt", TRADE, "UNESCO", "Guidance for schools", "2023", "convention", ""),
    ]  # fmt: skip
    with (corpus / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "organisation", "title", "year", "document_type", "url"])
        for path, text, *metadata in rows:
            (corpus / path).write_text(text, encoding="utf-8")
            writer.writerow([path, *metadata])
    store_path = root / "accord.db"
    with accord.open_store(store_path) as store:
        settings = load_settings(ingest={"workers": 1})
        accord.ingest(store, corpus, manifest=corpus / "manifest.csv", settings=settings)
    return store_path


def _export(store_path: Path, fmt: str, out: Path) -> Path:
    args = ["--store", str(store_path), "export", "--format", fmt, "--out", str(out)]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    return out


def test_bibtex_parses_back_to_the_same_metadata(references_store, tmp_path):
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    text = _export(references_store, "bibtex", tmp_path / "refs.bib").read_text("utf-8")
    raw = bibtexparser.parse_string(text)
    assert raw.failed_blocks == [] and len(raw.entries) == 3
    keys = [e.key for e in raw.entries]
    assert len(set(keys)) == 3 and "unesco2023guidance" in keys
    decoded = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    entries = {e.key: e for e in decoded.entries}
    awkward = next(e for e in entries.values() if e.fields_dict.get("year") and e["year"] == "2024")
    assert awkward.entry_type == "techreport"
    assert awkward["title"] == AWKWARD_TITLE
    assert awkward["author"] == AWKWARD_ORGANISATION
    assert raw.entries[keys.index(awkward.key)]["url"] == "https://example.org/r?a=1&b=%20"
    undated = [e for e in entries.values() if "year" not in e.fields_dict]
    assert len(undated) == 1 and "url" not in undated[0].fields_dict  # a path is not cited
    assert {e.entry_type for e in entries.values()} == {"techreport", "misc"}


def test_csl_json_is_valid_against_the_published_schema(references_store, tmp_path):
    import jsonschema_rs

    items = json.loads(_export(references_store, "csl-json", tmp_path).joinpath(
        "documents.csl.json").read_text("utf-8"))  # fmt: skip
    jsonschema_rs.validator_for(json.loads(SCHEMA.read_text("utf-8"))).validate(items)
    assert len(items) == 3 and len({i["id"] for i in items}) == 3
    awkward = next(i for i in items if i["title"] == AWKWARD_TITLE)
    assert awkward["author"] == [{"literal": AWKWARD_ORGANISATION}]
    assert awkward["issued"] == {"date-parts": [[2024]]} and awkward["type"] == "report"
    assert awkward["URL"] == "https://example.org/r?a=1&b=%20"
    assert {i["type"] for i in items} == {"report", "document", "treaty"}
    bib = _export(references_store, "bibtex", tmp_path / "refs.bib").read_text("utf-8")
    assert all(f"{{{i['id']}," in bib for i in items), "the same keys in both files"
