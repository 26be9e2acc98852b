"""The contract every coder keeps, as a reusable check (in the spirit of scikit-learn's
``check_estimator``): deterministic output, evidence inside the passage, scores in [0, 1],
only codebook ids, exactly one label on single-choice dimensions, nothing for empty text."""

from __future__ import annotations

from collections.abc import Sequence

from accord.model.coding import CodingUnit, UnitCoding

SAMPLE_TEXTS = (
    "Member States shall ensure that hospitals using artificial intelligence for diagnosis "
    "keep a qualified doctor responsible for every decision.",
    "The Assembly encourages international cooperation on capacity building so that "
    "developing countries can share in the benefits of research.",
    "Recalling its earlier resolutions on autonomous weapon systems and the security risks "
    "they raise for international peace.",
    "The report describes how schools and universities are using chatbots.",
    "",
    "   ",
)


def check_coder(coder, texts: Sequence[str] = SAMPLE_TEXTS) -> None:
    """Raise AssertionError naming the first broken rule of the coder contract."""
    units = [CodingUnit(f"u{k}", text, "report") for k, text in enumerate(texts)]
    first, second = coder.code(units), coder.code(units)
    assert [_key(c) for c in first] == [_key(c) for c in second], "output is not deterministic"
    assert [c.unit_id for c in first] == [u.id for u in units], "one coding per unit, in order"
    ids = coder.codebook.ids
    for unit, coding in zip(units, first, strict=True):
        if not unit.text.strip():
            assert not coding.assignments and not coding.scores, (
                f"{unit.id}: something was coded in an empty passage"
            )
            continue
        for assignment in coding.assignments:
            assert assignment.dimension in ids, f"unknown dimension {assignment.dimension}"
            assert assignment.category in ids[assignment.dimension], (
                f"unknown category {assignment.category}"
            )
            assert 0.0 <= assignment.score <= 1.0, f"score {assignment.score} outside [0, 1]"
            for evidence in assignment.evidence:
                assert 0 <= evidence.char_start <= evidence.char_end <= len(unit.text), (
                    f"evidence {evidence} outside the passage"
                )
        for dimension, scores in coding.scores.items():
            assert all(0.0 <= s <= 1.0 for s in scores.values()), f"{dimension} score range"
            assert set(scores) <= set(ids[dimension]), f"{dimension}: unknown scored ids"
        for dimension in coder.codebook.dimensions:
            if dimension.selection == "single":
                chosen = [a for a in coding.assignments if a.dimension == dimension.id]
                assert len(chosen) == 1, f"{unit.id}: {dimension.id} needs exactly one label"


def _key(coding: UnitCoding) -> tuple:
    return (
        coding.unit_id,
        coding.assignments,
        sorted((d, sorted(s.items())) for d, s in coding.scores.items()),
    )
