"""One file to clean pages and passages; runs inside a worker process (see pipeline.py)."""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass
from pathlib import Path

from accord.errors import AccordError, IngestError, NoExtractableText, UnreadableFile
from accord.ingestion.clean import CleaningStats, clean_pages
from accord.ingestion.duplicates import shingle_sample
from accord.ingestion.language import LanguageProfile, detect_language
from accord.ingestion.limits import DEFAULT_LIMITS, ReadLimits, check_file_words, check_words
from accord.ingestion.readers import reader_for
from accord.ingestion.segment import segment
from accord.model.corpus import Page, Passage


@dataclass(frozen=True, slots=True)
class ParsedFile:
    document_id: str
    sha256: str
    format: str
    file_title: str | None  # from the file's own metadata
    pages: list[Page]
    passages: list[Passage]
    language: LanguageProfile
    shingles: bytes
    cleaning: CleaningStats
    encoding: str | None = None  # how a text-like file was decoded


# Formats whose words can be counted in the raw bytes (HTML's count includes its markup).
_COUNTED = {"txt": "words", "md": "words", "html": "words (counting markup)"}


def _read(path: Path, fmt: str, limits: ReadLimits) -> bytes:
    """The file's bytes, once a text-like file's words are known to be within the limit."""
    try:
        info = path.stat()
        if fmt in _COUNTED and stat.S_ISREG(info.st_mode):
            check_file_words(path, info.st_size, limits.max_words, _COUNTED[fmt])
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file ({exc.strerror}).") from exc
    if not data:
        raise IngestError("the file is empty.", reason="empty-file")
    if fmt in _COUNTED and not stat.S_ISREG(info.st_mode):  # a pipe: counted once read
        check_words([data], limits.max_words)
    return data


def _checked(data: bytes, fmt: str, limits: ReadLimits) -> bytes:
    """A file's bytes sent by the client, with the checks ``_read`` makes of a file."""
    if not data:
        raise IngestError("the file is empty.", reason="empty-file")
    if fmt in _COUNTED:
        check_words([data], limits.max_words)
    return data


def document_id_for(sha256: str) -> str:
    return f"d-{sha256[:16]}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_file(
    source: str | bytes,
    fmt: str,
    max_words: int,
    min_words: int,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> ParsedFile:
    """Read, clean and segment one file, within ``limits``. ``source`` is the file's path,
    or its bytes when the worker cannot see the files (a cluster on other machines).

    Raises:
        IngestError: the file cannot be used; its ``reason`` says why.
    """
    data = (
        _checked(source, fmt, limits)
        if isinstance(source, bytes)
        else _read(Path(source), fmt, limits)
    )
    sha = hashlib.sha256(data).hexdigest()
    try:
        extracted = reader_for(fmt)(data, limits)
    except AccordError:
        raise
    except Exception as exc:  # a parser's own failure on a bad file is that file's problem
        raise UnreadableFile(
            f"the {fmt.upper()} parser failed: {type(exc).__name__}: {exc}", reason="parse-error"
        ) from exc
    del data  # the file's bytes are no longer needed; a large one would double the memory
    check_words(extracted.pages, limits.max_words)
    pages, cleaning = clean_pages(extracted.pages, extracted.headings)
    doc_id = document_id_for(sha)
    text, page_records, passages = segment(pages, doc_id, max_words=max_words, min_words=min_words)
    if not passages:
        raise NoExtractableText("the file contains no text.", reason="no-text")
    return ParsedFile(
        document_id=doc_id,
        sha256=sha,
        format=extracted.format,
        file_title=extracted.title,
        pages=page_records,
        passages=passages,
        language=detect_language([p.text for p in passages]),
        shingles=shingle_sample(text).tobytes(),
        cleaning=cleaning,
        encoding=extracted.encoding,
    )
