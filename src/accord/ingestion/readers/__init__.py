"""One reader per format, all with the same signature:
``read(data: bytes, limits: ReadLimits) -> Extracted``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from accord.errors import UnsupportedFormat
from accord.ingestion.limits import ReadLimits


@dataclass(frozen=True, slots=True)
class Extracted:
    """Raw text of a file, page by page, before cleaning."""

    format: str
    pages: list[str]
    title: str | None = None  # from the file's own metadata, when it has one
    headings: frozenset[str] = field(default_factory=frozenset)  # lines known to be headings
    encoding: str | None = None  # how the bytes were decoded, for text-like formats


Reader = Callable[[bytes, ReadLimits], Extracted]

FORMATS: dict[str, str] = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
}


def format_of(name: str) -> str:
    """The format of a file from its extension.

    Raises:
        UnsupportedFormat: the extension is not one Accord reads.
    """
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UnsupportedFormat(
            f"unsupported file type '{suffix or '(none)'}'; Accord reads {known}."
        ) from None


def reader_for(fmt: str) -> Reader:
    # Imported here so that a worker loads only the parser it needs.
    if fmt == "pdf":
        from accord.ingestion.readers.pdf import read_pdf

        return read_pdf
    if fmt == "html":
        from accord.ingestion.readers.html import read_html

        return read_html
    if fmt == "docx":
        from accord.ingestion.readers.docx import read_docx

        return read_docx
    from accord.ingestion.readers.text import read_markdown, read_text

    return read_markdown if fmt == "md" else read_text
