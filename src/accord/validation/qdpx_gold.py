"""Human codes from a REFI-QDA project (``.qdpx``) as gold items.

People code in NVivo, MAXQDA, ATLAS.ti or QualCoder: a project exported by ``accord export
--format qdpx``, or one they built from their own sources. Their codes come back here:

- **codes to categories**: a code whose GUID is the one Accord gave a category is that
  category; otherwise codes are matched by name (a category's id or label, ignoring case),
  within the dimension named by an ancestor code (its id or label) when there is one, else
  across the codebook when exactly one category has that name. Codes that match nothing are
  not used and are reported as skipped.
- **sources to passages**: a source whose ``Accord document`` variable names a current
  document of the store with the same text uses that document's passages; any other source is
  cut into passages the way ``accord ingest`` cuts documents.
- **selections to passages**: by offsets, a passage takes the codes of every selection that
  covers at least half of the passage or at least half of the selection.
- **coders**: the project user who made each coding (or the selection) is its coder.

A passage is an item when some selection reaches it. For each coder, the dimensions that coder
used anywhere in the project count as coded on every item of theirs: no category there means
none; dimensions a coder never used are left out of their items (not coded).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from accord.config import AccordSettings
from accord.ingestion.segment import document_text, segment
from accord.model.codebook import Codebook
from accord.model.provenance import Skipped
from accord.store.corpus_store import CorpusStore
from accord.store.qdpx import (
    DOCUMENT_VARIABLE,
    QdaCode,
    QdaProject,
    QdaSelection,
    QdaSource,
    code_guid,
    read_qdpx,
)
from accord.validation.gold import FIRST_CODER, GoldItem

COVERAGE = 0.5  # share of the passage, or of the selection, that a selection must cover


@dataclass(frozen=True)
class _Span:
    id: str
    start: int
    end: int
    text: str


def qdpx_items(
    path: Path, codebook: Codebook, store: CorpusStore | None = None
) -> tuple[list[GoldItem], list[Skipped]]:
    """The gold items of a project, and what could not be used (with reasons)."""
    project = read_qdpx(path)
    reader = _Reader(project, *resolve_codes(project.codes, codebook))
    for source in project.sources:
        spans, key, from_store = _passages(project, source, store)
        document_type = project.variable_values(source).get("Document type")
        ends = [s.end for s in spans]
        for selection in source.selections:
            covered = _covered(spans, ends, selection.start, selection.end)
            if not covered:
                reader.skipped.append(_no_passage(path, source, selection.guid))
            for span in covered:
                reference = (
                    {"passage_id": span.id}
                    if from_store
                    else {"text": span.text, "document_id": key}
                )
                item = reader.item(span.id, reference, document_type)
                reader.code(item, selection)
    reader.complete(codebook)
    return reader.items_sorted(), reader.skipped + reader.unknown_codes(path, codebook)


@dataclass
class _Reader:
    """The items being collected from one project, with what could not be used."""

    project: QdaProject
    codes: dict[str, tuple[str, str]]  # code GUID -> (dimension, category)
    names: dict[str, str]  # code GUID -> its path of names
    items: dict[str, GoldItem] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # coder -> dims
    unknown: Counter[str] = field(default_factory=Counter)  # code name -> codings
    skipped: list[Skipped] = field(default_factory=list)

    def item(self, passage_id: str, reference: dict, document_type: object) -> GoldItem:
        if passage_id not in self.items:
            item = GoldItem(passage_id, reference)
            item.document_type = str(document_type) if document_type else None
            self.items[passage_id] = item
        return self.items[passage_id]

    def code(self, item: GoldItem, selection: QdaSelection) -> None:
        if not selection.codings:  # a passage seen and given no code: coded, none
            item.labels.setdefault(_coder(self.project, selection.user_guid), {})
        for coding in selection.codings:
            coder = _coder(self.project, coding.user_guid or selection.user_guid)
            if coding.code_guid not in self.codes:
                self.unknown[self.names.get(coding.code_guid, coding.code_guid)] += 1
                continue
            dimension, category = self.codes[coding.code_guid]
            labels = item.labels.setdefault(coder, {}).setdefault(dimension, [])
            if category not in labels:
                labels.append(category)
            self.used[coder].add(dimension)

    def complete(self, codebook: Codebook) -> None:
        """Every dimension a coder used is coded on all their items: empty means none."""
        for item in self.items.values():
            for coder, labels in item.labels.items():
                for dimension in codebook.dimensions:
                    if dimension.id in self.used[coder] or dimension.id in labels:
                        labels[dimension.id] = sorted(labels.get(dimension.id, []))

    def items_sorted(self) -> list[GoldItem]:
        return [self.items[k] for k in sorted(self.items)]

    def unknown_codes(self, path: Path, codebook: Codebook) -> list[Skipped]:
        return [
            Skipped(
                f"{path.name}: code {name}",
                "validate",
                "unknown-code",
                f"{n} coding(s) with code '{name}', which matches no category of codebook "
                f"'{codebook.name}'; not used.",
            )
            for name, n in sorted(self.unknown.items())
        ]


# ---------------------------------------------------------------- codes


def resolve_codes(
    codes: tuple[QdaCode, ...], codebook: Codebook
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Code GUID -> (dimension, category) for the codes that match the codebook, and every
    code's path of names (for messages)."""
    by_guid = {
        code_guid(d.id, c.id): (d.id, c.id) for d in codebook.dimensions for c in d.categories
    }
    dimension_guids = {code_guid(d.id): d.id for d in codebook.dimensions}
    found: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}

    def walk(code: QdaCode, dimension: str | None, trail: str) -> None:
        name = f"{trail}/{code.name}" if trail else code.name
        names[code.guid] = name
        named_dimension = dimension_guids.get(code.guid) or _dimension_named(code.name, codebook)
        if code.guid in by_guid:
            found[code.guid] = by_guid[code.guid]
        elif named_dimension is None:
            match = _category_named(code.name, dimension, codebook)
            if match is not None:
                found[code.guid] = match
        for child in code.children:
            walk(child, named_dimension or dimension, name)

    for code in codes:
        walk(code, None, "")
    return found, names


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


