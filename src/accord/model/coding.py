"""Records of coding: what a coder sees, what it scores, what it assigns and why.

Evidence, candidates and assignments are named tuples: coding builds them by the hundred
thousand, and a tuple is several times faster to create than a frozen dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class CodingUnit:
    """A passage as a coder sees it: its text and, when known, its document's type."""

    id: str
    text: str
    document_type: str | None = None


class Evidence(NamedTuple):
    char_start: int  # offsets within the unit's text
    char_end: int
    trigger: str  # the matched cue, or "exemplar 3 (cos 0.71)"


class Candidate(NamedTuple):
    """One coder's score for one category of one unit (assigned or not)."""

    score: float  # in [0, 1]
    evidence: tuple[Evidence, ...] = ()


class Assignment(NamedTuple):
    unit_id: str
    dimension: str
    category: str
    score: float
    method: str  # "rules", "embedding" or "ensemble"
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitCoding:
    """Everything a coder says about one unit."""

    unit_id: str
    assignments: tuple[Assignment, ...] = ()
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # dimension -> category

    def labels(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for assignment in self.assignments:
            found.setdefault(assignment.dimension, []).append(assignment.category)
        return found
