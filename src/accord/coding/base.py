"""The one interface every coder implements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from accord.model.codebook import Codebook, Dimension
from accord.model.coding import Assignment, Candidate, CodingUnit, UnitCoding

ProgressCallback = Callable[[int, int], None]


class Coder(Protocol):
    """Codes units against a codebook. ``name`` is a versioned registry name ("rules.v1")."""

    name: str
    codebook: Codebook

    def code(
        self, units: Sequence[CodingUnit], on_progress: ProgressCallback | None = None
    ) -> list[UnitCoding]: ...


def single_choice(
    dimension: Dimension, chosen: str, candidate: Candidate, unit_id: str, method: str
) -> Assignment:
    return Assignment(unit_id, dimension.id, chosen, candidate.score, method, candidate.evidence)


def cap_for(dimension: Dimension, chosen: str, document_type: str | None) -> str:
    """Weaken a single-choice category to what the document type allows (order = strength)."""
    cap = dimension.document_type_caps.get((document_type or "").lower())
    if cap is None:
        return chosen
    ids = dimension.ids
    return ids[max(ids.index(chosen), ids.index(cap))]
