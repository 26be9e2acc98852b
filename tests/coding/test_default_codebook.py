"""Golden tests of the default codebook on passages written for these tests: the labels a
reader would give, and the evidence spans that justify them."""

from __future__ import annotations

import pytest

from accord.coding.codebooks import load_codebook
from accord.coding.rules import RulesCoder
from accord.model.coding import CodingUnit

CASES = [
    (
        "Ministries of health should set up national registries of AI tools used in hospitals "
        "and require that clinicians review every automated diagnosis.",
        "guidance",
        {"domain": ["health"], "force": ["recommendation"]},
        {"domain": "health"},
    ),
    (
        "Member States shall designate a national supervisory authority responsible for "
        "enforcing the prohibitions laid down in this Regulation.",
        "regulation",
        {"approach": ["regulatory"], "force": ["binding"]},
        {},
    ),
    (
        "Recalling its resolution on lethal autonomous weapons systems, and concerned about "
        "the risk of an arms race,",
        "resolution",
        {
            "domain": ["defence_military"],
            "security": ["security_sensitive"],
            "force": ["descriptive"],
        },
        {"security": "security_sensitive"},
    ),
    (
        "The Assembly encourages Member States and international organisations to cooperate "
        "on capacity-building programmes that help developing countries close the digital "
        "divide.",
        "resolution",
        {"cooperation": ["international_cooperation"], "force": ["recommendation"]},
        {},
    ),
    (
        "Teachers and students in secondary schools need training to understand how "
        "generative tools produce text and where they fail.",
        "report",
        {"domain": ["education"]},
        {"domain": "education"},
    ),
    (
        "The Security Council met on Tuesday to adopt its programme of work for the month.",
        "report",
        {"security": [], "domain": [], "force": ["descriptive"]},
        {},
    ),
    (
        "Signatories commit to publishing a summary of the content used to train their "
        "general-purpose models.",
        "code_of_conduct",
        {"force": ["recommendation"]},
        {},
    ),
]


@pytest.fixture(scope="module")
def coder() -> RulesCoder:
    return RulesCoder(load_codebook())


@pytest.mark.parametrize(
    ("text", "document_type", "expected", "spans"),
    CASES,
    ids=[f"case{k}" for k in range(len(CASES))],
)
def test_golden_passages(coder, text, document_type, expected, spans):
    (coding,) = coder.code([CodingUnit("p", text, document_type)])
    labels = coding.labels()
    for dimension, categories in expected.items():
        got = labels.get(dimension, [])
        if categories:
            assert set(categories) <= set(got), f"{dimension}: {got}"
        else:
            assert got == [], f"{dimension}: {got}"
    for dimension, category in spans.items():
        (assignment,) = [
            a for a in coding.assignments if (a.dimension, a.category) == (dimension, category)
        ]
        assert assignment.evidence, "a rule label always cites its cue"
        for evidence in assignment.evidence:
            assert text[evidence.char_start : evidence.char_end].strip()


def test_reference_list_gets_no_codes(coder):
    text = (
        "Smith, J. (2021). Machine learning in hospitals. Journal of Health Policy, vol. 12, "
        "pp. 40-52. Lee, K. et al. (2019). Schools and algorithms. Education Review, doi "
        "10.1000/x. Brown, A. (2020). Military uses of AI. Defence Quarterly, pp. 3-9."
    )
    (coding,) = coder.code([CodingUnit("p", text, "report")])
    assert coding.labels() == {"force": ["descriptive"]}
    assert coding.assignments[0].evidence[0].trigger.startswith("non-substantive")
