"""Every setting Accord has, declared once with its default and meaning.

Settings come from defaults, then a TOML or YAML file (``--settings``), then explicit options.
The digest of the effective settings is stamped on every output.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.errors import ConfigError
from accord.model.provenance import digest_json
from accord.model.schema_errors import schema_problems, sentence


def cache_dir() -> Path:
    """The user's own Accord folder: cached vectors, distilled models, the error log."""
    return Path(os.environ.get("ACCORD_CACHE_DIR") or Path.home() / ".cache" / "accord")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IngestSettings(_Section):
    max_file_mb: float = Field(200.0, description="Files larger than this are skipped (oversized).")
    max_words: int = Field(
        2_000_000,
        ge=1,
        description="Documents with more words are skipped (oversized); a text-like file's words "
        "are counted in chunks before it is read whole, so an oversized one costs little memory.",
    )
    max_decompressed_mb: float = Field(
        512.0,
        gt=0,
        description="What a PDF's compressed streams (images aside) or a DOCX's parts may unpack "
        "to; more is skipped (pdf-too-large, oversized) before the parser unpacks them.",
    )
    pdf_max_pages: int = Field(
        10_000, ge=1, description="PDFs with more pages are skipped (pdf-too-large)."
    )
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
    allow_outside: bool = Field(
        False,
        description="Read files outside the corpus folder (manifest paths with '..' or absolute "
        "paths, symlinks pointing elsewhere); off, they are skipped as outside-corpus.",
    )


class CodingSettings(_Section):
    batch_size: int = Field(2000, ge=100, description="Passages coded and saved per batch.")


class SupportSettings(_Section):
    min_passages: int = Field(
        3, ge=1, description="Passages an institution needs in a domain to count as addressing it."
    )
    min_documents: int = Field(
        1, ge=1, description="Documents an institution needs in a domain to count as addressing it."
    )
    min_institutions: int = Field(
        2, ge=1, description="Institutions with support a domain needs to be ranked."
    )
    min_domain_passages: int = Field(10, ge=1, description="Passages a domain needs to be ranked.")
    min_cell_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Share of an institution's "
        "approach x principle mass in a domain for a cell to count as "
        "covered (complementarity).",
    )


class OpportunityWeights(_Section):
    breadth: float = Field(0.2, ge=0, description="Institutions addressing the domain.")
    alignment: float = Field(0.2, ge=0, description="Agreement of their profiles.")
    complementarity: float = Field(0.2, ge=0, description="Division of labour between them.")
    cooperation: float = Field(0.2, ge=0, description="Share of passages calling for cooperation.")
    low_security: float = Field(0.2, ge=0, description="One minus the security-sensitive share.")


class AnalysisSettings(_Section):
    weighting: Literal["document", "passage"] = Field(
        "document",
        description="'document': every document counts equally within its "
        "institution; 'passage': every passage counts equally.",
    )
    support: SupportSettings = SupportSettings()
    alignment_weights: dict[str, float] = Field(
        {"approach": 0.5, "principle": 0.5},
        description="Weights of the approach and principle profiles in alignment.",
    )
    opportunity_weights: OpportunityWeights = OpportunityWeights()
    bootstrap_resamples: int = Field(1000, ge=0, description="Bootstrap resamples of documents.")
    weight_draws: int = Field(
        1000, ge=0, description="Dirichlet draws of opportunity weights for rank stability."
    )
    weight_concentration: float = Field(
        20.0,
        gt=0,
        description="Dirichlet concentration: higher keeps random weights closer to the defaults.",
    )
    confidence: float = Field(0.95, gt=0, lt=1, description="Interval coverage.")
    top_k: int = Field(5, ge=1, description="Rank stability reports P(rank <= top_k).")
    seed: int = Field(20261125, description="Seed of every random draw.")
    evidence_per_domain: int = Field(8, ge=1, le=50, description="Evidence passages per domain.")
    evidence_per_institution: int = Field(
        3, ge=1, le=20, description="Evidence passages per institution and domain."
    )
    discovery_themes: int = Field(
        8, ge=0, description="Themes sought among passages with no domain (0 turns discovery off)."
    )
    use_reviews: bool = Field(
        False,
        description="Use people's reviews (`accord serve --review`) in place of the machine's "
        "labels of the passages and dimensions they reviewed; the stamp carries their hash.",
    )


class CacheSettings(_Section):
    max_mb: float = Field(
        2048.0,
        ge=0,
        description="Size cap of the per-user vector cache (ACCORD_CACHE_DIR or ~/.cache/accord, "
        "shared by every store); the least recently used vectors go first; 0 turns it off.",
    )


# Sections that change where and how fast work runs, never a result: left out of the digest,
# so changing them does not make a stored analysis look stale.
MACHINE_SECTIONS = frozenset({"cache"})


class AccordSettings(_Section):
    ingest: IngestSettings = IngestSettings()
    coding: CodingSettings = CodingSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    cache: CacheSettings = CacheSettings()

    def digest(self) -> str:
        return digest_json(self.model_dump(mode="json", exclude=set(MACHINE_SECTIONS)))


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
        raise settings_error(exc, path) from exc


def settings_error(exc: ValidationError, path: Path | None) -> ConfigError:
    """Every problem of a settings file, each unknown key with a did-you-mean, and the keys
    allowed where one was unknown (read from the schema, so never out of date)."""
    problems = schema_problems(AccordSettings, exc)
    lines = [f"setting '{_dotted(p.loc)}': {p.text}" for p in problems]
    source = f"{path}: " if path else ""
    message = (
        f"{source}{sentence(lines[0])}"
        if len(lines) == 1
        else f"{source}{len(lines)} problems:\n" + "\n".join(f"  {sentence(x)}" for x in lines)
    )
    allowed = {_dotted(p.loc[:-1]): p.allowed for p in problems if p.unknown_key}
    hints = [
        f"{f'allowed in [{where}]' if where else 'allowed sections'}: {', '.join(keys)}"
        for where, keys in allowed.items()
    ]
    hint = "; ".join(hints).capitalize() + ". " if hints else ""
    return ConfigError(message, hint=hint + "docs/settings.md lists every setting.")


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)


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


def settings_reference() -> str:
    """Markdown table of every setting, its default and meaning (docs/settings.md)."""
    lines = ["| Setting | Default | Meaning |", "|---|---|---|"]

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{prefix}{name}.")
                continue
            default = field.default
            shown = (
                default
                if not isinstance(default, dict)
                else ", ".join(f"{k}: {v}" for k, v in default.items())
            )
            lines.append(f"| `{prefix}{name}` | `{shown}` | {field.description or ''} |")

    walk(AccordSettings, "")
    return "\n".join(lines) + "\n"
