"""Codebook files: validation errors users see, lint findings, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from accord.coding.codebooks import (
    default_codebook_path,
    dump_codebook,
    lint_codebook,
    load_codebook,
    parse_codebook,
)
from accord.errors import CodebookError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "codebook.yaml"


def edited(change) -> str:
    data = yaml.safe_load(FIXTURE.read_text())
    change(data)
    return yaml.safe_dump(data)


def test_unknown_key_names_file_key_and_fix():
    text = edited(lambda d: d["dimensions"][0]["categories"][0].update(paterns=["x"]))
    with pytest.raises(CodebookError) as info:
        parse_codebook(text, "my.yaml")
    assert info.value.message == (
        "my.yaml: dimension 'domain' > category 'health' > paterns: unknown key (not part of "
        "the codebook format); did you mean 'patterns'?"
    )
    from accord.model.codebook import Category

    allowed = ", ".join(Category.model_fields)  # read from the schema, not a list of ours
    assert f"Allowed keys of a category: {allowed}." in info.value.hint


def test_every_problem_is_shown_each_with_its_place():
    def spoil(d):
        d["versoin"] = d.pop("version")
        d["dimensions"][0]["categories"][0]["paterns"] = ["x"]
        d["dimensions"][1]["selectoin"] = "multi"
        d["dimensions"][2]["categories"][0]["threshold"] = "high"

    with pytest.raises(CodebookError) as info:
        parse_codebook(edited(spoil), "my.yaml")
    lines = info.value.message.splitlines()
    assert lines[0] == "my.yaml: 5 problems:"
    assert "more problem" not in info.value.message
    assert set(lines[1:]) == {
        "  dimension 'domain' > category 'health' > paterns: unknown key (not part of the "
        "codebook format); did you mean 'patterns'?",
        "  dimension 'security' > selectoin: unknown key (not part of the codebook format); "
        "did you mean 'selection'?",
        "  dimension 'force' > category 'binding' > threshold: Input should be a valid number, "
        "unable to parse string as a number (got 'high').",
        "  version: required key is missing.",
        "  versoin: unknown key (not part of the codebook format); did you mean 'version'?",
    }
    assert "keys of a dimension: id, label, description, selection" in info.value.hint
    assert "keys of the codebook's top level: name, version" in info.value.hint


def test_missing_definition():
    text = edited(lambda d: d["dimensions"][0]["categories"][1].pop("definition"))
    with pytest.raises(
        CodebookError,
        match=r"category 'defence_military' > definition: "
        r"required key is missing",
    ):
        parse_codebook(text, "my.yaml")


def test_duplicate_ids_and_bad_default():
    def duplicate(d):
        d["dimensions"][0]["categories"].append(dict(d["dimensions"][0]["categories"][0]))

    with pytest.raises(CodebookError, match="duplicate category id"):
        parse_codebook(edited(duplicate), "my.yaml")
    with pytest.raises(CodebookError, match="default 'nothing' is not one of its categories"):
        parse_codebook(edited(lambda d: d["dimensions"][2].update(default="nothing")), "x")


def test_bad_regex_pattern_is_named():
    text = edited(lambda d: d["dimensions"][0]["categories"][0]["patterns"].append("re:(oops"))
    with pytest.raises(CodebookError, match="dimension 'domain': a pattern is not a valid"):
        parse_codebook(text, "my.yaml")


def test_lint_finds_problems():
    def spoil(d):
        health = d["dimensions"][0]["categories"][0]
        health["exclude"].append("medical*")  # hides the cue 'medical' wherever it occurs
        health["patterns"].append("medical")  # listed twice
        d["dimensions"][0]["categories"][1]["patterns"].append("patient*")  # two categories
        d["dimensions"][0]["categories"][1]["exemplars"] = []

    findings = [str(f) for f in lint_codebook(parse_codebook(edited(spoil), "x"))]
    assert "warning: domain > health > patterns: 'medical' is listed twice" in findings
    assert (
        "error: domain > health > patterns: 'medical' can never fire: the exclusion "
        "'medical*' covers it" in findings
    )
    assert any("'patient*' is also a cue of 'health'" in f for f in findings)
    assert (
        "warning: domain > defence_military: no exemplars: the embedding coder cannot "
        "assign it" in findings
    )


def test_round_trip_and_digest():
    codebook = load_codebook(FIXTURE)
    again = parse_codebook(dump_codebook(codebook))
    assert again == codebook and again.digest() == codebook.digest()
    changed = parse_codebook(edited(lambda d: d.update(version="0.2")))
    assert changed.digest() != codebook.digest()


def test_default_codebook_is_valid_and_clean():
    codebook = load_codebook(default_codebook_path())
    assert [d.id for d in codebook.dimensions] == [
        "domain",
        "approach",
        "principle",
        "security",
        "cooperation",
        "force",
    ]
    assert not [f for f in lint_codebook(codebook) if f.level == "error"]
    for dimension in codebook.dimensions:
        for category in dimension.categories:
            assert 5 <= len(category.exemplars) <= 15, f"{dimension.id} > {category.id}"
