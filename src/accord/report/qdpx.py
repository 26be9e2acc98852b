"""The coded corpus as a REFI-QDA project, for NVivo, MAXQDA, ATLAS.ti and QualCoder.

What goes where:

- each current document is a text source (its cleaned text, the text passages are cut from)
  with its metadata as variables, and each institution a case holding its documents;
- the codebook is the code system: one code per dimension, not codable itself, holding one
  code per category;
- every coded passage is a text selection at the passage's offsets, named by its passage id,
  with one coding per label, made by the coder (a project user);
- each coding carries a note with the label's score, method and cue spans.

A project coded by people in one of those tools comes back through ``accord validate`` and
``accord train`` (validation/qdpx_gold.py).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from accord._version import __version__
from accord.analysis.frames import CodedCorpus, load_coded_corpus
from accord.ingestion.segment import document_text
from accord.model.codebook import Codebook
from accord.store.coding_store import assignment_records, coded_text_hashes
from accord.store.corpus_store import CorpusStore
from accord.store.qdpx import (
    DOCUMENT_VARIABLE,
    QdaCase,
    QdaCode,
    QdaCoding,
    QdaProject,
    QdaSelection,
    QdaSource,
    QdaVariable,
    accord_guid,
    code_guid,
    write_qdpx,
)

# Variable name, REFI type, documents column: the metadata every source carries.
VARIABLES = (
    (DOCUMENT_VARIABLE, "Text", "id"),
    ("Institution", "Text", "institution_name"),
    ("Family", "Text", "family"),
    ("Organisation", "Text", "organisation"),
    ("Year", "Integer", "year"),
    ("Document type", "Text", "document_type"),
    ("Language", "Text", "language"),
    ("URL", "Text", "url"),
    ("File", "Text", "source"),
)


def export_qdpx(store: CorpusStore, out: Path) -> Path:
    """Write the latest coding of the store as ``out`` (a .qdpx file).

    Raises:
        AnalysisError: nothing has been coded yet.
    """
    corpus = load_coded_corpus(store)
    return write_qdpx(build_project(store, corpus), out)


def build_project(store: CorpusStore, corpus: CodedCorpus) -> QdaProject:
    user = accord_guid("user", corpus.coder)
    documents = store.current_documents()
    variables = tuple(
        QdaVariable(accord_guid("variable", name), name, kind) for name, kind, _ in VARIABLES
    )
    selections = _selections(store, corpus, user)
    sources = tuple(
        QdaSource(
            accord_guid("source", row["id"]),
            row["title"],
            document_text([p.text for p in store.pages_of(row["id"])])[0],
            _describe(row),
            _values(row, variables),
            tuple(selections.get(row["id"], ())),
        )
        for row in sorted(documents, key=lambda r: r["id"])
    )
    return QdaProject(
        name=f"Accord corpus {corpus.corpus_digest[:12]}",
        users={user: corpus.coder},
        codes=code_system(corpus.codebook),
        variables=variables,
        cases=_cases(documents),
        sources=sources,
        origin=f"Accord {__version__}",
        description=(
            f"Coded by {corpus.coder} with codebook {corpus.codebook.name} "
            f"{corpus.codebook.version} (digest {corpus.codebook_digest}); corpus digest "
            f"{corpus.corpus_digest}; Accord {__version__}."
        ),
    )


def code_system(codebook: Codebook) -> tuple[QdaCode, ...]:
    return tuple(
        QdaCode(
            code_guid(dimension.id),
            dimension.label,
            codable=False,
            description=f"Accord dimension '{dimension.id}': "
            + (
                "one category per passage."
                if dimension.selection == "single"
                else "any number of categories per passage."
            )
            + " Code passages with the categories below.",
            children=tuple(
                QdaCode(
                    code_guid(dimension.id, category.id),
                    category.label,
                    description=f"{dimension.id}/{category.id}: {category.definition}",
                )
                for category in dimension.categories
            ),
        )
        for dimension in codebook.dimensions
    )


def _selections(
    store: CorpusStore, corpus: CodedCorpus, user: str
) -> dict[str, list[QdaSelection]]:
    """Document id -> a selection per coded passage, in reading order."""
    coded = coded_text_hashes(store, corpus.codebook_digest, corpus.coder)
    labels: dict[str, list[dict]] = defaultdict(list)
    for record in assignment_records(store, corpus.codebook_digest, corpus.coder):
        labels[record["passage_id"]].append(record)
    found: dict[str, list[QdaSelection]] = defaultdict(list)
    for passage in store.iter_passages():
        passage_id, start = passage.id, passage.char_start
        if passage_id not in coded:
            continue
        codings = tuple(
            QdaCoding(
                accord_guid("coding", corpus.coder, passage_id, r["dimension"], r["category"]),
                code_guid(r["dimension"], r["category"]),
                user,
                _note(r, start, corpus.coder),
            )
            for r in labels.get(passage_id, ())
        )
        found[passage.document_id].append(
            QdaSelection(
                accord_guid("selection", passage_id),
                start,
                passage.char_end,
                passage_id,
                user,
                codings,
            )
        )
    return found


def _note(record: dict, offset: int, coder: str) -> str:
    cues = "; ".join(
        f"“{trigger}” at {offset + start}–{offset + end}"
        for start, end, trigger in record["evidence"]
    )
    return (
        f"{coder}: score {record['score']:.3f}, method {record['method']}; "
        f"evidence: {cues or 'no cue spans'}."
    )


def _describe(row: Any) -> str:
    parts = [row["organisation"], str(row["year"] or "n.d."), row["document_type"] or ""]
    text = ", ".join(p for p in parts if p)
    return f"{text}. {row['url']}" if row["url"] else f"{text}."


def _values(row: Any, variables: tuple[QdaVariable, ...]) -> dict[str, str | int]:
    values: dict[str, str | int] = {}
    for variable, (_, _, column) in zip(variables, VARIABLES, strict=True):
        if row[column] not in (None, ""):
            values[variable.guid] = row[column]
    return values


def _cases(documents: list[Any]) -> tuple[QdaCase, ...]:
    members: dict[str, list[Any]] = defaultdict(list)
    for row in documents:
        members[row["institution_id"]].append(row)
    return tuple(
        QdaCase(
            accord_guid("case", institution),
            rows[0]["institution_name"],
            tuple(accord_guid("source", r["id"]) for r in sorted(rows, key=lambda r: r["id"])),
        )
        for institution, rows in sorted(members.items())
    )
