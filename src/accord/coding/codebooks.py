"""Load, check and describe codebooks (YAML files validated by the pydantic model)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from accord.coding.patterns import DimensionMatcher, PatternSet, expand, pattern_atoms, prepare
from accord.errors import CodebookError
from accord.model.codebook import Codebook
from accord.model.schema_errors import Problem, schema_problems, sentence

DEFAULT_CODEBOOK = "international_ai"


def default_codebook_path() -> Path:
    return Path(str(resources.files("accord").joinpath(f"codebooks/{DEFAULT_CODEBOOK}.yaml")))


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and validate a codebook; the packaged default when ``path`` is None.

    Raises:
        CodebookError: naming the file, the key and what to change.
    """
    source = Path(path) if path is not None else default_codebook_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise CodebookError(f"Cannot read codebook {source}: {exc.strerror}.") from exc
    return parse_codebook(text, str(source)).located(str(source.parent.resolve()))


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: much faster
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # same text, ten times faster


def parse_codebook(
    text: str, source: str = "<codebook>", *, check_patterns: bool = True
) -> Codebook:
    """Validate codebook YAML; ``check_patterns`` also compiles every pattern (skip it for a
    codebook read back from the store, which was checked when it was stored)."""
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: not valid YAML: {exc}") from exc
    try:
        codebook = Codebook.model_validate(data)
    except ValidationError as exc:
        raise _describe(source, data, exc) from exc
    if check_patterns:
        for dimension in codebook.dimensions:
            DimensionMatcher(dimension)  # a bad 're:' pattern fails here, named by dimension
    return codebook


HEADER = """\
# Accord codebook. Pattern syntax (accord.model.codebook): case-insensitive whole words; a space
# matches spaces, hyphens or line breaks; word* matches any ending; (a|b|) spells alternatives;
# "re:" starts a raw regular expression. A category fires on one pattern or on two different
# weak_patterns, outside every exclude match of that category; leading patterns decide a
# single-choice dimension when they open the passage. threshold / ensemble_threshold are
# embedding similarities calibrated on human coding (`accord calibrate`). Exemplars are written
# for the codebook, not copied from any corpus.
"""


def dump_codebook(codebook: Codebook) -> str:
    data = codebook.model_dump(mode="json", exclude_defaults=True)
    return HEADER + yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def _describe(source: str, data: object, exc: ValidationError) -> CodebookError:
    """Every problem, each named by its place in the codebook, an unknown key with a
    did-you-mean; the hint lists the keys allowed there, read from the codebook schema."""
    problems = schema_problems(Codebook, exc)
    lines = [f"{_readable_location(data, p.loc)}: {_problem_text(p)}" for p in problems]
    message = (
        f"{source}: {sentence(lines[0])}"
        if len(lines) == 1
        else f"{source}: {len(lines)} problems:\n" + "\n".join(f"  {sentence(x)}" for x in lines)
    )
    allowed = {_place(p.loc[:-1]): p.allowed for p in problems if p.unknown_key}
    if allowed:
        hint = "; ".join(f"keys of {place}: {', '.join(keys)}" for place, keys in allowed.items())
        hint = f"Allowed {hint}. docs/codebook.md describes each."
    elif any(p.text == MISSING for p in problems):
        hint = "See docs/codebook.md for the required keys."
    else:
        hint = "See docs/codebook.md for the codebook format."
    return CodebookError(message, hint=hint)


MISSING = "required key is missing"
_SINGULAR = {"dimensions": "dimension", "categories": "category"}


def _problem_text(problem: Problem) -> str:
    if problem.unknown_key:
        return problem.text.replace("unknown key", "unknown key (not part of the codebook format)")
    return problem.text


def _place(loc: tuple) -> str:
    """What kind of mapping a location points into: "a category", "a dimension", ..."""
    keys = [str(k) for k in loc if not isinstance(k, int)]
    if not keys:
        return "the codebook's top level"
    return f"a {_SINGULAR[keys[-1]]}" if keys[-1] in _SINGULAR else f"'{keys[-1]}'"


