"""Word documents with python-docx: body paragraphs and tables in reading order."""

from __future__ import annotations

import io
import zipfile

from accord.errors import IngestError, UnreadableFile
from accord.ingestion.limits import DEFAULT_LIMITS, ReadLimits, sizes
from accord.ingestion.readers import Extracted


def read_docx(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Extracted:
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_unpacked_size(data, limits.max_decompressed_bytes)
    try:
        document = open_docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"not a readable DOCX file ({exc}).", reason="docx-corrupt") from exc
    blocks: list[str] = []
    headings: set[str] = set()
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            if style.startswith(("Heading", "Title")):
                headings.add(text)
            blocks.append(text)
        elif isinstance(item, Table):
            blocks.extend(_table_rows(item))
    title = (document.core_properties.title or "").strip() or None
    return Extracted("docx", ["\n\n".join(blocks)], title, frozenset(headings))


def _table_rows(table: object) -> list[str]:
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells = [cell.text.strip() for cell in row.cells]
        unique = list(dict.fromkeys(c for c in cells if c))  # merged cells repeat their text
        if unique:
            rows.append(" | ".join(unique))
    return rows


def _check_unpacked_size(data: bytes, limit: int) -> None:
    """A DOCX is a zip: a small file can unpack to gigabytes of XML (a zip bomb). The sizes
    its directory declares bound what python-docx will read (zipfile stops at them)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile(f"not a readable DOCX file ({exc}).", reason="docx-corrupt") from exc
    if unpacked > limit:
        size, most = sizes(unpacked, limit)
        raise IngestError(
            f"the DOCX unpacks to {size}, over the limit of {most} "
            "(setting ingest.max_decompressed_mb).",
            reason="oversized",
        )
