"""REFI-QDA: the export validates against the published Project schema, a round trip gives
back the same codes, and a project coded by people in another tool is read for `accord
validate` and `accord train`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from test_report import HERE
from typer.testing import CliRunner

import accord
from accord.analysis.frames import load_coded_corpus
from accord.cli import app
from accord.coding.codebooks import load_codebook
from accord.ingestion.segment import document_text
from accord.validation.gold import load_gold
from accord.validation.training import gold_items
from fixtures.qda import Selection, Source, write_tool_project
from fixtures.texts import DEFENCE, EDUCATION, HEALTH, TRADE
from fixtures.training import training_records, write_training_gold

SCHEMA = Path(__file__).parents[1] / "fixtures" / "schemas" / "Project-mrt2019.xsd"
Q = "{urn:QDA-XML:project:1.0}"
FIXTURE_CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"


def schema():
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


@pytest.fixture(scope="module")
def project(analysed, tmp_path_factory) -> Path:
    store, _ = analysed
    out = tmp_path_factory.mktemp("qdpx") / "coding.qdpx"
    done = CliRunner().invoke(
        app, ["--store", store.path, "export", "--format", "qdpx", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    return out


def test_project_validates_against_the_published_schema(analysed, project):
    store, _ = analysed
    with zipfile.ZipFile(project) as archive:
        names = archive.namelist()
        xml = archive.read("project.qde")
        texts = {n: archive.read(n).decode("utf-8") for n in names if n.startswith("Sources/")}
    schema().validate(xml.decode("utf-8"))  # raises on any violation
    root = ET.fromstring(xml)
    sources = root.findall(f"{Q}Sources/{Q}TextSource")
    assert len(sources) == store.count_documents() == len(texts)
    coder = load_coded_corpus(store).coder
    users = {u.get("guid"): u.get("name") for u in root.iterfind(f"{Q}Users/{Q}User")}
    assert list(users.values()) == [coder]
    dimensions = root.findall(f"{Q}CodeBook/{Q}Codes/{Q}Code")
    assert [d.get("isCodable") for d in dimensions] == ["false"] * len(dimensions)
    assert {c.get("name") for c in dimensions[0].findall(f"{Q}Code")} >= {"Health", "Education"}
    notes = {n.get("guid"): n.findtext(f"{Q}PlainTextContent") for n in root.iter(f"{Q}Note")}
    n_selections = 0
    for source in sources:
        text = texts["Sources/" + source.get("plainTextPath").removeprefix("internal://")]
        values = [v.findtext(f"{Q}TextValue") for v in source.iter(f"{Q}VariableValue")]
        document_id = values[0]
        pages = [p.text for p in store.pages_of(document_id)]
        assert text == document_text(pages)[0], "the source is the document's text"
        for selection in source.iterfind(f"{Q}PlainTextSelection"):
            passage = store.passage(selection.get("name"))
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert (start, end) == (passage.char_start, passage.char_end)
            assert text[start:end] == passage.text
            for coding in selection.iterfind(f"{Q}Coding"):
                assert users[coding.get("creatingUser")] == coder
                note = notes[coding.find(f"{Q}NoteRef").get("targetGUID")]
                assert "score" in note and "evidence" in note
            n_selections += 1
    assert n_selections == 17


def test_same_store_gives_the_same_bytes(analysed, project, tmp_path):
    from accord.report.qdpx import export_qdpx

    store, _ = analysed
    assert export_qdpx(store, tmp_path / "again.qdpx").read_bytes() == project.read_bytes()


def test_a_file_that_is_not_a_project_is_one_line(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a project", encoding="utf-8")
    args = ["validate", str(bad), "--coder", "rules", "--codebook", str(HERE / "codebook.yaml")]
    done = CliRunner().invoke(app, ["--store", str(tmp_path / "none.db"), *args])
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert " ".join(done.output.split()).startswith(f"Error: {bad}: project.qde is not valid XML")


def test_round_trip_gives_back_the_same_codes(analysed, project):
    store, _ = analysed
    corpus = load_coded_corpus(store)
    expected: dict[str, dict[str, list[str]]] = {}
    for passage_id, dimension, category in corpus.labels[
        ["passage_id", "dimension", "category"]
    ].itertuples(index=False):
        expected.setdefault(passage_id, {}).setdefault(dimension, []).append(category)
    for with_store in (store, None):  # the store's passages, or the text cut again
        gold = load_gold(project, corpus.codebook, with_store)
        assert gold.skipped == []
        read = {
            item.id: {d: v for d, v in item.labels[corpus.coder].items() if v}
            for item in gold.items
        }
        assert read == expected
        assert [i.coders for i in gold.items] == [[corpus.coder]] * len(gold.items)


def test_validate_the_exported_project_with_its_own_coder(analysed, project):
    store, _ = analysed
    args = ["--store", store.path, "validate", str(project), "--coder", "rules"]
    done = CliRunner().invoke(app, [*args, "--codebook", str(HERE / "codebook.yaml"), "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["n_items"] == 17 and report["skipped"] == []
    for dimension, result in report["dimensions"].items():
        assert result["accord"]["macro_f1"] == pytest.approx(1.0), dimension


def _tool_project(path: Path) -> Path:
    """Two people coded our paragraphs in a QDA tool, with its own GUIDs and code names."""
    interview = "\n\n".join([HEALTH, EDUCATION, DEFENCE])
    first_sentence = HEALTH.index(".") + 1
    education, defence = interview.index(EDUCATION), interview.index(DEFENCE)
    health_codes = ["Domain/Health", "Governance approach/Regulatory"]
    defence_codes = ["Security-sensitive", "Domain/Defence"]  # a top-level code, by its label
    sources = [
        Source(
            "Interview notes",
            interview,
            [
                Selection(0, first_sentence, health_codes, "alice"),
                Selection(0, len(HEALTH) + 20, ["Domain/Health"], "bob"),
                Selection(len(HEALTH), education, ["Domain/Education"], "alice"),  # blank line
                Selection(
                    education,
                    education + len(EDUCATION),
                    ["Domain/Education", "Interesting quote"],
                    "alice",
                ),
                Selection(defence, len(interview), defence_codes, "alice"),
                Selection(defence + 10, len(interview), ["Domain/Defence"], "bob"),
            ],
        ),
        Source(
            "Workshop",
            TRADE,
            [
                Selection(0, len(TRADE), ["Domain/Trade and industry"], "alice"),
                Selection(0, len(TRADE), ["Domain/Trade and industry"], "bob"),
            ],
            inline=True,
        ),
    ]
    codes = {
        "Domain": ["Health", "Education", "Defence", "Trade and industry"],
        "Governance approach": ["Regulatory"],
        "": ["Security-sensitive", "Interesting quote"],
    }
    return write_tool_project(path, codes, sources)


def test_project_coded_in_another_tool(tmp_path):
    path = _tool_project(tmp_path / "people.qdpx")
    with zipfile.ZipFile(path) as archive:
        schema().validate(archive.read("project.qde").decode("utf-8"))
    codebook = load_codebook(HERE / "codebook.yaml")
    gold = load_gold(path, codebook)
    by_text = {item.reference["text"]: item for item in gold.items}
    health, education, defence = by_text[HEALTH], by_text[EDUCATION], by_text[DEFENCE]
    assert health.labels == {
        "alice": {"domain": ["health"], "approach": ["regulatory"], "security": []},
        "bob": {"domain": ["health"]},
    }
    assert education.labels == {"alice": {"domain": ["education"], "approach": [], "security": []}}
    assert defence.labels["alice"] == {
        "domain": ["defence"],
        "approach": [],
        "security": ["security_sensitive"],
    }
    assert defence.labels["bob"] == {"domain": ["defence"]}
    assert len(gold.items) == 4
    reasons = Counter(s.reason for s in gold.skipped)
    assert reasons == {"unknown-code": 1, "no-passage": 1}
    unknown = next(s for s in gold.skipped if s.reason == "unknown-code")
    assert "Interesting quote" in unknown.message
    report = accord.validate(path, codebook=HERE / "codebook.yaml", coder="rules")
    assert report.dimensions["domain"]["n_double_coded"] == 3
    assert report.dimensions["domain"]["accord"]["categories"]["health"]["support"] == 1


def _training_project(path: Path) -> Path:
    """The training fixture's labelled sentences, coded in a QDA tool: one source per
    document, one selection per sentence."""
    forces = ("binding", "recommendation", "descriptive")
    names = {
        "domain": {"health": "Domain/Health", "defence_military": "Domain/Defence and military"},
        "security": {"security_sensitive": "Security/Security-sensitive"},
        "force": {c: f"Binding force/{c.capitalize()}" for c in forces},
    }
    documents: dict[str, list[dict]] = {}
    for record in training_records():
        documents.setdefault(record["document_id"], []).append(record)
    sources = []
    for document_id, records in sorted(documents.items()):
        text, selections = "", []
        for record in records:
            start = len(text) + (2 if text else 0)
            text = f"{text}\n\n{record['text']}" if text else record["text"]
            codes = [names[d][c] for d, cats in record["labels"].items() for c in cats]
            selections.append(Selection(start, len(text), codes, "coder-a"))
        sources.append(Source(document_id, text, selections))
    codes = {
        "Domain": ["Health", "Defence and military"],
        "Security": ["Security-sensitive"],
        "Binding force": ["Binding", "Recommendation", "Descriptive"],
    }
    return write_tool_project(path, codes, sources)


def test_train_from_a_project_coded_in_another_tool(tmp_path):
    project = _training_project(tmp_path / "training.qdpx")
    jsonl = write_training_gold(tmp_path / "training.jsonl")
    codebook = load_codebook(FIXTURE_CODEBOOK)
    from_project, skipped = gold_items([project], codebook)
    from_jsonl, _ = gold_items([jsonl], codebook)
    assert skipped == 0 and len(from_project) == len(from_jsonl) == len(training_records())

    def content(items):
        return sorted((i.text, json.dumps(i.labels[i.coders[0]], sort_keys=True)) for i in items)

    assert content(from_project) == content(from_jsonl)
    out = tmp_path / "model"
    args = ["train", str(project), "--codebook", str(FIXTURE_CODEBOOK), "--out", str(out)]
    done = CliRunner().invoke(app, [*args, "--min-positives", "4", "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["n_items"] == len(from_jsonl) and report["n_documents"] == 8
    assert (out / "codebook.yaml").is_file()
