"""Organisation names to institutions, through an editable YAML registry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from accord.errors import ConfigError
from accord.model.corpus import FAMILIES, Institution

UNKNOWN = Institution("unknown", "Unknown organisation", "other", is_known=False)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    family: str
    aliases: list[str] = []

    @field_validator("family")
    @classmethod
    def _known_family(cls, value: str) -> str:
        if value not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}")
        return value


class _Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    institutions: list[_Entry]


def _normalise(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


@dataclass
class InstitutionRegistry:
    """Resolves organisation names; names not in the registry become 'unknown' institutions."""

    institutions: dict[str, Institution]
    aliases: dict[str, str]  # normalised alias -> institution id
    unknown_names: set[str] = field(default_factory=set)

    def resolve(self, organisation: str | None) -> Institution:
        """The institution an organisation name stands for.

        Example:
            >>> registry = load_registry()
            >>> registry.resolve("European Commission (AI Office)").id
            'eu'
            >>> registry.resolve("United Nations Educational, Scientific and Cultural "
            ...                  "Organization").id
            'unesco'
        """
        if (
            not organisation
            or not organisation.strip()
            or organisation.strip().lower() == "unknown"
        ):
            return UNKNOWN
        for candidate in _candidates(organisation):
            if candidate in self.aliases:
                return self.institutions[self.aliases[candidate]]
        found = self._longest_alias_in(_normalise(organisation))
        if found:
            return self.institutions[found]
        self.unknown_names.add(organisation.strip())
        slug = "-".join(_normalise(organisation).split())[:60] or "unknown"
        return Institution(f"other:{slug}", organisation.strip(), "other", is_known=False)

    def _longest_alias_in(self, name: str) -> str | None:
        padded = f" {name} "
        matches = [alias for alias in self.aliases if f" {alias} " in padded]
        if not matches:
            return None
        return self.aliases[max(matches, key=lambda a: (len(a), a))]


def _candidates(organisation: str) -> list[str]:
    """The full name, then without parenthetical remarks, then its first part."""
    without_brackets = re.sub(r"\([^)]*\)", " ", organisation)
    first_part = re.split(r"[;,]", without_brackets)[0]
    return [_normalise(organisation), _normalise(without_brackets), _normalise(first_part)]


def load_registry(path: str | Path | None = None) -> InstitutionRegistry:
    """Load the shipped registry, or a user's YAML file with the same layout."""
    if path is None:
        source = "accord/data/institutions.yaml"
        text = resources.files("accord").joinpath("data/institutions.yaml").read_text("utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"Cannot read institution registry {path}: {exc.strerror}.") from exc
    try:
        registry = _Registry.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(
            f"{source}: not a valid institution registry: {exc}",
            hint="Each entry needs id, name, family and optional aliases.",
        ) from exc
    institutions, aliases = {}, {}
    for entry in registry.institutions:
        institutions[entry.id] = Institution(entry.id, entry.name, entry.family)
        for alias in [entry.name, entry.id, *entry.aliases]:
            aliases.setdefault(_normalise(alias), entry.id)
    institutions[UNKNOWN.id] = UNKNOWN
    return InstitutionRegistry(institutions, aliases)
