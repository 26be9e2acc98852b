"""The codebook: dimensions, categories, their cue patterns and exemplars (pydantic, from YAML).

Pattern syntax (matched case-insensitively, whole words):

- ``health care``: a space matches spaces, hyphens or line breaks ("health-care" too);
- ``vaccin*``: a trailing ``*`` matches any word ending (vaccine, vaccination, vaccinated);
- ``organi(s|z)ation``, ``(learning|test) environment(s|)``: alternatives in brackets, an
  empty one making the bracket optional;
- ``re:<regex>``: a raw regular expression, for the rare case the above cannot express.

A category is assigned when one of its ``patterns`` matches, or two different
``weak_patterns`` match, outside every ``exclude`` match ("Security Council" is not security).
"""

from __future__ import annotations

import os
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from accord.model.provenance import digest_json

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    id: str
    label: str
    definition: str = Field(min_length=10)
    patterns: list[str] = []
    weak_patterns: list[str] = []
    exclude: list[str] = []
    leading: list[str] = Field(
        default=[],
        description="Patterns that decide the category when they open the passage "
        "(e.g. 'Recalling' opens a preambular paragraph).",
    )
    exemplars: list[str] = []
    threshold: float | None = Field(
        default=None, ge=-1, le=1, description="Embedding similarity threshold (calibrated)."
    )
    ensemble_threshold: float | None = Field(
        default=None,
        ge=-1,
        le=2,
        description="Similarity above which the ensemble adds the category to what the rules "
        "found (calibrated; above 1 means never).",
    )

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("ids are lower-case letters, digits and underscores")
        return value


class Dimension(_Strict):
    id: str
    label: str
    description: str = ""
    selection: Literal["multi", "single"] = "multi"
    default: str | None = Field(
        default=None, description="For single-choice dimensions: the category when none fires."
    )
    document_type_caps: dict[str, str] = Field(
        default={},
        description="Single-choice dimensions ordered strongest first: the strongest category "
        "a document type may receive (a voluntary code is never binding).",
    )
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        ids = [c.id for c in self.categories]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate category id(s) {', '.join(duplicates)}")
        if self.default is not None and self.default not in ids:
            raise ValueError(f"default '{self.default}' is not one of its categories")
        if self.selection == "single" and self.default is None:
            raise ValueError("a single-choice dimension needs a default category")
        unknown = sorted(set(self.document_type_caps.values()) - set(ids))
        if unknown:
            raise ValueError(f"document_type_caps names unknown categories {', '.join(unknown)}")
        return self

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.categories]


class NonSubstantive(_Strict):
    """Passages that are not policy text (reference lists, contributor lists, tables of
    contents) receive no codes but the single-choice defaults."""

    description: str = ""
    patterns: list[str] = Field(min_length=1)
    min_matches: int = Field(4, ge=1, description="Cue matches a passage needs to be skipped.")
    min_density: float = Field(
        0.05, gt=0, le=1, description="Cue matches per word a passage needs to be skipped."
    )


GATE_KEY = "__non_substantive__"
# Model folders seen so far, by model hash: copies of a codebook made in memory keep working.
_MODEL_FOLDERS: dict[str, str] = {}


class ModelRef(_Strict):
    """A trained model the codebook ships with: its folder (relative to the codebook file) and
    the hash of its files, so a changed model changes the codebook hash and re-codes."""

    coder: str = Field("trained.v1", description="The coder that reads the model.")
    path: str = Field(min_length=1, description="Model folder, relative to the codebook file.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Hash of the model files.")


class Codebook(_Strict):
    name: str
    version: str
    description: str = ""
    non_substantive: NonSubstantive | None = None
    model: ModelRef | None = None
    dimensions: list[Dimension] = Field(min_length=1)
    # Where the codebook file lies (not part of its content or hash): model paths resolve here.
    _base_dir: str | None = PrivateAttr(default=None)

    def located(self, base_dir: str | None) -> Codebook:
        """The codebook, knowing the folder its relative model path starts from."""
        self._base_dir = base_dir
        folder = self.model_dir
        if folder is not None and self.model is not None:
            _MODEL_FOLDERS.setdefault(self.model.sha256, folder)
        return self

    @property
    def base_dir(self) -> str | None:
        return self._base_dir

    @property
    def model_dir(self) -> str | None:
        """Where the model's files are: its path from the codebook file's folder or, for a
        codebook derived in memory (a copy with an edit), the folder where a codebook naming the
        same model hash was read from. None when unknown."""
        if self.model is None:
            return None
        if os.path.isabs(self.model.path):
            return self.model.path
        if self._base_dir is not None:
            return os.path.join(self._base_dir, self.model.path)
        return _MODEL_FOLDERS.get(self.model.sha256)

    @model_validator(mode="after")
    def _unique_dimensions(self) -> Codebook:
        ids = [d.id for d in self.dimensions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate dimension id(s) {', '.join(duplicates)}")
        return self

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    def __repr__(self) -> str:
        categories = sum(len(d.categories) for d in self.dimensions)
        return (
            f"Codebook({self.name} {self.version}: {len(self.dimensions)} dimensions, "
            f"{categories} categories, hash {self.digest()[:12]})"
        )

    __str__ = __repr__  # pydantic's own spells out every field: pages of text

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as the codebook file would spell it, plus its hash."""
        return {"digest": self.digest(), **self.model_dump(mode="json")}

    @property
    def ids(self) -> dict[str, list[str]]:
        return {d.id: d.ids for d in self.dimensions}

    def __eq__(self, other: object) -> bool:
        """Equal content, wherever the files lie."""
        return isinstance(other, Codebook) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def digest(self) -> str:
        """The codebook hash stamped on every result: SHA-256 of its canonical JSON (a
        codebook without a model hashes as it did before models existed)."""
        content = self.model_dump(mode="json")
        if content["model"] is None:
            del content["model"]
        return digest_json(content)

    def dimension_digests(self) -> dict[str, str]:
        """A hash per dimension, and one of the non-substantive gate under GATE_KEY. A
        dimension's codes depend only on the dimension itself and the gate, so an edit that
        leaves both alone leaves its codes alone."""
        gate = self.non_substantive.model_dump(mode="json") if self.non_substantive else None
        model = self.model.sha256 if self.model else None
        digests = {d.id: digest_json(d.model_dump(mode="json")) for d in self.dimensions}
        # A trained model codes every dimension at once: a new model changes them all.
        digests[GATE_KEY] = digest_json(gate if model is None else {"gate": gate, "model": model})
        return digests

    def only(self, dimension_ids: set[str]) -> Codebook:
        """The same codebook restricted to some dimensions (the gate kept)."""
        narrowed = self.model_copy(
            update={"dimensions": [d for d in self.dimensions if d.id in dimension_ids]}
        )
        return narrowed.located(self.base_dir)

    def without_thresholds(self) -> Codebook:
        """The same codebook with embedding thresholds cleared (before calibration)."""
        cleared = Codebook.model_validate(
            {
                **self.model_dump(),
                "dimensions": [
                    {
                        **d.model_dump(),
                        "categories": [
                            {**c.model_dump(), "threshold": None, "ensemble_threshold": None}
                            for c in d.categories
                        ],
                    }
                    for d in self.dimensions
                ],
            }
        )
        return cleared.located(self.base_dir)
