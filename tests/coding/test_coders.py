"""Every registered coder keeps the contract; the embedding coder with the real model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import accord
from accord.coding.codebooks import load_codebook
from accord.coding.embedding import EmbeddingCoder, UserCache, is_available
from accord.coding.registry import CODERS, make_coder
from accord.coding.testing import check_coder
from accord.model.coding import CodingUnit

CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"
needs_model = pytest.mark.skipif(not is_available(), reason="the 'embed' extra is not installed")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(CODEBOOK)


NO_EMBEDDING = {"rules.v1", "trained.v1"}


@pytest.mark.parametrize("name", sorted(CODERS))
def test_every_coder_keeps_the_contract(name, codebook, trained_model):
    if name not in NO_EMBEDDING and not is_available():
        pytest.skip("the 'embed' extra is not installed")
    if name == "trained.v1":
        codebook = trained_model[1]  # the test codebook with a model trained for it
    check_coder(make_coder(name, codebook))


@needs_model
def test_embedding_evidence_names_exemplar_and_sentence(codebook):
    text = (
        "The committee met twice. Doctors in rural clinics will use the model to read "
        "scans of patients. The budget was approved."
    )
    (coding,) = EmbeddingCoder(codebook).code([CodingUnit("p", text)])
    evidence = coding_evidence(coding, "domain", "health")
    assert evidence[0].trigger.startswith(("exemplar", "definition"))
    sentence = text[evidence[1].char_start : evidence[1].char_end]
    assert sentence.startswith("Doctors in rural clinics")
    assert coding.scores["domain"]["health"] > coding.scores["domain"]["defence_military"]


def coding_evidence(coding, dimension, category):
    candidates = [
        a for a in coding.assignments if (a.dimension, a.category) == (dimension, category)
    ]
    if candidates:
        return candidates[0].evidence
    pytest.fail(f"{category} not assigned: scores {coding.scores[dimension]}")


@needs_model
def test_vectors_are_cached_by_text_and_model(store, codebook, tiny_corpus, tmp_path):
    accord.ingest(store, tiny_corpus)
    cache = UserCache("test-model", path=str(tmp_path / "vectors.sqlite"))
    coder = EmbeddingCoder(codebook, cache)
    texts = [p.text for p in store.iter_passages()]
    first = coder.vectors(texts)
    assert cache.file.info().models["test-model"] >= len(set(texts))  # and the prototypes
    coder.encoder = None  # a second pass must not need the model at all
    again = coder.vectors(texts)
    assert all((a.vector == b.vector).all() for a, b in zip(first, again, strict=True))


def test_incremental_coding(store, tiny_corpus, codebook):
    accord.ingest(store, tiny_corpus)
    first = accord.code(store, codebook, coder="rules")
    assert first.n_coded == first.n_passages > 0
    assert accord.code(store, codebook, coder="rules").n_coded == 0
    (tiny_corpus / "weapons.txt").write_text(
        "A new paragraph about military drones and weapons testing in armed forces.", "utf-8"
    )
    accord.ingest(store, tiny_corpus)
    assert accord.code(store, codebook, coder="rules").n_coded == 1
    changed = codebook.model_copy(update={"version": "0.2"})
    assert accord.code(store, changed, coder="rules").n_coded == first.n_passages - 2 + 1


def test_classify_round_trip(tmp_path):
    lines = [
        {"id": "a", "text": "Hospitals shall protect patient records."},
        {"id": "b", "text": "The Security Council met."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines), "utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "accord",
            "classify",
            str(source),
            "--coder",
            "rules",
            "--codebook",
            str(CODEBOOK),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["labels"] == {"domain": ["health"], "force": ["binding"]}
    evidence = out[0]["evidence"]["domain"]["health"]
    assert {lines[0]["text"][e["start"] : e["end"]] for e in evidence} == {"Hospitals", "patient"}
    assert out[1]["labels"] == {"force": ["descriptive"]}
    assert (
        accord.classify([lines[0]["text"]], codebook=CODEBOOK, coder="rules")[0]["labels"]
        == out[0]["labels"]
    )
