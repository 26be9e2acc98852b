from __future__ import annotations

import pytest

from accord.errors import ConfigError
from accord.ingestion.institutions import load_registry


@pytest.mark.parametrize(
    ("name", "expected", "family"),
    [
        ("UNESCO", "unesco", "UN system"),
        ("United Nations Educational, Scientific and Cultural Organization", "unesco", "UN system"),
        ("European Commission (AI Office)", "eu", "EU"),
        ("European Data Protection Board", "eu", "EU"),
        (
            "Council of Europe (Committee on Artificial Intelligence, CAI)",
            "coe",
            "Council of Europe",
        ),
        ("G7", "g7", "G7"),
        ("North Atlantic Treaty Organization", "nato", "NATO"),
        ("World Trade Organization", "wto", "WTO"),
        ("G20 Leaders", "g20", "G20"),
        ("African Union Commission", "african-union", "African Union"),
        ("ASEAN", "asean", "ASEAN"),
    ],
)
def test_names_resolve_to_institutions(name, expected, family):
    institution = load_registry().resolve(name)
    assert (institution.id, institution.family) == (expected, family)


def test_unknown_names_are_kept_and_reported():
    registry = load_registry()
    institution = registry.resolve("Ministry of Digital Affairs of Ruritania")
    assert institution.id == "other:ministry-of-digital-affairs-of-ruritania"
    assert not institution.is_known
    assert registry.unknown_names == {"Ministry of Digital Affairs of Ruritania"}


def test_user_registry(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text(
        "institutions:\n  - id: ruritania\n    name: Ruritania\n    family: other\n"
        "    aliases: [Ministry of Digital Affairs of Ruritania]\n"
    )
    assert load_registry(path).resolve("Ministry of Digital Affairs of Ruritania").id == "ruritania"


def test_bad_registry_names_the_problem(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text("institutions:\n  - id: x\n    name: X\n    family: Mars\n")
    with pytest.raises(ConfigError, match="family must be one of"):
        load_registry(path)