def _dimension_named(name: str, codebook: Codebook) -> str | None:
    wanted = _norm(name)
    return next(
        (d.id for d in codebook.dimensions if wanted in (_norm(d.id), _norm(d.label))), None
    )


def _category_named(name: str, dimension: str | None, codebook: Codebook) -> tuple[str, str] | None:
    wanted = _norm(name)
    matches = [
        (d.id, c.id)
        for d in codebook.dimensions
        if dimension in (None, d.id)
        for c in d.categories
        if wanted in (_norm(c.id), _norm(c.label))
    ]
    return matches[0] if len(matches) == 1 else None


# ---------------------------------------------------------------- passages


def _passages(
    project: QdaProject, source: QdaSource, store: CorpusStore | None
) -> tuple[list[_Span], str, bool]:
    """The source's passages, the document key of its items, and whether they are the
    store's passages."""
    document_id = str(project.variable_values(source).get(DOCUMENT_VARIABLE) or "")
    if store is not None and document_id:
        stored = _stored_passages(store, document_id, source.text)
        if stored is not None:
            return stored, document_id, True
    key = document_id or source.guid
    settings = AccordSettings().ingest
    _, _, passages = segment(
        [source.text],
        key,
        max_words=settings.passage_max_words,
        min_words=settings.passage_min_words,
    )
    return [_Span(p.id, p.char_start, p.char_end, p.text) for p in passages], key, False


def _stored_passages(store: CorpusStore, document_id: str, text: str) -> list[_Span] | None:
    row = store.db.execute(
        "SELECT 1 FROM documents WHERE id=? AND is_current=1", (document_id,)
    ).fetchone()
    if row is None:
        return None
    stored_text, _ = document_text([p.text for p in store.pages_of(document_id)])
    if stored_text != text:  # the document changed since the export: offsets would lie
        return None
    return [_Span(p.id, p.char_start, p.char_end, p.text) for p in store.passages_of(document_id)]


def _covered(spans: list[_Span], ends: list[int], start: int, end: int) -> list[_Span]:
    start, end = min(start, end), max(start, end)
    found = []
    for span in spans[bisect.bisect_right(ends, start) :]:
        if span.start >= end:
            break
        overlap = min(end, span.end) - max(start, span.start)
        if overlap > 0 and (
            overlap >= COVERAGE * (span.end - span.start) or overlap >= COVERAGE * (end - start)
        ):
            found.append(span)
    return found


def _coder(project: QdaProject, user_guid: str | None) -> str:
    if not user_guid:
        return FIRST_CODER
    return project.users.get(user_guid) or user_guid


def _no_passage(path: Path, source: QdaSource, guid: str) -> Skipped:
    return Skipped(
        f"{path.name}: selection {guid}",
        "validate",
        "no-passage",
        f"a selection in '{source.name}' covers no passage (blank text, or outside the source).",
    )
