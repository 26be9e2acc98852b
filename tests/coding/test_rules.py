"""The rules coder on a hand-written codebook: cues, weak cues, exclusions, force."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.coding.codebooks import load_codebook
from accord.coding.rules import RulesCoder
from accord.coding.testing import check_coder
from accord.model.coding import CodingUnit

CODEBOOK = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"


@pytest.fixture(scope="module")
def coder() -> RulesCoder:
    return RulesCoder(load_codebook(CODEBOOK))


def code(coder, text, document_type=None):
    (coding,) = coder.code([CodingUnit("p", text, document_type)])
    return coding


def test_conformance(coder):
    check_coder(coder)


def test_strong_cue_with_evidence_span(coder):
    text = "Hospitals will pilot the tool."
    coding = code(coder, text)
    (health,) = [a for a in coding.assignments if a.category == "health"]
    (evidence,) = health.evidence
    assert text[evidence.char_start : evidence.char_end] == "Hospitals"
    assert evidence.trigger == "hospital*"


def test_one_weak_cue_is_not_enough_two_are(coder):
    assert "health" not in code(coder, "The clinic opened.").labels().get("domain", [])
    assert code(coder, "The clinic hired a doctor.").labels()["domain"] == ["health"]
    assert code(coder, "The clinic opened.").scores["domain"]["health"] == 0.5


@pytest.mark.parametrize(
    "text",
    [
        "The Security Council met on Tuesday.",
        "Occupational health and safety rules apply.",
        "Measures to protect public security were announced.",
    ],
)
def test_exclusions(coder, text):
    labels = code(coder, text).labels()
    assert "security_sensitive" not in labels.get("security", [])
    assert "health" not in labels.get("domain", [])


def test_exclusion_only_hides_its_own_category(coder):
    labels = code(coder, "The Security Council discussed weapons.").labels()
    assert labels["security"] == ["security_sensitive"]  # from 'weapons', outside the exclusion
    assert labels["domain"] == ["defence_military"]


def test_force_precedence_leading_cues_and_caps(coder):
    def force(text, document_type=None):
        return code(coder, text, document_type).labels()["force"]

    assert force("Providers shall keep logs and should train staff.") == ["binding"]
    assert force("States should share research.") == ["recommendation"]
    assert force("The report counts projects.") == ["descriptive"]
    assert force("Recalling that States shall respect human rights,") == ["descriptive"]
    assert force("3. Decides to convene a meeting of experts;") == ["binding"]
    assert force("Signatories shall publish a policy.", "code_of_conduct") == ["recommendation"]


def test_case_and_hyphen_variants(coder):
    assert code(coder, "HEALTH-CARE workers").labels()["domain"] == ["health"]
