"""What one file may cost: bytes on disk, words of text, bytes a compressed part unpacks to, PDF
pages. Large texts are counted in chunks before they are read whole, so a file over a limit
costs little memory; messages give the file's figure and the limit in the same unit."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from accord.config import IngestSettings
from accord.errors import IngestError

CHUNK = 1 << 20
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """The per-file limits of settings ``ingest.*`` that readers apply."""

    max_words: int = 2_000_000
    max_decompressed_bytes: int = 512 * MIB
    max_pdf_pages: int = 10_000

    @classmethod
    def of(cls, settings: IngestSettings) -> ReadLimits:
        return cls(
            max_words=settings.max_words,
            max_decompressed_bytes=int(settings.max_decompressed_mb * MIB),
            max_pdf_pages=settings.pdf_max_pages,
        )


DEFAULT_LIMITS = ReadLimits()


def sizes(size: int, limit: float) -> tuple[str, str]:
    """A file size and a limit (both bytes) in one unit, precise enough to tell them apart."""
    if limit >= MIB:
        shown = (f"{size / MIB:,.1f} MB", f"{limit / MIB:,.1f} MB")
        if shown[0] != shown[1]:
            return shown
    return f"{size:,} bytes", f"{int(limit):,} bytes"


def too_many_words(words: int, limit: int, counted: str = "words") -> IngestError:
    return IngestError(
        f"the file has {words:,} {counted}, over the limit of {limit:,} words "
        "(setting ingest.max_words).",
        reason="oversized",
    )


def check_words(texts: Sequence[str | bytes], limit: int) -> None:
    """Raises ``oversized`` when the texts hold more than ``limit`` words."""
    if sum(len(t) for t in texts) < 2 * limit:  # a word and a space take two characters
        return
    words = sum(_count_words(t) for t in texts)
    if words > limit:
        raise too_many_words(words, limit)


def check_file_words(path: Path, size: int, limit: int, counted: str = "words") -> None:
    """Count the words of a text-like file chunk by chunk, before it is read whole."""
    if size < 2 * limit:
        return
    words = 0
    inside = False  # the previous chunk ended inside a word
    with path.open("rb") as fh:
        first = fh.read(CHUNK)
        decoder = _wide_decoder(first)
        chunk: bytes | str = first
        while chunk:
            text = decoder.decode(chunk) if decoder else chunk
            if text:
                words += len(text.split()) - (inside and not text[:1].isspace())
                inside = not text[-1:].isspace()
            chunk = fh.read(CHUNK)
    if words > limit:
        raise too_many_words(words, limit, counted)


def _count_words(text: str | bytes) -> int:
    words, inside = 0, False
    for start in range(0, len(text), CHUNK):
        part = text[start : start + CHUNK]
        words += len(part.split()) - (inside and not part[:1].isspace())
        inside = not part[-1:].isspace()
    return words


def _wide_decoder(first: bytes) -> codecs.IncrementalDecoder | None:
    """A decoder for UTF-16/32 files, whose words bytes.split() cannot see; None for the
    ASCII-compatible encodings, counted as bytes."""
    from accord.ingestion.readers.decoding import wide_encoding

    codec = wide_encoding(first)
    return codecs.getincrementaldecoder(codec)("replace") if codec else None
