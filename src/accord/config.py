"""Every setting Accord has, declared once with its default and meaning.

Settings come from defaults, then a TOML or YAML file (``--settings``), then explicit options.
The digest of the effective settings is stamped on every output.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.errors import ConfigError
from accord.model.provenance import digest_json


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IngestSettings(_Section):
    max_file_mb: float = Field(200.0, description="Files larger than this are skipped (oversized).")
    file_timeout_s: float = Field(
        120.0, description="Per-file parsing time limit; a file that takes longer is skipped."
    )
    workers: int = Field(2, ge=1, description="Parallel parser processes.")
    passage_max_words: int = Field(
        150, ge=20, description="Long paragraphs are split at sentences to about this many words."
    )
    passage_min_words: int = Field(
        8, ge=1, description="Fragments shorter than this are merged with a neighbour."
    )
    near_duplicate_threshold: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Two documents are near-duplicates when this share of the smaller one's "
        "8-word shingles also occurs in the other.",
    )


class AccordSettings(_Section):
    ingest: IngestSettings = IngestSettings()

    def digest(self) -> str:
        return digest_json(self.model_dump(mode="json"))


def load_settings(path: Path | None = None, **overrides: Any) -> AccordSettings:
    """Read settings from a TOML/YAML file (optional) and apply section overrides.

    Example:
        >>> load_settings(ingest={"workers": 1}).ingest.workers
        1
    """
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_settings_file(Path(path))
    for section, values in overrides.items():
        if values:
            data.setdefault(section, {}).update(values)
    try:
        return AccordSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        source = f"{path}: " if path else ""
        raise ConfigError(
            f"{source}setting '{where}': {first['msg']}.",
            hint="See docs/settings.md for every setting and its allowed values.",
        ) from exc


def _read_settings_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"Settings file not found: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        loaded = yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {exc}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of sections, got {type(loaded).__name__}.")
    return loaded
