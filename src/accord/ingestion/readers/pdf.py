"""PDF text, page by page, with pypdfium2, within the limits of one file.

pdfium unpacks a page's compressed content streams whole when it loads the page, so a small
PDF holding a flate stream of a gigabyte of zeros would cost that much memory, and then read as
having no text. Before pdfium sees the file, its flate streams are unpacked here chunk by chunk,
counting and discarding the output, and a file whose streams unpack to more than
``max_decompressed_bytes`` is ``pdf-too-large``; so is one with more than ``max_pdf_pages`` pages.
"""

from __future__ import annotations

import re
import zlib

import pypdfium2 as pdfium

from accord.errors import EncryptedPdf, IngestError, NoExtractableText, UnreadableFile
from accord.ingestion.limits import DEFAULT_LIMITS, ReadLimits, sizes, too_many_words
from accord.ingestion.readers import Extracted

# pdfium reports a password-protected file through this error text.
_PASSWORD_ERROR = "password"
# Deflate never packs more than about 1032 bytes into one: a smaller file cannot exceed a limit.
_MAX_FLATE_RATIO = 1032
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_IMAGE = re.compile(rb"/Subtype\s*/Image")
_DICTIONARY_REACH = 4096  # how far before "stream" its dictionary is looked for
_IN_CHUNK = 64 * 1024
_OUT_CHUNK = 1 << 20


def read_pdf(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Extracted:
    check_unpacked_size(data, limits.max_decompressed_bytes)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if _PASSWORD_ERROR in str(exc).lower():
            raise EncryptedPdf("the PDF is encrypted (password protected).") from exc
        raise UnreadableFile(f"not a readable PDF ({exc}).", reason="pdf-corrupt") from exc
    try:
        if len(pdf) > limits.max_pdf_pages:
            raise IngestError(
                f"the PDF has {len(pdf):,} pages, over the limit of {limits.max_pdf_pages:,} "
                "pages (setting ingest.pdf_max_pages).",
                reason="pdf-too-large",
            )
        pages = _pages(pdf, limits.max_words)
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(f"the PDF is damaged ({exc}).", reason="pdf-corrupt") from exc
    finally:
        pdf.close()
    if not any(page.strip() for page in pages):
        raise NoExtractableText(
            f"no text layer in {len(pages)} page(s); the PDF is scanned images and needs OCR.",
            reason="needs-ocr",
        )
    return Extracted("pdf", pages, title)


def _pages(pdf: pdfium.PdfDocument, max_words: int) -> list[str]:
    pages, words = [], 0
    for index in range(len(pdf)):
        text = _page_text(pdf, index)
        words += len(text.split())
        if words > max_words:  # stop reading: the rest would only cost memory
            raise too_many_words(words, max_words, f"words in its first {index + 1} pages")
        pages.append(text)
    return pages


def check_unpacked_size(data: bytes, limit: int) -> None:
    """Raises ``pdf-too-large`` when the PDF's flate streams (images aside, which text
    extraction does not unpack) unpack to more than ``limit`` bytes."""
    if len(data) * _MAX_FLATE_RATIO <= limit:
        return
    total = 0
    for match in _STREAM.finditer(data):
        dictionary = data[max(0, match.start() - _DICTIONARY_REACH) : match.start()]
        if _IMAGE.search(dictionary[dictionary.rfind(b"obj") :]):
            continue
        total += _unpacked_size(data, match.end(), limit - total + 1)
        if total > limit:
            shown, most = sizes(total, limit)
            raise IngestError(
                f"the PDF's compressed streams unpack to more than {shown}, over the limit of "
                f"{most} (setting ingest.max_decompressed_mb).",
                reason="pdf-too-large",
            )


def _unpacked_size(data: bytes, start: int, budget: int) -> int:
    """Bytes the flate stream at ``start`` unpacks to, counting no further than ``budget``;
    0 when there is no flate stream there (another filter, or damage)."""
    inflater = zlib.decompressobj()
    view = memoryview(data)
    size = 0
    try:
        for offset in range(start, len(data), _IN_CHUNK):
            pending = view[offset : offset + _IN_CHUNK]
            while pending and size <= budget and not inflater.eof:
                size += len(inflater.decompress(pending, _OUT_CHUNK))
                pending = inflater.unconsumed_tail
            if inflater.eof or size > budget:
                break
    except zlib.error:  # not flate (size 0), or damaged: pdfium unpacks what precedes it
        pass
    return size


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
        finally:
            textpage.close()
    finally:
        page.close()
