"""Golden tests of the shipped trained model on passages written for Accord (our own text):
the behaviours the coding guide asks for on the hard cases."""

from __future__ import annotations

import pytest

import accord
from accord.coding.registry import make_coder
from accord.coding.testing import check_coder
from accord.model.coding import CodingUnit

SECTORS = [
    "health",
    "education",
    "finance",
    "agriculture_food",
    "transport_mobility",
    "energy_infrastructure",
]


@pytest.fixture(scope="module")
def coder():
    codebook = accord.load_codebook()
    if codebook.model is None:
        pytest.skip("the default codebook ships no trained model")
    return make_coder("trained", codebook)


def code(coder, text: str, document_type: str = "report") -> dict[str, list[str]]:
    (coding,) = coder.code([CodingUnit("p", text, document_type)])
    return coding.labels()


def test_the_shipped_model_keeps_the_coder_contract(coder):
    check_coder(coder)


def test_sectors_named_as_illustrations_do_not_all_count(coder):
    text = (
        "Artificial intelligence is a general-purpose technology: the same model can be put to "
        "work in health, education, finance, agriculture, transport or energy. For that reason "
        "the principles in this chapter are written for every developer, whatever the sector."
    )
    domains = code(coder, text).get("domain", [])
    assert len(set(domains) & set(SECTORS)) < len(SECTORS), domains


def test_preambular_paragraphs_are_not_binding(coder):
    text = (
        "Recalling its earlier resolutions on science and technology for development, and "
        "noting that States shall cooperate in good faith under the Charter,"
    )
    assert code(coder, text, "resolution")["force"] != ["binding"]


def test_the_security_council_is_not_security(coder):
    text = (
        "The Secretary-General briefed the Security Council and the General Assembly on the "
        "schedule of meetings and on the budget of the Office for the coming year."
    )
    assert "security_sensitive" not in code(coder, text).get("security", [])


def test_autonomous_weapons_are_military_and_security_sensitive(coder):
    text = (
        "States should negotiate a legally binding instrument that prohibits autonomous weapon "
        "systems which select and engage targets without meaningful human control, and that "
        "regulates all other such systems in armed conflict."
    )
    labels = code(coder, text)
    assert "defence_military" in labels.get("domain", [])
    assert labels.get("security") == ["security_sensitive"]


def test_an_operative_article_binds_and_a_voluntary_code_does_not(coder):
    article = (
        "Article 12. Providers of high-risk systems shall keep the logs automatically generated "
        "by their systems for at least six months and shall make them available to the "
        "market surveillance authority on request."
    )
    assert code(coder, article, "regulation")["force"] == ["binding"]
    assert code(coder, article, "code_of_conduct")["force"] != ["binding"]


def test_a_hospital_deployment_is_health(coder):
    text = (
        "The ministry will pilot a triage assistant in three district hospitals; nurses will "
        "check every recommendation and patients may ask for a doctor to review their case."
    )
    assert "health" in code(coder, text).get("domain", [])


def test_empty_and_whitespace_passages_get_nothing(coder):
    codings = coder.code([CodingUnit("a", ""), CodingUnit("b", "   ")])
    assert all(not c.assignments and not c.scores for c in codings)
