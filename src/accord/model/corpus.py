"""Records of the corpus: institutions, documents, pages and passages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FAMILIES: tuple[str, ...] = (
    "UN system",
    "OECD",
    "WTO",
    "NATO",
    "G7",
    "G20",
    "Council of Europe",
    "EU",
    "African Union",
    "ASEAN",
    "other",
)


@dataclass(frozen=True, slots=True)
class Institution:
    id: str  # slug: "oecd", "unesco"
    name: str
    family: str  # one of FAMILIES
    is_known: bool = True  # False when the name is not in the registry


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    text: str  # cleaned text of the page
    char_start: int  # offset of the page in the document text


@dataclass(frozen=True, slots=True)
class Passage:
    id: str  # f"{document_id}:{ordinal:05d}", stable while the document is unchanged
    document_id: str
    ordinal: int  # reading order, from 0
    page_start: int
    page_end: int
    char_start: int  # offsets into the document text (the cleaned pages joined)
    char_end: int
    text: str

    @property
    def n_words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Document:
    id: str  # "d-" + sha256(file bytes)[:16]: same file, same id
    key: str  # the logical document (manifest id or path); versions share it
    institution_id: str
    organisation: str  # the name as the manifest gave it
    title: str
    year: int | None
    document_type: str | None
    language: str | None
    source: str  # path or URL as given
    format: str  # pdf | html | docx | txt | md
    sha256: str
    url: str | None = None
    flags: tuple[str, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