def _readable_location(data: object, loc: tuple) -> str:
    """dimensions.0.categories.3.patterns -> "dimension 'domain' > category 'health' > patterns"."""
    parts, node = [], data
    for key in loc:
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            name = node.get("id") if isinstance(node, dict) else None
            if name and parts:
                parts[-1] = f"{_SINGULAR.get(parts[-1], parts[-1])} '{name}'"
            if not name:
                parts.append(f"item {key + 1}")
            continue
        parts.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return " > ".join(parts) or "top level"


@dataclass(frozen=True, slots=True)
class Finding:
    level: str  # "error" or "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def lint_codebook(codebook: Codebook) -> list[Finding]:
    """Problems a valid codebook can still have: cues that cannot fire, duplicates, gaps."""
    findings: list[Finding] = []
    for dimension in codebook.dimensions:
        seen: dict[str, str] = {}
        for category in dimension.categories:
            where = f"{dimension.id} > {category.id}"
            is_default = category.id == dimension.default
            if (
                not (category.patterns or category.weak_patterns or category.leading)
                and not is_default
            ):
                findings.append(
                    Finding("warning", where, "no patterns: only the embedding coder can assign it")
                )
            if not category.exemplars:
                findings.append(
                    Finding("warning", where, "no exemplars: the embedding coder cannot assign it")
                )
            if (
                not (
                    category.patterns
                    or category.weak_patterns
                    or category.exemplars
                    or category.leading
                )
                and not is_default
            ):
                findings.append(
                    Finding(
                        "error", where, "no patterns and no exemplars: it can never be assigned"
                    )
                )
            if len(category.weak_patterns) == 1 and not category.patterns:
                findings.append(
                    Finding(
                        "warning",
                        where,
                        "a single weak pattern can never fire "
                        "(weak patterns need two different matches)",
                    )
                )
            for kind, patterns in (
                ("patterns", category.patterns),
                ("weak_patterns", category.weak_patterns),
                ("exclude", category.exclude),
                ("leading", category.leading),
            ):
                for pattern in patterns:
                    problem = _pattern_problem(pattern)
                    if not problem and kind in ("patterns", "weak_patterns"):
                        problem = _always_excluded(pattern, category.exclude)
                    if problem:
                        findings.append(
                            Finding("error", f"{where} > {kind}", f"'{pattern}' {problem}")
                        )
                    if kind in ("patterns", "weak_patterns"):
                        key = pattern.strip().lower()
                        if key in seen and seen[key] != category.id:
                            findings.append(
                                Finding(
                                    "warning",
                                    f"{where} > {kind}",
                                    f"'{pattern}' is also a cue of '{seen[key]}'",
                                )
                            )
                        elif key in seen:
                            findings.append(
                                Finding(
                                    "warning", f"{where} > {kind}", f"'{pattern}' is listed twice"
                                )
                            )
                        seen[key] = category.id
    return findings


def _always_excluded(pattern: str, exclusions: list[str]) -> str | None:
    """A cue whose own words are matched whole by one of its category's exclusions."""
    if pattern.startswith("re:") or not exclusions:
        return None
    for exclusion in exclusions:
        matcher = PatternSet([("x", "exclude", exclusion)])
        for variant in expand(pattern):
            sample = variant.replace("*", "")
            hits = matcher.find(sample, prepare(sample))
            if any(h.start == 0 and h.end >= len(sample) for h in hits):
                return f"can never fire: the exclusion '{exclusion}' covers it"
    return None


def _pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot match its own words, if it cannot."""
    if not pattern.strip():
        return "is empty"
    if pattern.startswith("re:"):
        return None
    matcher = PatternSet([("x", "strong", pattern)])
    for variant in expand(pattern):
        sample = variant.replace("*", "")
        if not pattern_atoms(variant) or not matcher.find(sample, prepare(sample)):
            return "cannot match even its own text (check punctuation at its ends)"
    return None
